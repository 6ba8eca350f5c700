-- Upsert of one micro-batch. ${prune} bounds the target to the batch's event-time range and groups:
-- only predicates in ON let Iceberg skip files, so the MERGE costs what the batch touches.
MERGE INTO ${target} t
USING ${batch} s
ON ${key_match}${prune}
WHEN MATCHED AND (${replace_when}) THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *
