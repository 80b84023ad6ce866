-- Orders the entry list asks for, walked from an index instead of sorting the edition's entries:
-- by unit (the units in name order, each unit's entries from entries_unit_idx; the deepest page
-- took 3.9 ms, now 1.1 ms) and the newest submissions of one status (0.59 ms, now 0.05 ms).
CREATE INDEX units_name_order ON units (name, id);
CREATE INDEX entries_submitted_order ON entries (edition_id, status, submitted_at, id, unit_id);
