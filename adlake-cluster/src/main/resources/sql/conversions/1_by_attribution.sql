-- Conversions by attribution type: how many, their share, their value and how long they took.
SELECT
  attribution,
  count(*)                                                                  AS conversions,
  round(CAST(count(*) AS double) * 100 / sum(count(*)) OVER (), 2)         AS share_pct,
  round(sum(value_usd), 2)                                                  AS value_usd,
  round(avg(seconds_to_convert) / 60, 1)                                    AS avg_minutes_to_convert
FROM ${attributed_conversions}
GROUP BY attribution
ORDER BY conversions DESC, attribution
