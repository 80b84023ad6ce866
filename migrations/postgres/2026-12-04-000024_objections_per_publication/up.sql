-- An objection answers one publication of a round's results. When the publication is withdrawn,
-- its objections are kept as history but no longer stand: the results published again may differ,
-- and the unit may object to them anew.
ALTER TABLE objections ADD COLUMN superseded_at TIMESTAMP;
DROP INDEX objections_one_per_entry;
CREATE UNIQUE INDEX objections_one_per_entry ON objections (round_id, entry_id) WHERE superseded_at IS NULL;
