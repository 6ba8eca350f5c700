-- How much of the traffic the City database places, per country the requests stated: requests with a city, with
-- only a time zone or coordinates (a network known to its country), and with no geography at all (reserved or
-- unknown addresses, or geography off).
-- Athena engine v3 / Trino copy of src/main/resources/sql/geo/2_coverage.sql (the same SQL, tables of the Glue database adlake).
SELECT
  device_geo_country,
  count(*)                                                                     AS requests,
  count(geo_city)                                                              AS with_city,
  count(geo_latitude) - count(geo_city)                                        AS located_without_city,
  count(*) - count(geo_latitude)                                               AS without_geography,
  round(CAST(count(geo_city) AS double) / count(*), 4)                         AS city_share,
  count(DISTINCT geo_city)                                                     AS cities
FROM adlake.bid_requests_enriched
GROUP BY device_geo_country
ORDER BY requests DESC, device_geo_country NULLS LAST
