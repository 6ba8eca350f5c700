-- Revenue by publisher: impression revenue (win prices are CPM, so / 1000 per impression) and click revenue.
-- Summed as decimals, so that every engine rounds the same exact sum (double sums depend on the order of addition).
-- Athena engine v3 / Trino copy of src/main/resources/sql/funnel/4_revenue_by_publisher.sql (the same SQL, tables of the Glue database adlake).
WITH impression_revenue AS (
  SELECT publisher_id, count(*) AS impressions, sum(CAST(win_price AS DECIMAL(20, 6))) * 0.001 AS impression_revenue_usd
  FROM adlake.impressions
  GROUP BY publisher_id
), click_revenue AS (
  SELECT publisher_id, count(*) AS clicks, sum(CAST(click_price AS DECIMAL(20, 6))) AS click_revenue_usd
  FROM adlake.clicks
  GROUP BY publisher_id
)
SELECT
  coalesce(i.publisher_id, c.publisher_id)                                      AS publisher_id,
  coalesce(i.impressions, 0)                                                    AS impressions,
  coalesce(c.clicks, 0)                                                         AS clicks,
  CAST(round(coalesce(i.impression_revenue_usd, 0), 4) AS double)               AS impression_revenue_usd,
  CAST(round(coalesce(c.click_revenue_usd, 0), 4) AS double)                    AS click_revenue_usd,
  CAST(round(coalesce(i.impression_revenue_usd, 0) + coalesce(c.click_revenue_usd, 0), 4) AS double) AS total_revenue_usd
FROM impression_revenue i
FULL OUTER JOIN click_revenue c ON c.publisher_id = i.publisher_id
ORDER BY total_revenue_usd DESC, publisher_id NULLS FIRST
