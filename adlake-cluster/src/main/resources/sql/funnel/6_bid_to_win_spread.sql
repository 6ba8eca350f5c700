-- Average bid-to-win spread per bidder: how much above the clearing price winners bid (CPM, USD).
SELECT
  bidder_id,
  count(*)                                                       AS wins,
  round(avg(bid_price - win_price), 4)                           AS avg_spread_cpm,
  round(avg((bid_price - win_price) / bid_price), 4)             AS avg_spread_share
FROM ${impressions}
WHERE bid_price > 0 AND win_price IS NOT NULL
GROUP BY bidder_id
ORDER BY avg_spread_cpm DESC, bidder_id NULLS FIRST
