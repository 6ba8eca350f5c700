-- CVR, CPA and ROAS per campaign over all windows of campaign_metrics_5m: clicks and spend where they
-- happened, conversions in the window of the conversion. NULL where the denominator is 0.
SELECT
  campaign_id,
  sum(clicks)                                                               AS clicks,
  sum(conversions)                                                          AS conversions,
  round(sum(spend), 2)                                                      AS spend_usd,
  round(sum(conversion_value_usd), 2)                                       AS conversion_value_usd,
  round(CAST(sum(conversions) AS double) / nullif(sum(clicks), 0), 4)       AS cvr,
  round(sum(spend) / nullif(sum(conversions), 0), 2)                        AS cpa_usd,
  round(sum(conversion_value_usd) / nullif(sum(spend), 0), 2)               AS roas
FROM ${campaign_metrics_5m}
GROUP BY campaign_id
ORDER BY conversions DESC, campaign_id
LIMIT 10
