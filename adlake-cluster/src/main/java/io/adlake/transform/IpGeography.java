package io.adlake.transform;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import io.adlake.geo.GeoIpFile;
import io.adlake.geo.GeoLocation;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * City, region, postal code, time zone and coordinates of an IP address column, from a MaxMind City
 * database shipped with the job. A pure function of the DataFrame, the database being read-only.
 */
public final class IpGeography {
  public static final String CITY = "geo_city";
  public static final String REGION = "geo_region";
  public static final String POSTAL = "geo_postal";
  public static final String TIMEZONE = "geo_timezone";
  public static final String LATITUDE = "geo_latitude";
  public static final String LONGITUDE = "geo_longitude";

  /**
   * TRUE when the database has a record of the address, FALSE when not (private, reserved,
   * malformed or unknown), NULL when geography is off. Not a table column: the ingest counts it.
   */
  public static final String RESOLVED = "_geo_resolved";

  private static final String LOCATION = "_geo";

  /** The columns in table order, with their types. */
  public static final List<String> COLUMNS =
      List.of(CITY, REGION, POSTAL, TIMEZONE, LATITUDE, LONGITUDE);

  private static final StructType LOCATION_TYPE =
      new StructType()
          .add(CITY, DataTypes.StringType)
          .add(REGION, DataTypes.StringType)
          .add(POSTAL, DataTypes.StringType)
          .add(TIMEZONE, DataTypes.StringType)
          .add(LATITUDE, DataTypes.DoubleType)
          .add(LONGITUDE, DataTypes.DoubleType);

  private IpGeography() {}

  /**
   * Adds {@link #COLUMNS} and {@link #RESOLVED} for the address in {@code ip}; with no database
   * every one of them is NULL.
   */
  public static Dataset<Row> locate(Dataset<Row> rows, Column ip, Optional<GeoIpFile> database) {
    Dataset<Row> located =
        database.isPresent()
            ? rows.withColumn(LOCATION, lookup(database.get()).apply(ip))
            : rows.withColumn(LOCATION, lit(null).cast(LOCATION_TYPE));
    for (String column : COLUMNS) {
      located = located.withColumn(column, col(LOCATION).getField(column));
    }
    Column resolved =
        database.isPresent() ? col(LOCATION).isNotNull() : lit(null).cast(DataTypes.BooleanType);
    return located.withColumn(RESOLVED, resolved).drop(LOCATION);
  }

  private static UserDefinedFunction lookup(GeoIpFile database) {
    DataType type = LOCATION_TYPE;
    return udf(
        (UDF1<String, Row>)
            address -> database.open().locate(address).map(IpGeography::toRow).orElse(null),
        type);
  }

  private static Row toRow(GeoLocation location) {
    return RowFactory.create(
        location.city(),
        location.region(),
        location.postal(),
        location.timezone(),
        location.latitude(),
        location.longitude());
  }
}
