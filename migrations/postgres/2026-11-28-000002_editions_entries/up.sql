-- Editions (one competition year) with their timeline, rules and lists; entries and their history.
ALTER TABLE users ADD COLUMN is_endorser BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE editions (
    id                     SERIAL PRIMARY KEY,
    name                   TEXT NOT NULL,
    year                   INTEGER NOT NULL,
    registration_opens_at  TIMESTAMP NOT NULL,
    registration_closes_at TIMESTAMP NOT NULL,
    screening_closes_at    TIMESTAMP NOT NULL,
    results_at             TIMESTAMP,
    min_narrative_words    INTEGER NOT NULL DEFAULT 300,
    max_entries_per_unit   INTEGER NOT NULL DEFAULT 5,
    max_file_mb            INTEGER NOT NULL DEFAULT 5,
    required_fields        TEXT NOT NULL,
    reminder_days          TEXT NOT NULL DEFAULT '7,3,1',
    copied_from_id         INTEGER REFERENCES editions(id),
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);

-- Choice lists of the entry form (stage, initiator, type, form, theme, urusan), editable per edition.
CREATE TABLE edition_options (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    list       TEXT NOT NULL,
    code       TEXT NOT NULL,
    label_id   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    position   INTEGER NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX edition_options_key ON edition_options (edition_id, list, code);

CREATE TABLE categories (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    name_id    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL
);
CREATE INDEX categories_edition_idx ON categories (edition_id);

-- Award groups, and the unit types that compete in each (comma-separated type codes).
CREATE TABLE award_groups (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    name_id    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    unit_types TEXT NOT NULL,
    position   INTEGER NOT NULL
);
CREATE INDEX award_groups_edition_idx ON award_groups (edition_id);

-- Evidence documents asked for; `accepts` is a comma list of `pdf`, `image`.
CREATE TABLE evidence_kinds (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    name_id    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    mandatory  BOOLEAN NOT NULL DEFAULT FALSE,
    accepts    TEXT NOT NULL,
    position   INTEGER NOT NULL
);
CREATE INDEX evidence_kinds_edition_idx ON evidence_kinds (edition_id);

-- The administrative checklist of an edition.
CREATE TABLE check_items (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    label_id   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    position   INTEGER NOT NULL
);
CREATE INDEX check_items_edition_idx ON check_items (edition_id);

-- A later registration deadline for one unit.
CREATE TABLE unit_extensions (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    closes_at  TIMESTAMP NOT NULL,
    reason     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX unit_extensions_key ON unit_extensions (edition_id, unit_id);

CREATE TABLE entries (
    id                  SERIAL PRIMARY KEY,
    edition_id          INTEGER NOT NULL REFERENCES editions(id),
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    category_id         INTEGER REFERENCES categories(id),
    previous_entry_id   INTEGER REFERENCES entries(id),
    name                TEXT NOT NULL,
    stage               TEXT NOT NULL,
    initiator           TEXT NOT NULL,
    inno_type           TEXT NOT NULL,
    inno_form           TEXT NOT NULL,
    theme               TEXT NOT NULL,
    urusan              TEXT NOT NULL,
    trial_date          DATE,
    implementation_date DATE,
    narrative           TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    benefits            TEXT NOT NULL,
    results             TEXT NOT NULL,
    video_url           TEXT NOT NULL,
    contact_name        TEXT NOT NULL,
    contact_phone       TEXT NOT NULL,
    status              TEXT NOT NULL,
    lock_version        INTEGER NOT NULL DEFAULT 0,
    created_by          INTEGER REFERENCES users(id),
    updated_by          INTEGER REFERENCES users(id),
    submitted_at        TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
-- Covers the organisers' list (filter, sort, count) without reading the wide rows with their narratives.
CREATE INDEX entries_list_idx ON entries (edition_id, status, name, id, unit_id, category_id, stage, submitted_at, updated_at);
-- Also covering: SQLite may drive the list from the (small) units table through this index.
CREATE INDEX entries_unit_idx ON entries (unit_id, edition_id, status, name, id, category_id, stage, submitted_at, updated_at);
CREATE INDEX entries_name_idx ON entries (edition_id, name, id, status);

-- Evidence files: stored under random names outside the web root; deleting keeps the row for history.
CREATE TABLE entry_files (
    id               SERIAL PRIMARY KEY,
    entry_id         INTEGER NOT NULL REFERENCES entries(id),
    evidence_kind_id INTEGER NOT NULL REFERENCES evidence_kinds(id),
    original_name    TEXT NOT NULL,
    stored_name      TEXT NOT NULL UNIQUE,
    content_type     TEXT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    uploaded_by      INTEGER REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL,
    deleted_at       TIMESTAMP
);
CREATE INDEX entry_files_entry_idx ON entry_files (entry_id);

-- Every state change of an entry, with who and why (reasons of a return are in check_results).
CREATE TABLE entry_events (
    id          SERIAL PRIMARY KEY,
    entry_id    INTEGER NOT NULL REFERENCES entries(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    note        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX entry_events_entry_idx ON entry_events (entry_id);

CREATE TABLE check_results (
    id             SERIAL PRIMARY KEY,
    entry_event_id INTEGER NOT NULL REFERENCES entry_events(id),
    item_code      TEXT NOT NULL,
    passed         BOOLEAN NOT NULL,
    reason         TEXT NOT NULL
);
CREATE INDEX check_results_event_idx ON check_results (entry_event_id);

-- Edition-wide mail sent once (the open call, each reminder to each unit): the key makes it once.
CREATE TABLE edition_mailings (
    id         SERIAL PRIMARY KEY,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    mail_key   TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
