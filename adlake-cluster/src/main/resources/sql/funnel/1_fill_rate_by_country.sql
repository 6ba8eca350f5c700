-- Fill rate by country: share of bid requests that got at least one bid response.
WITH requests AS (
  SELECT DISTINCT request_id, device_geo_country FROM ${bid_requests}
), answered AS (
  SELECT DISTINCT request_id FROM ${bid_responses}
)
SELECT
  r.device_geo_country                                            AS country,
  count(*)                                                        AS bid_requests,
  count(a.request_id)                                             AS answered,
  round(CAST(count(a.request_id) AS double) / count(*), 4)        AS fill_rate
FROM requests r
LEFT JOIN answered a ON a.request_id = r.request_id
GROUP BY r.device_geo_country
ORDER BY bid_requests DESC, country NULLS FIRST
