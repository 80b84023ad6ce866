-- Moderation of an entry whose judges disagree: the panel's notes on it in a round, every one kept
-- (the newest is the panel's current word), with who wrote it and when.
CREATE TABLE panel_notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id    INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    note        TEXT NOT NULL,
    written_by  INTEGER REFERENCES users(id),
    written_at  TIMESTAMP NOT NULL
);
CREATE INDEX panel_notes_entry ON panel_notes (round_id, entry_id, id);
