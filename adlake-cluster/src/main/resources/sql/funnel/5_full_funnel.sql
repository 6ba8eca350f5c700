-- The whole funnel in one query: requests → responses → impressions → clicks, with the rate of each step.
WITH counts AS (
  SELECT
    (SELECT count(DISTINCT request_id) FROM ${bid_requests})   AS bid_requests,
    (SELECT count(DISTINCT response_id) FROM ${bid_responses}) AS bid_responses,
    (SELECT count(*) FROM ${impressions})                      AS impressions,
    (SELECT count(*) FROM ${clicks})                           AS clicks
)
SELECT
  bid_requests,
  bid_responses,
  impressions,
  clicks,
  round(CAST(bid_responses AS double) / bid_requests, 4)  AS response_rate,
  round(CAST(impressions AS double) / bid_responses, 4)   AS win_rate,
  round(CAST(clicks AS double) / impressions, 4)          AS ctr,
  round(CAST(clicks AS double) / bid_requests, 6)         AS request_to_click
FROM counts
