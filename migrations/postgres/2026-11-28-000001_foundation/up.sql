-- Foundation: units, users, one-time tokens, login throttling, mail outbox, audit log.
-- Timestamps are UTC written by the application (TIMESTAMP without zone on both engines).
CREATE TABLE units (
    id         SERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    unit_type  TEXT NOT NULL,
    parent_id  INTEGER REFERENCES units(id),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX units_name_key ON units (lower(name));
CREATE INDEX units_parent_idx ON units (parent_id);

CREATE TABLE users (
    id            SERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT,
    role          TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    affiliation   TEXT,
    lang          TEXT NOT NULL DEFAULT 'id',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE INDEX users_unit_idx ON users (unit_id);
CREATE INDEX users_role_idx ON users (role);
CREATE INDEX users_name_idx ON users (name, id);

CREATE TABLE user_tokens (
    id         SERIAL PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id);

CREATE TABLE login_attempts (
    id         SERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    succeeded  BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, created_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at);

CREATE TABLE outbox (
    id              SERIAL PRIMARY KEY,
    to_email        TEXT NOT NULL,
    to_name         TEXT NOT NULL,
    template        TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_status_idx ON outbox (status, id);

CREATE TABLE audit_events (
    id          SERIAL PRIMARY KEY,
    created_at  TIMESTAMP NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    ip          TEXT,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   INTEGER,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_events_created_idx ON audit_events (created_at);
CREATE INDEX audit_events_action_idx ON audit_events (action, created_at);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id);
