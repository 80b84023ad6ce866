-- Promotion of a round's entries into the next round: the rule (top N overall, top N per category,
-- or everyone at or above a score), who applied it and when, and the ranking it was applied to (every
-- entry of the round with its position, score and whether it went through). One live promotion per
-- round; undoing keeps the row with the reason.
CREATE TABLE promotions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id      INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    next_round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    rule          TEXT NOT NULL,
    rule_value    INTEGER NOT NULL,
    ranking       TEXT NOT NULL,
    promoted      INTEGER NOT NULL,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    undone_at     TIMESTAMP,
    undone_by     INTEGER REFERENCES users(id),
    undo_reason   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX promotions_live ON promotions (round_id) WHERE undone_at IS NULL;

CREATE TABLE promotion_entries (
    promotion_id INTEGER NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
    entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    position     INTEGER,
    score_bp     INTEGER,
    promoted     BOOLEAN NOT NULL,
    PRIMARY KEY (promotion_id, entry_id)
);
