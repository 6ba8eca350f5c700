-- The hourly funnel summed over all hours, per publisher: each response, impression and click counted
-- with the request it descends from (hourly_funnel_by_publisher).
SELECT
  publisher_id,
  sum(bid_requests)                                                         AS bid_requests,
  sum(bid_responses)                                                        AS bid_responses,
  sum(impressions)                                                          AS impressions,
  sum(clicks)                                                               AS clicks,
  round(CAST(sum(bid_responses) AS double) / nullif(sum(bid_requests), 0), 4) AS fill_rate,
  round(CAST(sum(impressions) AS double) / nullif(sum(bid_responses), 0), 4)  AS win_rate,
  round(CAST(sum(clicks) AS double) / nullif(sum(impressions), 0), 4)         AS ctr,
  count(*)                                                                  AS hours
FROM ${hourly_funnel_by_publisher}
GROUP BY publisher_id
ORDER BY bid_requests DESC, publisher_id NULLS FIRST
