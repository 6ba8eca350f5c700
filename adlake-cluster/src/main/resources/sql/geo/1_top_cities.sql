-- Top cities by bid requests: where the City database of adlake.enrichment.geoip.path places each request's
-- device IP (geo_*), beside the country the request itself stated (device_geo_country).
SELECT
  geo_city,
  geo_region,
  device_geo_country,
  count(*)                                                           AS requests,
  round(CAST(count(*) AS double)
        / (SELECT count(geo_city) FROM ${bid_requests_enriched}), 4)             AS share_of_located,
  round(avg(floor_usd), 4)                                           AS avg_floor_usd,
  min(geo_timezone)                                                  AS geo_timezone
FROM ${bid_requests_enriched}
WHERE geo_city IS NOT NULL
GROUP BY geo_city, geo_region, device_geo_country
ORDER BY requests DESC, geo_city, geo_region NULLS LAST, device_geo_country NULLS LAST
LIMIT 20
