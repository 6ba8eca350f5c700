-- The original design's attribution in Flink SQL: the two Kafka topics (JSON, as `bin/adlake generate` writes
-- them), an interval join of each click to its impression, the first click per (ad_id, impression_id), the
-- derived columns of DESIGN.md "Attribution semantics", upserted into an Iceberg v2 table keyed by (ad_id,
-- impression_id). ${name} placeholders are filled by AttributionSql, every value checked before substitution.

-- The event time is the event's own event_timestamp (ISO-8601 text with a Z, read as TIMESTAMP_LTZ). A record
-- whose timestamp is missing keeps a 1970 row time here (a row time may not be NULL) and is dropped by the
-- valid_* views; a record that is not JSON, or whose timestamp or numbers do not parse, is skipped by the
-- format (json.ignore-parse-errors), as adlake quarantines it. Watermark: bounded out-of-orderness, the
-- delay adlake's attribution uses on both sides (adlake.attribution.impression-watermark / click-watermark).
CREATE TEMPORARY TABLE impressions (
  impression_id STRING,
  ad_id STRING,
  campaign_id STRING,
  publisher_id STRING,
  event_timestamp TIMESTAMP_LTZ(3),
  device_type INT,
  geo_location STRING,
  platform STRING,
  bid_price DOUBLE,
  impression_time AS COALESCE(event_timestamp, TO_TIMESTAMP_LTZ(0, 3)),
  WATERMARK FOR impression_time AS impression_time - INTERVAL '${watermark_delay}' DAY TO SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${impressions_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = '${group_id}',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.fail-on-missing-field' = 'false',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY TABLE clicks (
  click_id STRING,
  impression_id STRING,
  ad_id STRING,
  campaign_id STRING,
  event_timestamp TIMESTAMP_LTZ(3),
  click_price DOUBLE,
  click_time AS COALESCE(event_timestamp, TO_TIMESTAMP_LTZ(0, 3)),
  WATERMARK FOR click_time AS click_time - INTERVAL '${watermark_delay}' DAY TO SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${clicks_topic}',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = '${group_id}',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.fail-on-missing-field' = 'false',
  'json.timestamp-format.standard' = 'ISO-8601'
);

-- adlake's required fields (EventType): NULL or empty means the record is unusable.
CREATE TEMPORARY VIEW valid_impressions AS
SELECT *
FROM impressions
WHERE impression_id <> '' AND ad_id <> '' AND campaign_id <> '' AND event_timestamp IS NOT NULL;

CREATE TEMPORARY VIEW valid_clicks AS
SELECT *
FROM clicks
WHERE click_id <> '' AND impression_id <> '' AND ad_id <> '' AND campaign_id <> ''
  AND event_timestamp IS NOT NULL;

-- A click counts for its impression from 30 s before it (device clock skew) to 30 s after (the window): the
-- original design's bounds. Both sides carry row times, so this is an interval join whose state the
-- watermarks bound; it emits a pair as soon as both sides are there.
CREATE TEMPORARY VIEW attributed AS
SELECT
  i.ad_id, i.impression_id, c.click_id, i.campaign_id, i.publisher_id,
  i.impression_time, c.click_time, i.geo_location, i.platform, i.device_type, i.bid_price, c.click_price
FROM valid_impressions i
JOIN valid_clicks c
  ON i.impression_id = c.impression_id
  AND i.ad_id = c.ad_id
  AND c.click_time BETWEEN i.impression_time - INTERVAL '30' SECOND
                       AND i.impression_time + INTERVAL '30' SECOND;

-- First click wins, deterministically: the earliest click_time, ties broken by click_id, so neither arrival
-- order nor re-sent clicks change the row. A later-arriving earlier click updates the key (the Iceberg sink
-- upserts on the table's identifier fields). The rank keeps one row per key for ever (no state TTL): a TTL
-- would let a late re-sent click replace the first one.
INSERT INTO `${catalog}`.`${namespace}`.`${table}`
SELECT
  ad_id, impression_id, click_id, campaign_id, publisher_id,
  impression_time, click_time, geo_location, platform, device_type, bid_price, click_price,
  CASE WHEN bid_price > 50 THEN 'Yes' ELSE 'No' END AS is_premium_ad,
  engagement_duration,
  CASE
    WHEN device_type IN (1, 4) THEN 'Mobile'
    WHEN device_type = 5 THEN 'Tablet'
    WHEN device_type = 2 THEN 'Desktop'
    WHEN device_type IN (3, 7) THEN 'CTV'
    ELSE 'Other'
  END AS platform_category,
  click_price * 1.2 AS click_revenue,
  engagement_duration < 1 AS is_suspected_fraud,
  CURRENT_TIMESTAMP AS processed_time
FROM (
  SELECT *,
    -- The original job's formula: whole epoch seconds of each side, subtracted (so 0.9 s can be 1).
    -- Flink neither CASTs a TIMESTAMP_LTZ to a number nor FLOORs one: the seconds between the two whole
    -- seconds, in the session's time zone, which is UTC.
    CAST(TIMESTAMPDIFF(SECOND,
        FLOOR(CAST(impression_time AS TIMESTAMP(3)) TO SECOND),
        FLOOR(CAST(click_time AS TIMESTAMP(3)) TO SECOND)) AS BIGINT) AS engagement_duration,
    ROW_NUMBER() OVER (PARTITION BY ad_id, impression_id ORDER BY click_time, click_id) AS click_rank
  FROM attributed
)
WHERE click_rank = 1;
