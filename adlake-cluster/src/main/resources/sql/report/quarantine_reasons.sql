-- Quarantined records by stream and reason, with one example each.
SELECT
  event_type,
  reason,
  count(*)                                           AS records,
  substr(min(coalesce(raw_text, raw_base64)), 1, 60) AS example
FROM ${quarantine}
GROUP BY event_type, reason
ORDER BY event_type NULLS FIRST, records DESC, reason NULLS FIRST
