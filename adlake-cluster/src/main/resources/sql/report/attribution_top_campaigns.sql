-- The ten campaigns that earned the most click revenue.
SELECT
  campaign_id,
  count(*)                                                  AS clicks,
  round(sum(click_revenue), 2)                              AS click_revenue_usd,
  round(avg(bid_price), 2)                                  AS avg_bid_cpm,
  sum(CASE WHEN is_suspected_fraud THEN 1 ELSE 0 END)       AS suspected_fraud
FROM ${table}
GROUP BY campaign_id
ORDER BY click_revenue_usd DESC, campaign_id NULLS FIRST
LIMIT 10
