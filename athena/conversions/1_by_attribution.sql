-- Conversions by attribution type: how many, their share, their value and how long they took.
-- Athena engine v3 / Trino copy of src/main/resources/sql/conversions/1_by_attribution.sql (the same SQL, tables of the Glue database adlake).
SELECT
  attribution,
  count(*)                                                                  AS conversions,
  round(CAST(count(*) AS double) * 100 / sum(count(*)) OVER (), 2)         AS share_pct,
  round(sum(value_usd), 2)                                                  AS value_usd,
  round(avg(seconds_to_convert) / 60, 1)                                    AS avg_minutes_to_convert
FROM adlake.attributed_conversions
GROUP BY attribution
ORDER BY conversions DESC, attribution
