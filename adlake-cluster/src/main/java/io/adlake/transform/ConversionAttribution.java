package io.adlake.transform;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import io.adlake.config.AdlakeConfig.ConversionSettings;
import io.adlake.lake.TableSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Conversion attribution as pure functions of DataFrames (bronze conversions, clicks and
 * impressions in; the rows of attributed_conversions, conversion_journeys and attribution_credits
 * out), the same on a unit test's batch and on the slices the conversions job reads per
 * micro-batch. The rules are in docs/conversions.md; {@code io.adlake.event.ConversionTruth} is an
 * independent plain-Java implementation of the last-touch rule that tests compare with.
 */
public final class ConversionAttribution {
  public static final String CLICK_THROUGH = "click_through";
  public static final String VIEW_THROUGH = "view_through";
  public static final String UNATTRIBUTED = "unattributed";

  public static final String CLICK = "click";
  public static final String IMPRESSION = "impression";

  /** The multi-touch models, in the order reports list them. */
  public static final List<String> MODELS =
      List.of("last_touch", "first_touch", "linear", "time_decay", "position_based");

  /** Position-based: the first and the last touch get this share each; the middle the rest. */
  static final double POSITION_ENDS_SHARE = 0.4;

  private ConversionAttribution() {}

  /** What an arrival is: a conversion, or a touch (click or impression). */
  public static final String CONVERSION = "conversion";

  /**
   * The rows the conversions job reacts to, from the three bronze streams in one shape: kind
   * (conversion, click, impression), id, user_id, click_id (a conversion's postback click, a
   * click's own id), event_time.
   */
  public static Dataset<Row> arrivals(
      Dataset<Row> conversions, Dataset<Row> clicks, Dataset<Row> impressions) {
    return conversions
        .select(
            lit(CONVERSION).as("kind"),
            col("conversion_id").as("id"),
            col("user_id"),
            col("click_id"),
            col("event_timestamp").as("event_time"))
        .unionByName(
            clicks.select(
                lit(CLICK).as("kind"),
                col("click_id").as("id"),
                col("user_id"),
                col("click_id"),
                col("event_timestamp").as("event_time")))
        .unionByName(
            impressions.select(
                lit(IMPRESSION).as("kind"),
                col("impression_id").as("id"),
                col("user_id"),
                lit(null).cast("string").as("click_id"),
                col("event_timestamp").as("event_time")));
  }

  /**
   * The conversions whose attribution, journey or credit {@code arrivals} may change: the
   * conversions among them, and the bronze conversions a touch among them can reach, that is those
   * of the touch's user within the re-open window after it ({@link
   * ConversionSettings#reopenWindow()}), and those whose postback names a click among them within
   * the click lookback after it.
   *
   * @param arrivals {@link #arrivals}, late touches already left out
   * @param bronzeConversions the bronze conversions that may be re-opened
   * @return distinct conversion_id
   */
  public static Dataset<Row> affected(
      Dataset<Row> arrivals, Dataset<Row> bronzeConversions, ConversionSettings settings) {
    Dataset<Row> touched =
        arrivals
            .filter(col("kind").notEqual(lit(CONVERSION)))
            .select(
                col("kind").as("a_kind"),
                col("user_id").as("a_user_id"),
                col("click_id").as("a_click_id"),
                col("event_time").as("a_time"));
    Dataset<Row> conversions =
        bronzeConversions.select(
            col("conversion_id"), col("user_id"), col("click_id"), col("event_timestamp"));
    Column after = col("event_timestamp").geq(col("a_time"));
    Dataset<Row> byUser =
        conversions
            .join(
                touched,
                col("user_id")
                    .equalTo(col("a_user_id"))
                    .and(after)
                    .and(col("event_timestamp").leq(plus(col("a_time"), settings.reopenWindow()))))
            .select(col("conversion_id"));
    Dataset<Row> byClick =
        conversions
            .join(
                touched,
                col("click_id")
                    .equalTo(col("a_click_id"))
                    .and(col("a_kind").equalTo(lit(CLICK)))
                    .and(after)
                    .and(col("event_timestamp").leq(plus(col("a_time"), settings.clickLookback()))))
            .select(col("conversion_id"));
    return arrivals
        .filter(col("kind").equalTo(lit(CONVERSION)))
        .select(col("id").as("conversion_id"))
        .unionByName(byUser)
        .unionByName(byClick)
        .distinct();
  }

  private static Column plus(Column time, Duration duration) {
    return time.plus(expr("INTERVAL " + duration.toMillis() + " MILLISECONDS"));
  }

  /**
   * One record per {@code conversion_id}: a re-sent conversion is the same conversion. The earliest
   * copy wins (ties broken on the other fields), so the choice does not depend on arrival order.
   *
   * @param bronzeConversions rows of the bronze conversions table
   * @return conversion_id, user_id, click_id, advertiser_id, conversion_type, conversion_time,
   *     value, currency
   */
  public static Dataset<Row> canonical(Dataset<Row> bronzeConversions) {
    WindowSpec copies =
        Window.partitionBy(col("conversion_id"))
            .orderBy(
                col("event_timestamp"),
                col("user_id").asc_nulls_last(),
                col("click_id").asc_nulls_last(),
                col("advertiser_id").asc_nulls_last(),
                col("conversion_type").asc_nulls_last(),
                col("value").asc_nulls_last(),
                col("currency").asc_nulls_last());
    return bronzeConversions
        .withColumn("_copy", row_number().over(copies))
        .filter(col("_copy").equalTo(1))
        .select(
            col("conversion_id"),
            col("user_id"),
            col("click_id"),
            col("advertiser_id"),
            col("conversion_type"),
            col("event_timestamp").as("conversion_time"),
            col("value"),
            col("currency"));
  }

  /**
   * Bronze clicks and impressions as touches: touch_type, touch_id, user_id, touch_time,
   * campaign_id, ad_id, publisher_id; a touch re-sent beyond the ingest's de-duplication window is
   * one touch.
   */
  public static Dataset<Row> touches(Dataset<Row> clicks, Dataset<Row> impressions) {
    Dataset<Row> all =
        clicks
            .select(
                lit(CLICK).as("touch_type"),
                col("click_id").as("touch_id"),
                col("user_id"),
                col("event_timestamp").as("touch_time"),
                col("campaign_id"),
                col("ad_id"),
                col("publisher_id"))
            .unionByName(
                impressions.select(
                    lit(IMPRESSION).as("touch_type"),
                    col("impression_id").as("touch_id"),
                    col("user_id"),
                    col("event_timestamp").as("touch_time"),
                    col("campaign_id"),
                    col("ad_id"),
                    col("publisher_id")));
    WindowSpec copies =
        Window.partitionBy(col("touch_type"), col("touch_id"))
            .orderBy(
                col("touch_time"),
                col("user_id").asc_nulls_last(),
                col("campaign_id"),
                col("ad_id"),
                col("publisher_id").asc_nulls_last());
    return all.withColumn("_copy", row_number().over(copies))
        .filter(col("_copy").equalTo(1))
        .drop("_copy");
  }

  /**
   * The last-touch rule, bounds inclusive, in event time: (1) the click the conversion's {@code
   * click_id} names, in [conversion − click-lookback, conversion]; else (2) the user's latest click
   * in that range; else (3) the user's latest impression in [conversion − view-lookback,
   * conversion]; else unattributed. Ties on time: the smallest touch id. A touch after the
   * conversion never counts.
   *
   * @param conversions {@link #canonical} conversions
   * @param touches {@link #touches}
   * @param rates currency_rates rows: value_usd converts at the rate valid at the conversion's
   *     event time (currency NULL = USD), NULL without one
   * @param spec attributed_conversions: the result has exactly its columns
   */
  public static Dataset<Row> attribute(
      Dataset<Row> conversions,
      Dataset<Row> touches,
      ConversionSettings settings,
      Dataset<Row> rates,
      TableSpec spec) {
    Dataset<Row> clicks = prefixed(touches.filter(col("touch_type").equalTo(CLICK)));
    Dataset<Row> impressions = prefixed(touches.filter(col("touch_type").equalTo(IMPRESSION)));
    Dataset<Row> c =
        conversions.select(
            col("conversion_id"), col("user_id"), col("click_id"), col("conversion_time"));
    Column clickRange = inLookback(settings.clickLookback());
    Dataset<Row> candidates =
        candidates(c, clicks, col("click_id").equalTo(col("t_touch_id")).and(clickRange), 1)
            .unionByName(
                candidates(c, clicks, col("user_id").equalTo(col("t_user_id")).and(clickRange), 2))
            .unionByName(
                candidates(
                    c,
                    impressions,
                    col("user_id")
                        .equalTo(col("t_user_id"))
                        .and(inLookback(settings.viewLookback())),
                    3));
    Dataset<Row> winners =
        candidates
            .withColumn(
                "_rank",
                row_number()
                    .over(
                        Window.partitionBy(col("w_conversion_id"))
                            .orderBy(col("_rule"), col("t_touch_time").desc(), col("t_touch_id"))))
            .filter(col("_rank").equalTo(1))
            .drop("_rank");
    Dataset<Row> valued =
        ReferenceData.withRateAt(
            conversions, coalesce(col("currency"), lit("USD")), col("conversion_time"), rates);
    Dataset<Row> joined =
        valued.join(
            winners, valued.col("conversion_id").equalTo(winners.col("w_conversion_id")), "left");
    return spec.selectFrom(
        joined,
        Map.of(
            "value_usd",
            col("value").multiply(col(ReferenceData.USD_RATE)),
            "attribution",
            when(col("_rule").isin(1, 2), lit(CLICK_THROUGH))
                .when(col("_rule").equalTo(3), lit(VIEW_THROUGH))
                .otherwise(lit(UNATTRIBUTED)),
            "touch_id",
            col("t_touch_id"),
            "touch_time",
            col("t_touch_time"),
            "campaign_id",
            col("t_campaign_id"),
            "ad_id",
            col("t_ad_id"),
            "publisher_id",
            col("t_publisher_id"),
            "seconds_to_convert",
            seconds(col("conversion_time"), col("t_touch_time")),
            "processed_time",
            current_timestamp()));
  }

  /** Touches that satisfy {@code rule} for a conversion, tagged with the rule's number. */
  private static Dataset<Row> candidates(
      Dataset<Row> conversions, Dataset<Row> touches, Column condition, int rule) {
    return conversions
        .join(touches, condition)
        .select(
            col("conversion_id").as("w_conversion_id"),
            lit(rule).as("_rule"),
            col("t_touch_type"),
            col("t_touch_id"),
            col("t_touch_time"),
            col("t_campaign_id"),
            col("t_ad_id"),
            col("t_publisher_id"));
  }

  /** The touch columns with a {@code t_} prefix, so that a join with conversions never clashes. */
  private static Dataset<Row> prefixed(Dataset<Row> touches) {
    return touches.select(
        col("touch_type").as("t_touch_type"),
        col("touch_id").as("t_touch_id"),
        col("user_id").as("t_user_id"),
        col("touch_time").as("t_touch_time"),
        col("campaign_id").as("t_campaign_id"),
        col("ad_id").as("t_ad_id"),
        col("publisher_id").as("t_publisher_id"));
  }

  /** t_touch_time in [conversion_time − lookback, conversion_time]. */
  private static Column inLookback(Duration lookback) {
    return col("t_touch_time")
        .leq(col("conversion_time"))
        .and(
            col("t_touch_time")
                .geq(expr("conversion_time - INTERVAL " + lookback.toMillis() + " MILLISECONDS")));
  }

  /**
   * The conversion's journey: the user's touches within the journey lookback before it, ordered by
   * time (ties: touch id), the latest {@code max-touches} of them; an empty journey for a
   * conversion without a user or without touches.
   *
   * @param spec conversion_journeys: the result has exactly its columns
   */
  public static Dataset<Row> journeys(
      Dataset<Row> conversions, Dataset<Row> touches, ConversionSettings settings, TableSpec spec) {
    Dataset<Row> t = prefixed(touches);
    Dataset<Row> c =
        conversions.select(col("conversion_id"), col("user_id"), col("conversion_time"));
    Dataset<Row> collected =
        c.join(
                t,
                col("user_id")
                    .equalTo(col("t_user_id"))
                    .and(inLookback(settings.journeyLookback())),
                "left")
            .groupBy(col("conversion_id"), col("user_id"), col("conversion_time"))
            .agg(
                // Structs sort field by field: time first, then touch id.
                sort_array(
                        collect_list(
                            when(
                                col("t_touch_id").isNotNull(),
                                struct(
                                    col("t_touch_time").as("touch_time"),
                                    col("t_touch_id").as("touch_id"),
                                    col("t_touch_type").as("touch_type"),
                                    col("t_campaign_id").as("campaign_id"),
                                    col("t_publisher_id").as("publisher_id")))))
                    .as("_all"));
    int max = settings.maxTouches();
    Dataset<Row> kept =
        collected.withColumn(
            "_kept", expr("slice(_all, greatest(size(_all) - " + max + " + 1, 1), " + max + ")"));
    Column first = expr("array_min(transform(_kept, x -> x.touch_time))");
    return spec.selectFrom(
        kept,
        Map.of(
            "touches",
            // Cast to the declared type: the table's struct fields are nullable whatever Spark
            // infers.
            expr("transform(_kept, x -> named_struct('touch_type', x.touch_type, 'touch_id', "
                    + "x.touch_id, 'touch_time', x.touch_time, 'campaign_id', x.campaign_id, "
                    + "'publisher_id', x.publisher_id))")
                .cast(spec.column("touches").type()),
            "touch_count",
            expr("size(_kept)"),
            "touches_in_lookback",
            expr("size(_all)"),
            "first_touch_time",
            first,
            "seconds_from_first_touch",
            seconds(col("conversion_time"), first),
            "processed_time",
            current_timestamp()));
  }

  /**
   * Credit per conversion, model and campaign, for attributed conversions (an unattributed one is
   * nobody's). The path of a conversion is its journey, with the last-touch winner added when the
   * journey lacks it (a postback's click of another user, or one pushed out by {@code max-touches}
   * later touches). On a path of n touches in time order: last_touch gives 1 to the winner,
   * first_touch 1 to the first, linear 1/n to each, time_decay weights 2^(−age/half-life)
   * normalised to 1, position_based 0.4 to the first and the last and 0.2 spread over the middle
   * (one touch: 1; two: 0.5 each). A campaign's credit is the sum over its touches; rows with no
   * credit are left out.
   *
   * @param attributed rows of attributed_conversions
   * @param journeys rows of conversion_journeys
   * @param spec attribution_credits: the result has exactly its columns
   */
  public static Dataset<Row> credits(
      Dataset<Row> attributed, Dataset<Row> journeys, ConversionSettings settings, TableSpec spec) {
    Dataset<Row> won =
        attributed
            .filter(col("attribution").notEqual(lit(UNATTRIBUTED)))
            .select(
                col("conversion_id").as("a_conversion_id"),
                col("conversion_time"),
                col("value_usd"),
                when(col("attribution").equalTo(CLICK_THROUGH), lit(CLICK))
                    .otherwise(lit(IMPRESSION))
                    .as("winner_type"),
                col("touch_id").as("winner_id"),
                col("touch_time").as("winner_time"),
                col("campaign_id").as("winner_campaign"));
    Dataset<Row> journeyTouches =
        journeys
            .select(col("conversion_id"), explode(col("touches")).as("t"))
            .select(
                col("conversion_id"),
                col("t.touch_type").as("touch_type"),
                col("t.touch_id").as("touch_id"),
                col("t.touch_time").as("touch_time"),
                col("t.campaign_id").as("campaign_id"));
    Dataset<Row> winners =
        won.select(
            col("a_conversion_id").as("conversion_id"),
            col("winner_type").as("touch_type"),
            col("winner_id").as("touch_id"),
            col("winner_time").as("touch_time"),
            col("winner_campaign").as("campaign_id"));
    Dataset<Row> path =
        journeyTouches
            .unionByName(winners)
            .distinct()
            .join(won, col("conversion_id").equalTo(col("a_conversion_id")));
    WindowSpec byConversion = Window.partitionBy(col("conversion_id"));
    WindowSpec inOrder = byConversion.orderBy(col("touch_time"), col("touch_id"));
    Column n = count(lit(1)).over(byConversion);
    Column position = row_number().over(inOrder);
    double halfLifeMillis = settings.timeDecayHalfLife().toMillis();
    Column decay =
        pow(
            lit(2.0),
            expr("unix_millis(touch_time) - unix_millis(conversion_time)")
                .divide(lit(halfLifeMillis)));
    Dataset<Row> weighted =
        path.withColumn("_n", n)
            .withColumn("_position", position)
            .withColumn("_decay", decay)
            .withColumn("_decay_sum", sum(col("_decay")).over(byConversion));
    Column isWinner =
        col("touch_type")
            .equalTo(col("winner_type"))
            .and(col("touch_id").equalTo(col("winner_id")));
    Column positionBased =
        when(col("_n").equalTo(1), lit(1.0))
            .when(col("_n").equalTo(2), lit(0.5))
            .when(
                col("_position").equalTo(1).or(col("_position").equalTo(col("_n"))),
                lit(POSITION_ENDS_SHARE))
            .otherwise(lit(1 - 2 * POSITION_ENDS_SHARE).divide(col("_n").minus(2)));
    Column models =
        array(
            model(MODELS.get(0), when(isWinner, lit(1.0)).otherwise(lit(0.0))),
            model(MODELS.get(1), when(col("_position").equalTo(1), lit(1.0)).otherwise(lit(0.0))),
            model(MODELS.get(2), lit(1.0).divide(col("_n"))),
            model(MODELS.get(3), col("_decay").divide(col("_decay_sum"))),
            model(MODELS.get(4), positionBased));
    Dataset<Row> perCampaign =
        weighted
            .withColumn("_m", explode(models))
            .groupBy(
                col("conversion_id"),
                col("_m.model").as("model"),
                col("campaign_id"),
                col("conversion_time"),
                col("value_usd"))
            .agg(sum(col("_m.credit")).as("credit"), count(lit(1)).cast("int").as("touches"))
            .filter(col("credit").gt(0));
    return spec.selectFrom(
        perCampaign,
        Map.of(
            "credited_value_usd",
            col("credit").multiply(col("value_usd")),
            "processed_time",
            current_timestamp()));
  }

  private static Column model(String name, Column credit) {
    return struct(lit(name).as("model"), credit.as("credit"));
  }

  /** {@code later − earlier} in seconds, at millisecond precision; NULL when either is NULL. */
  static Column seconds(Column later, Column earlier) {
    return unix_millis(later).minus(unix_millis(earlier)).divide(lit(1000.0));
  }
}
