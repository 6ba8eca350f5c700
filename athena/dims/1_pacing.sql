-- Pacing: per campaign and UTC day, the spend so far (campaign_metrics_5m) against the campaign's daily budget
-- (campaigns), beside the share of the day the metrics have reached; over_budget when the spend exceeds the budget.
-- Athena engine v3 / Trino copy of src/main/resources/sql/dims/1_pacing.sql (the same SQL, tables of the Glue database adlake).
SELECT
  m.campaign_id,
  c.campaign_name,
  m.day_start,
  round(m.spend, 2)                                                              AS spend_usd,
  c.daily_budget_usd,
  round(m.spend / nullif(c.daily_budget_usd, 0), 4)                              AS budget_share_spent,
  round(least(CAST(1 AS double), CAST(m.last_minute + 5 AS double) / 1440), 4)   AS day_share_elapsed,
  CASE WHEN m.spend > c.daily_budget_usd THEN 'yes' ELSE 'no' END                AS over_budget
FROM (
  SELECT
    campaign_id,
    date_trunc('day', window_start)                        AS day_start,
    sum(spend)                                             AS spend,
    max(hour(window_start) * 60 + minute(window_start))    AS last_minute
  FROM adlake.campaign_metrics_5m
  GROUP BY campaign_id, date_trunc('day', window_start)
) m
LEFT JOIN adlake.campaigns c ON c.campaign_id = m.campaign_id
ORDER BY m.day_start DESC, budget_share_spent DESC NULLS LAST, m.campaign_id
LIMIT 50
