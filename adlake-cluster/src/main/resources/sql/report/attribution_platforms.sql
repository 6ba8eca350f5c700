-- Attributed clicks by platform category (from the OpenRTB devicetype). The share is computed in double: in
-- Trino and Athena, 100.0 * n / total keeps the decimal scale of 100.0 and would round it to 41.2 (not 41.18).
WITH total AS (SELECT count(*) AS n FROM ${table})
SELECT
  platform_category,
  count(*)                                   AS clicks,
  round(100 * CAST(count(*) AS double) / max(total.n), 2) AS pct,
  round(sum(click_revenue), 2)               AS click_revenue_usd
FROM ${table} CROSS JOIN total
GROUP BY platform_category
ORDER BY clicks DESC, platform_category NULLS FIRST
