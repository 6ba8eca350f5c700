-- Attribution at a glance: rows, premium share, suspected fraud, revenue.
SELECT
  count(*)                                                                  AS rows_attributed,
  round(100.0 * avg(CASE WHEN is_premium_ad = 'Yes' THEN 1 ELSE 0 END), 2)  AS premium_pct,
  sum(CASE WHEN is_suspected_fraud THEN 1 ELSE 0 END)                       AS suspected_fraud,
  round(sum(click_revenue), 2)                                              AS click_revenue_usd,
  round(avg(engagement_duration), 2)                                        AS avg_engagement_s,
  min(impression_time)                                                      AS first_impression,
  max(impression_time)                                                      AS last_impression
FROM ${table}
