-- Server-side sessions: logging out ends the session for good (a copied cookie is then worthless),
-- and users see their devices and can end the others.
CREATE TABLE user_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    user_agent   TEXT NOT NULL,
    ip           TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id, ended_at);
