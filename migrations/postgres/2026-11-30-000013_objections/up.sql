-- The objection window (masa sanggah) of a published round: until when units may object, and when
-- the organisers declared the list final; each objection with its answer.
ALTER TABLE rounds ADD COLUMN objections_until TIMESTAMP;
ALTER TABLE rounds ADD COLUMN final_at TIMESTAMP;

CREATE TABLE objections (
    id          SERIAL PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    filed_by    INTEGER REFERENCES users(id),
    reason      TEXT NOT NULL,
    filed_at    TIMESTAMP NOT NULL,
    upheld      BOOLEAN,
    answer      TEXT NOT NULL DEFAULT '',
    answered_by INTEGER REFERENCES users(id),
    answered_at TIMESTAMP
);
CREATE INDEX objections_round ON objections (round_id, id);
CREATE UNIQUE INDEX objections_one_per_entry ON objections (round_id, entry_id);
