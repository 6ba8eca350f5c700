-- The hour-countries with the most impressions (hourly_impressions_by_geo).
SELECT window_start, device_geo_country, impression_count, round(total_revenue, 4) AS total_revenue,
  round(avg_win_price, 4) AS avg_win_price
FROM ${hourly_impressions_by_geo}
ORDER BY impression_count DESC, window_start NULLS FIRST, device_geo_country NULLS FIRST
