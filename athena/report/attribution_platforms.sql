-- Attributed clicks by platform category (from the OpenRTB devicetype).
-- Athena engine v3 / Trino copy of src/main/resources/sql/report/attribution_platforms.sql (the same SQL, tables of the Glue database adlake).
WITH total AS (SELECT count(*) AS n FROM adlake.enriched_ad_data)
SELECT
  platform_category,
  count(*)                                   AS clicks,
  round(100 * CAST(count(*) AS double) / max(total.n), 2) AS pct,
  round(sum(click_revenue), 2)               AS click_revenue_usd
FROM adlake.enriched_ad_data CROSS JOIN total
GROUP BY platform_category
ORDER BY clicks DESC, platform_category NULLS FIRST
