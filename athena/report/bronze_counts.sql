-- Rows in each bronze table and in the enriched requests.
-- Athena engine v3 / Trino dialect of src/main/resources/sql/report/bronze_counts.sql.
SELECT 'bid_requests' AS table_name, count(*) AS row_count FROM adlake.bid_requests
UNION ALL SELECT 'bid_responses', count(*) FROM adlake.bid_responses
UNION ALL SELECT 'impressions', count(*) FROM adlake.impressions
UNION ALL SELECT 'clicks', count(*) FROM adlake.clicks
UNION ALL SELECT 'bid_requests_enriched', count(*) FROM adlake.bid_requests_enriched
UNION ALL SELECT 'quarantine', count(*) FROM adlake.quarantine
