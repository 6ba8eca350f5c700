-- Click-through rate by creative: clicked impressions over impressions.
-- Athena engine v3 / Trino copy of src/main/resources/sql/funnel/3_ctr_by_creative.sql (the same SQL, tables of the Glue database adlake).
WITH clicked AS (
  SELECT DISTINCT impression_id FROM adlake.clicks
)
SELECT
  i.creative_id,
  count(*)                                                        AS impressions,
  count(c.impression_id)                                          AS clicked_impressions,
  round(CAST(count(c.impression_id) AS double) / count(*), 4)     AS ctr
FROM adlake.impressions i
LEFT JOIN clicked c ON c.impression_id = i.impression_id
GROUP BY i.creative_id
ORDER BY impressions DESC, i.creative_id NULLS FIRST
