-- Awards: the edition states how many places each award has and, for unit awards, how many of a
-- unit's best entries add up to its score.
ALTER TABLE editions ADD COLUMN award_places INTEGER NOT NULL DEFAULT 3;
ALTER TABLE editions ADD COLUMN unit_award_best INTEGER NOT NULL DEFAULT 2;

-- The national index (IID) indicators of an edition: yearly data the organisers can edit, seeded
-- from the catalogue. Each has a weight (1-4), whether it is mandatory, and three level labels.
CREATE TABLE iid_indicators (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    no         INTEGER NOT NULL,
    name       TEXT NOT NULL,
    weight     INTEGER NOT NULL,
    mandatory  BOOLEAN NOT NULL,
    level_1    TEXT NOT NULL,
    level_2    TEXT NOT NULL,
    level_3    TEXT NOT NULL,
    position   INTEGER NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX iid_indicators_edition ON iid_indicators (edition_id, position);
CREATE UNIQUE INDEX iid_indicators_no ON iid_indicators (edition_id, no);

-- The edition's national shortlist: the entries the organisers send on to the IGA/IID reporting.
CREATE TABLE shortlist (
    edition_id  INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    added_by    INTEGER REFERENCES users(id),
    added_at    TIMESTAMP NOT NULL,
    notified_at TIMESTAMP,
    PRIMARY KEY (edition_id, entry_id)
);

-- What a shortlisted unit declares per indicator: the level reached (0 = not yet) and its evidence.
CREATE TABLE iid_answers (
    entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL REFERENCES iid_indicators(id) ON DELETE CASCADE,
    level        INTEGER NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '',
    updated_by   INTEGER REFERENCES users(id),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (entry_id, indicator_id)
);
