package io.adlake.job;

import static org.apache.spark.sql.functions.col;

import io.adlake.transform.ReferenceData;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the rows of a merged batch whose campaign the campaigns table did not know (they are
 * written all the same, with NULL names) and says which campaigns, so that someone loads them.
 */
final class UnknownCampaigns implements Consumer<Dataset<Row>> {
  private static final Logger LOG = LoggerFactory.getLogger(UnknownCampaigns.class);
  private static final int SHOWN = 20;

  private final String rows;

  /**
   * @param rows what the rows are, for the message: "Attributed clicks", "campaign_metrics_5m rows"
   */
  UnknownCampaigns(String rows) {
    this.rows = rows;
  }

  @Override
  public void accept(Dataset<Row> merged) {
    List<Row> unknown =
        merged
            .filter(col(ReferenceData.CAMPAIGN_NAME).isNull())
            .groupBy(col("campaign_id"))
            .count()
            .orderBy(col("campaign_id"))
            .collectAsList();
    if (!unknown.isEmpty()) {
      LOG.warn(
          "{} {} of {} campaign(s) missing from the campaigns table (names left NULL; load them with "
              + "dims load campaigns): {}{}",
          unknown.stream().mapToLong(r -> r.getLong(1)).sum(),
          rows,
          unknown.size(),
          unknown.stream().limit(SHOWN).map(r -> r.getString(0) + " x" + r.getLong(1)).toList(),
          unknown.size() > SHOWN ? " ..." : "");
    }
  }
}
