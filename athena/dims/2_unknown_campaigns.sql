-- Attributed clicks whose campaign the campaigns table did not know when their micro-batch ran (names NULL), per
-- campaign, and whether it is known now (rows written before a dims load keep their NULL names).
-- Athena engine v3 / Trino copy of src/main/resources/sql/dims/2_unknown_campaigns.sql (the same SQL, tables of the Glue database adlake).
SELECT
  e.campaign_id,
  count(*)                                                     AS attributed_clicks,
  min(e.impression_time)                                       AS first_impression,
  max(e.impression_time)                                       AS last_impression,
  CASE WHEN max(c.campaign_id) IS NULL THEN 'no' ELSE 'yes' END AS known_now
FROM adlake.enriched_ad_data e
LEFT JOIN adlake.campaigns c ON c.campaign_id = e.campaign_id
WHERE e.campaign_name IS NULL
GROUP BY e.campaign_id
ORDER BY attributed_clicks DESC, e.campaign_id
LIMIT 50
