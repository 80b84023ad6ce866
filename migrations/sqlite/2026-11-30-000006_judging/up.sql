-- Judging: rubrics (versioned), rounds with their entries, judges and schedule, conflicts of interest,
-- assignments, and score sheets whose every saved version is kept.

-- A rubric is frozen once a submitted sheet uses it: editing it then makes the next version (a new row
-- pointing at the one it replaces) and sheets keep the version they were scored on.
CREATE TABLE rubrics (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    edition_id       INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    previous_id      INTEGER REFERENCES rubrics(id),
    version          INTEGER NOT NULL DEFAULT 1,
    name_id          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    scale_max        INTEGER NOT NULL DEFAULT 5,
    -- The name of every level of the scale, as JSON: [{"id": "Sangat kurang", "en": "Very poor"}, …].
    levels           TEXT NOT NULL,
    source           TEXT NOT NULL,
    superseded_by_id INTEGER REFERENCES rubrics(id),
    created_by       INTEGER REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX rubrics_edition_idx ON rubrics (edition_id);

CREATE TABLE rubric_criteria (
    id             INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    rubric_id      INTEGER NOT NULL REFERENCES rubrics(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    name_id        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_id TEXT NOT NULL,
    description_en TEXT NOT NULL,
    weight         INTEGER NOT NULL,
    counted        BOOLEAN NOT NULL DEFAULT TRUE,
    -- What each level means for this criterion, as JSON: [{"id": …, "en": …}, …], one per level.
    anchors        TEXT NOT NULL
);
CREATE UNIQUE INDEX rubric_criteria_key ON rubric_criteria (rubric_id, code);

-- Rounds in order: desk evaluation, presentation and interview, field check.
CREATE TABLE rounds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    edition_id       INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    name_id          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    rubric_id        INTEGER NOT NULL REFERENCES rubrics(id),
    opens_at         TIMESTAMP NOT NULL,
    closes_at        TIMESTAMP NOT NULL,
    judges_per_entry INTEGER NOT NULL DEFAULT 3,
    max_per_judge    INTEGER NOT NULL DEFAULT 0,
    match_expertise  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX rounds_edition_idx ON rounds (edition_id, position);

-- The entries a round judges, how each came in, and (presentation rounds) its slot.
CREATE TABLE round_entries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id          INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id          INTEGER NOT NULL REFERENCES entries(id),
    source            TEXT NOT NULL,
    added_by          INTEGER REFERENCES users(id),
    added_at          TIMESTAMP NOT NULL,
    slot_at           TIMESTAMP,
    slot_minutes      INTEGER,
    slot_place        TEXT NOT NULL DEFAULT '',
    slot_notified_at  TIMESTAMP
);
CREATE UNIQUE INDEX round_entries_key ON round_entries (round_id, entry_id);
CREATE INDEX round_entries_entry_idx ON round_entries (entry_id);

CREATE TABLE round_judges (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    judge_id INTEGER NOT NULL REFERENCES users(id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, judge_id)
);
CREATE INDEX round_judges_judge_idx ON round_judges (judge_id);

-- The categories a judge knows best (for rounds that match expertise).
CREATE TABLE judge_expertise (
    judge_id    INTEGER NOT NULL REFERENCES users(id),
    category_id INTEGER NOT NULL REFERENCES categories(id),
    PRIMARY KEY (judge_id, category_id)
);

-- A judge's acceptance of the impartiality and confidentiality declaration, once per edition.
CREATE TABLE judge_declarations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    edition_id  INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    judge_id    INTEGER NOT NULL REFERENCES users(id),
    statement   TEXT NOT NULL,
    ip          TEXT NOT NULL,
    accepted_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX judge_declarations_key ON judge_declarations (edition_id, judge_id);

-- Conflicts of interest declared by a judge or set by an organiser (those that follow from the units
-- are computed, not stored).
CREATE TABLE conflicts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    judge_id   INTEGER NOT NULL REFERENCES users(id),
    entry_id   INTEGER NOT NULL REFERENCES entries(id),
    source     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conflicts_key ON conflicts (judge_id, entry_id);
CREATE INDEX conflicts_entry_idx ON conflicts (entry_id);

-- Who judges what in a round. A withdrawn assignment is kept (and its sheet, hidden) with the reason.
CREATE TABLE assignments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id         INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id         INTEGER NOT NULL REFERENCES entries(id),
    judge_id         INTEGER NOT NULL REFERENCES users(id),
    source           TEXT NOT NULL,
    created_by       INTEGER REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL,
    notified_at      TIMESTAMP,
    withdrawn_at     TIMESTAMP,
    withdrawn_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX assignments_key ON assignments (round_id, entry_id, judge_id);
CREATE INDEX assignments_judge_idx ON assignments (judge_id, round_id);

-- One score sheet per assignment. `total_bp` is the weighted total in hundredths (0–10000), kept for
-- lists; the scores themselves are in `sheet_scores`, and every saved state in `sheet_versions`.
CREATE TABLE sheets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    assignment_id   INTEGER NOT NULL REFERENCES assignments(id),
    round_id        INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id        INTEGER NOT NULL REFERENCES entries(id),
    judge_id        INTEGER NOT NULL REFERENCES users(id),
    rubric_id       INTEGER NOT NULL REFERENCES rubrics(id),
    status          TEXT NOT NULL,
    overall_comment TEXT NOT NULL DEFAULT '',
    total_bp        INTEGER,
    lock_version    INTEGER NOT NULL DEFAULT 0,
    submitted_at    TIMESTAMP,
    -- An organiser reopened the sheet after the round closed: the judge may edit until then.
    reopened_until  TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sheets_assignment_key ON sheets (assignment_id);
CREATE INDEX sheets_round_entry_idx ON sheets (round_id, entry_id);
CREATE INDEX sheets_judge_idx ON sheets (judge_id, round_id);

CREATE TABLE sheet_scores (
    sheet_id     INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    criterion_id INTEGER NOT NULL REFERENCES rubric_criteria(id),
    score        INTEGER,
    comment      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sheet_id, criterion_id)
);

-- Every saved state of a sheet: who saved it (a judge, or an organiser entering a paper sheet), why
-- (a reopening), and the whole content as JSON, so history shows what changed between two versions.
CREATE TABLE sheet_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    sheet_id   INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users(id),
    on_paper   BOOLEAN NOT NULL DEFAULT FALSE,
    note       TEXT NOT NULL DEFAULT '',
    content    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sheet_versions_key ON sheet_versions (sheet_id, version);
