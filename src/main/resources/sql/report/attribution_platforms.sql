-- Attributed clicks by platform category (from the OpenRTB devicetype).
WITH total AS (SELECT count(*) AS n FROM ${table})
SELECT
  platform_category,
  count(*)                                   AS clicks,
  round(100.0 * count(*) / max(total.n), 2)  AS pct,
  round(sum(click_revenue), 2)               AS click_revenue_usd
FROM ${table} CROSS JOIN total
GROUP BY platform_category
ORDER BY clicks DESC, platform_category
