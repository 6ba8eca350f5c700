-- Win rate by bidder: share of a bidder's responses that became an impression.
WITH responses AS (
  SELECT DISTINCT response_id, bidder_id FROM ${bid_responses}
), wins AS (
  SELECT DISTINCT response_id FROM ${impressions}
)
SELECT
  r.bidder_id,
  count(*)                                                        AS bid_responses,
  count(w.response_id)                                            AS wins,
  round(CAST(count(w.response_id) AS double) / count(*), 4)       AS win_rate
FROM responses r
LEFT JOIN wins w ON w.response_id = r.response_id
GROUP BY r.bidder_id
ORDER BY bid_responses DESC, r.bidder_id NULLS FIRST
