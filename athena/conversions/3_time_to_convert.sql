-- Time from the attributed touch to the conversion, in buckets, per attribution type.
-- Athena engine v3 / Trino copy of src/main/resources/sql/conversions/3_time_to_convert.sql (the same SQL, tables of the Glue database adlake).
SELECT
  attribution,
  CASE
    WHEN seconds_to_convert < 60 THEN '1: under 1 min'
    WHEN seconds_to_convert < 600 THEN '2: 1-10 min'
    WHEN seconds_to_convert < 3600 THEN '3: 10-60 min'
    WHEN seconds_to_convert <= 3600 THEN '4: exactly 1 h'
    WHEN seconds_to_convert < 21600 THEN '5: 1-6 h'
    ELSE '6: 6-24 h'
  END                                                                       AS time_to_convert,
  count(*)                                                                  AS conversions,
  round(sum(value_usd), 2)                                                  AS value_usd
FROM adlake.attributed_conversions
WHERE attribution <> 'unattributed'
GROUP BY 1, 2
ORDER BY attribution, time_to_convert
