-- A round's results move open → frozen → signed off → published. Freezing stops every edit of the
-- round's sheets and keeps the ranking as it stood (round_results), so what is reviewed, signed off
-- and published is exactly the same list; unfreezing (before publication) or unpublishing needs a
-- reason and is audited.
ALTER TABLE rounds ADD COLUMN frozen_at TIMESTAMP;
ALTER TABLE rounds ADD COLUMN frozen_by INTEGER REFERENCES users(id);
ALTER TABLE rounds ADD COLUMN signed_off_at TIMESTAMP;
ALTER TABLE rounds ADD COLUMN signed_off_by INTEGER REFERENCES users(id);
ALTER TABLE rounds ADD COLUMN sign_off_note TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN published_at TIMESTAMP;
ALTER TABLE rounds ADD COLUMN published_by INTEGER REFERENCES users(id);

-- The ranking of a frozen round, one row per entry of the round. Scores in hundredths; position is
-- the rank under the round's chosen score (NULL without a submitted sheet); listed is the order the
-- list shows (the ranked first, then the unscored), so a page is read straight from the index; tie
-- is the tie-break against the entry above as JSON ('' when none).
CREATE TABLE round_results (
    round_id        INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    position        INTEGER,
    listed          INTEGER NOT NULL,
    sheets          INTEGER NOT NULL,
    mean_bp         INTEGER,
    median_bp       INTEGER,
    normalised_bp   INTEGER,
    rank_mean       INTEGER,
    rank_median     INTEGER,
    rank_normalised INTEGER,
    sd_bp           INTEGER NOT NULL,
    range_bp        INTEGER NOT NULL,
    flagged         BOOLEAN NOT NULL,
    tie             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, entry_id)
);
CREATE INDEX round_results_listed ON round_results (round_id, listed);
