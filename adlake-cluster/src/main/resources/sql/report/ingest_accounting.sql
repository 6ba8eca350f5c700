-- Where every record read went, per stream: bronze, quarantine, or dropped as a re-sent duplicate.
SELECT
  stream,
  sum(records_read)                                          AS records_read,
  sum(bronze_records)                                        AS bronze_records,
  sum(bronze_rows)                                           AS bronze_rows,
  sum(quarantined)                                           AS quarantined,
  sum(duplicates_dropped)                                    AS duplicates_dropped,
  sum(records_read) - sum(bronze_records) - sum(quarantined) - sum(duplicates_dropped) AS unaccounted,
  sum(filtered)                                              AS filtered_from_enriched,
  sum(enriched_rows)                                         AS enriched_rows,
  sum(geo_unresolved)                                        AS enriched_without_geography,
  count(*)                                                   AS batches
FROM ${metrics}
GROUP BY stream
ORDER BY stream NULLS FIRST
