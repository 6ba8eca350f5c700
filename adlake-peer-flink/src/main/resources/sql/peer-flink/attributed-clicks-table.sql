-- The Iceberg Hadoop catalog, and the peer's table in it, at the warehouse adlake uses (<warehouse>/<namespace>/<table>),
-- the columns of adlake's enriched_ad_data that come from the events. Keyed like it: the primary key becomes
-- the table's identifier fields, on which the sink upserts (equality deletes, format v2). Unpartitioned:
-- Iceberg's Flink upsert needs every partition source column in the key, and campaign_id is not.
CREATE CATALOG `${catalog}` WITH (
  'type' = 'iceberg',
  'catalog-type' = 'hadoop',
  'warehouse' = '${warehouse}',
  'property-version' = '1'
);

CREATE DATABASE IF NOT EXISTS `${catalog}`.`${namespace}`;

CREATE TABLE IF NOT EXISTS `${catalog}`.`${namespace}`.`${table}` (
  ad_id STRING NOT NULL,
  impression_id STRING NOT NULL,
  click_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  publisher_id STRING,
  impression_time TIMESTAMP_LTZ(6) NOT NULL,
  click_time TIMESTAMP_LTZ(6) NOT NULL,
  geo_location STRING,
  platform STRING,
  device_type INT,
  bid_price DOUBLE,
  click_price DOUBLE,
  is_premium_ad STRING,
  engagement_duration BIGINT,
  platform_category STRING,
  click_revenue DOUBLE,
  is_suspected_fraud BOOLEAN,
  processed_time TIMESTAMP_LTZ(6),
  PRIMARY KEY (ad_id, impression_id) NOT ENFORCED
) WITH (
  'format-version' = '2',
  'write.upsert.enabled' = 'true',
  'write.format.default' = 'parquet',
  'write.parquet.compression-codec' = 'zstd',
  'write.metadata.delete-after-commit.enabled' = 'true',
  'write.metadata.previous-versions-max' = '100'
);
