-- Rows in each bronze table and in the enriched requests.
-- Athena engine v3 / Trino copy of src/main/resources/sql/report/bronze_counts.sql (the same SQL, tables of the Glue database adlake).
SELECT table_name, row_count FROM (
  SELECT 1 AS position, 'bid_requests' AS table_name, count(*) AS row_count FROM adlake.bid_requests
  UNION ALL SELECT 2, 'bid_responses', count(*) FROM adlake.bid_responses
  UNION ALL SELECT 3, 'impressions', count(*) FROM adlake.impressions
  UNION ALL SELECT 4, 'clicks', count(*) FROM adlake.clicks
  UNION ALL SELECT 5, 'bid_requests_enriched', count(*) FROM adlake.bid_requests_enriched
  UNION ALL SELECT 6, 'quarantine', count(*) FROM adlake.quarantine
) AS counts
ORDER BY position
