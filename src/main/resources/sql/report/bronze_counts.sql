-- Rows in each bronze table and in the enriched requests.
SELECT 'bid_requests' AS table_name, count(*) AS row_count FROM ${bid_requests}
UNION ALL SELECT 'bid_responses', count(*) FROM ${bid_responses}
UNION ALL SELECT 'impressions', count(*) FROM ${impressions}
UNION ALL SELECT 'clicks', count(*) FROM ${clicks}
UNION ALL SELECT 'bid_requests_enriched', count(*) FROM ${bid_requests_enriched}
UNION ALL SELECT 'quarantine', count(*) FROM ${quarantine}
