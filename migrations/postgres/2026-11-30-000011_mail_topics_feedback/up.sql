-- Mail that follows a decision: each outbox row may name the decision it reports (its topic, e.g.
-- `results:round:7:unit:12`), so when the decision changes before the mail has gone out the queued
-- mail is withdrawn (status `withdrawn`) instead of telling a unit something no longer true.
ALTER TABLE outbox ADD COLUMN topic TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_topic_idx ON outbox (topic, status);

-- Each entry's mean score per counted criterion, kept when a round's results are frozen (hundredths
-- of a point on the round's scale), so a unit's feedback report finds its percentile per criterion
-- by two index counts instead of re-reading every sheet of the round.
CREATE TABLE round_result_criteria (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    mean_bp  INTEGER NOT NULL,
    PRIMARY KEY (round_id, entry_id, code)
);
CREATE INDEX round_result_criteria_rank ON round_result_criteria (round_id, code, mean_bp);
