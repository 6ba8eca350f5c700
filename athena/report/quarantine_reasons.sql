-- Quarantined records by stream and reason, with one example each.
-- Athena engine v3 / Trino copy of src/main/resources/sql/report/quarantine_reasons.sql (the same SQL, tables of the Glue database adlake).
SELECT
  event_type,
  reason,
  count(*)                                           AS records,
  substr(min(coalesce(raw_text, raw_base64)), 1, 60) AS example
FROM adlake.quarantine
GROUP BY event_type, reason
ORDER BY event_type NULLS FIRST, records DESC, reason NULLS FIRST
