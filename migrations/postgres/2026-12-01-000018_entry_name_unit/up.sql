-- The entry list walks this index in name order. Without SQLite's sampled statistics (which made
-- statements re-prepare on every run), the planner takes it for a search too, and each entry's
-- whole row (its long narrative) was read only to find its unit: a search with a unit type took
-- 5 ms. With the unit in the index the row is read for the 50 shown entries only (1 ms).
DROP INDEX entries_name_idx;
CREATE INDEX entries_name_idx ON entries (edition_id, name, id, status, unit_id);
