-- Click-through rate by creative: clicked impressions over impressions.
WITH clicked AS (
  SELECT DISTINCT impression_id FROM ${clicks}
)
SELECT
  i.creative_id,
  count(*)                                                        AS impressions,
  count(c.impression_id)                                          AS clicked_impressions,
  round(CAST(count(c.impression_id) AS double) / count(*), 4)     AS ctr
FROM ${impressions} i
LEFT JOIN clicked c ON c.impression_id = i.impression_id
GROUP BY i.creative_id
ORDER BY impressions DESC, i.creative_id NULLS FIRST
