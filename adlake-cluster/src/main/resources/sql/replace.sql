-- Makes the rows the table holds for some owners (conversions) equal to their recomputed rows.
-- ${prune} bounds the target's event time to the owners' range: only predicates in ON prune files.
-- A source row marked _gone deletes its table row; an unchanged row is left alone (no delete file).
MERGE INTO ${target} t
USING ${source} s
ON ${key_match}${prune}
WHEN MATCHED AND s._gone THEN DELETE
WHEN MATCHED AND NOT s._gone AND (${changed}) THEN UPDATE SET ${update_set}
WHEN NOT MATCHED AND NOT s._gone${insert_when} THEN INSERT (${columns}) VALUES (${values})
