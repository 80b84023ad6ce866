DROP INDEX objections_one_per_entry;
DELETE FROM objections WHERE superseded_at IS NOT NULL;
CREATE UNIQUE INDEX objections_one_per_entry ON objections (round_id, entry_id);
ALTER TABLE objections DROP COLUMN superseded_at;
