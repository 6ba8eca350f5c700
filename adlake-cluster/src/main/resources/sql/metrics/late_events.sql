-- Events that arrived behind a metrics query's watermark: Spark drops them from the window, adlake counts
-- them here per table (late_events), so none is lost silently. The events themselves stay in bronze.
SELECT
  table_name,
  sum(late_rows)     AS late_rows,
  count(*)           AS batches_with_late_rows,
  max(batch_time)    AS last_seen
FROM ${late_events}
GROUP BY table_name
ORDER BY table_name NULLS FIRST
