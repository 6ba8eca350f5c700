-- The whole funnel in one query: requests → responses → impressions → clicks, with the rate of each step.
-- nullif: with no rows yet a rate is NULL; Spark 4's default ANSI mode would fail a division by zero instead.
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
  round(CAST(bid_responses AS double) / nullif(bid_requests, 0), 4)  AS response_rate,
  round(CAST(impressions AS double) / nullif(bid_responses, 0), 4)   AS win_rate,
  round(CAST(clicks AS double) / nullif(impressions, 0), 4)          AS ctr,
  round(CAST(clicks AS double) / nullif(bid_requests, 0), 6)         AS request_to_click
FROM counts
