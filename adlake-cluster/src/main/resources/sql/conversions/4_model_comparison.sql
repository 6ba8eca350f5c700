-- The credit each multi-touch model gives the ten campaigns with the most last-touch conversions, side
-- by side: conversions credited (shares summed) under each model.
WITH top AS (
  SELECT campaign_id
  FROM ${attribution_credits}
  WHERE model = 'last_touch'
  GROUP BY campaign_id
  ORDER BY sum(credit) DESC, campaign_id
  LIMIT 10
)
SELECT
  c.campaign_id,
  round(sum(CASE WHEN c.model = 'last_touch' THEN c.credit ELSE 0 END), 2)     AS last_touch,
  round(sum(CASE WHEN c.model = 'first_touch' THEN c.credit ELSE 0 END), 2)    AS first_touch,
  round(sum(CASE WHEN c.model = 'linear' THEN c.credit ELSE 0 END), 2)         AS linear,
  round(sum(CASE WHEN c.model = 'time_decay' THEN c.credit ELSE 0 END), 2)     AS time_decay,
  round(sum(CASE WHEN c.model = 'position_based' THEN c.credit ELSE 0 END), 2) AS position_based,
  round(sum(CASE WHEN c.model = 'last_touch' THEN c.credited_value_usd ELSE 0 END), 2)
                                                                               AS last_touch_value_usd,
  round(sum(CASE WHEN c.model = 'linear' THEN c.credited_value_usd ELSE 0 END), 2)
                                                                               AS linear_value_usd
FROM ${attribution_credits} c
JOIN top t ON t.campaign_id = c.campaign_id
GROUP BY c.campaign_id
ORDER BY last_touch DESC, c.campaign_id
