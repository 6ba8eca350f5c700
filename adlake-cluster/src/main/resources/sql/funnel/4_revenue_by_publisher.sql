-- Revenue by publisher: impression revenue (win prices are CPM, so / 1000 per impression) and click revenue.
WITH impression_revenue AS (
  SELECT publisher_id, count(*) AS impressions, sum(win_price) / 1000 AS impression_revenue_usd
  FROM ${impressions}
  GROUP BY publisher_id
), click_revenue AS (
  SELECT publisher_id, count(*) AS clicks, sum(click_price) AS click_revenue_usd
  FROM ${clicks}
  GROUP BY publisher_id
)
SELECT
  coalesce(i.publisher_id, c.publisher_id)                                      AS publisher_id,
  coalesce(i.impressions, 0)                                                    AS impressions,
  coalesce(c.clicks, 0)                                                         AS clicks,
  round(coalesce(i.impression_revenue_usd, 0), 4)                               AS impression_revenue_usd,
  round(coalesce(c.click_revenue_usd, 0), 4)                                    AS click_revenue_usd,
  round(coalesce(i.impression_revenue_usd, 0) + coalesce(c.click_revenue_usd, 0), 4) AS total_revenue_usd
FROM impression_revenue i
FULL OUTER JOIN click_revenue c ON c.publisher_id = i.publisher_id
ORDER BY total_revenue_usd DESC, publisher_id NULLS FIRST
