-- The evidence documents (bukti dukung) a shortlisted entry's unit uploads for its IID indicators:
-- one live file per indicator; a replaced or deleted one keeps its row (marked deleted) for the
-- audit trail, while its bytes are removed.
CREATE TABLE iid_files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    entry_id      INTEGER NOT NULL REFERENCES entries(id),
    indicator_id  INTEGER NOT NULL REFERENCES iid_indicators(id),
    original_name TEXT NOT NULL,
    stored_name   TEXT NOT NULL UNIQUE,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    uploaded_by   INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    deleted_at    TIMESTAMP
);
CREATE INDEX iid_files_entry_idx ON iid_files (entry_id, indicator_id);
