-- Rows in each bronze table and in the enriched requests.
-- The position column orders the rows: a UNION ALL alone has no order (Trino's differs from Spark's).
SELECT table_name, row_count FROM (
  SELECT 1 AS position, 'bid_requests' AS table_name, count(*) AS row_count FROM ${bid_requests}
  UNION ALL SELECT 2, 'bid_responses', count(*) FROM ${bid_responses}
  UNION ALL SELECT 3, 'impressions', count(*) FROM ${impressions}
  UNION ALL SELECT 4, 'clicks', count(*) FROM ${clicks}
  UNION ALL SELECT 5, 'bid_requests_enriched', count(*) FROM ${bid_requests_enriched}
  UNION ALL SELECT 6, 'quarantine', count(*) FROM ${quarantine}
) AS counts
ORDER BY position
