-- Upsert of one micro-batch. ${prune} bounds the target to the batch's event-time range and groups:
-- only predicates in ON let Iceberg skip files, so the MERGE costs what the batch touches.
-- ${update_set} and ${insert} are `*`, or the columns a writer owns when two jobs keep one table.
MERGE INTO ${target} t
USING ${batch} s
ON ${key_match}${prune}
WHEN MATCHED AND (${replace_when}) THEN UPDATE SET ${update_set}
WHEN NOT MATCHED THEN INSERT ${insert}
