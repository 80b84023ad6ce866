-- The final standing and the awards are kept per process under a fingerprint of what they are
-- computed from. It asked for the newest `updated_at` of the edition's rounds and entries and of
-- the units; but each instance writes `updated_at` from its own clock, so a row changed by one
-- whose clock runs behind another's could get a time under the newest, and the kept copy would
-- outlive the change. A counter moved in the same transaction as every change that the results
-- read (a round changed, an entry's name, category or unit, a unit's name or type; entries and
-- rounds made or removed) has no clock to disagree with. An autosave that changes none of these
-- leaves it alone.
CREATE TABLE results_stamps (
    edition_id INTEGER PRIMARY KEY NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL
);
INSERT INTO results_stamps (edition_id, n) SELECT id, 1 FROM editions;

CREATE TRIGGER results_stamps_edition AFTER INSERT ON editions
BEGIN
    INSERT INTO results_stamps (edition_id, n) VALUES (NEW.id, 1)
        ON CONFLICT (edition_id) DO NOTHING;
END;

CREATE TRIGGER results_stamps_round_insert AFTER INSERT ON rounds
BEGIN
    INSERT INTO results_stamps (edition_id, n) VALUES (NEW.edition_id, 1)
        ON CONFLICT (edition_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER results_stamps_round_update AFTER UPDATE ON rounds
BEGIN
    INSERT INTO results_stamps (edition_id, n) VALUES (NEW.edition_id, 1)
        ON CONFLICT (edition_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER results_stamps_round_delete AFTER DELETE ON rounds
BEGIN
    UPDATE results_stamps SET n = n + 1 WHERE edition_id = OLD.edition_id;
END;

CREATE TRIGGER results_stamps_entry_insert AFTER INSERT ON entries
BEGIN
    INSERT INTO results_stamps (edition_id, n) VALUES (NEW.edition_id, 1)
        ON CONFLICT (edition_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER results_stamps_entry_update AFTER UPDATE ON entries
    WHEN OLD.name IS NOT NEW.name OR OLD.category_id IS NOT NEW.category_id
        OR OLD.unit_id IS NOT NEW.unit_id OR OLD.edition_id IS NOT NEW.edition_id
BEGIN
    INSERT INTO results_stamps (edition_id, n) VALUES (NEW.edition_id, 1)
        ON CONFLICT (edition_id) DO UPDATE SET n = n + 1;
    UPDATE results_stamps SET n = n + 1
        WHERE edition_id = OLD.edition_id AND OLD.edition_id IS NOT NEW.edition_id;
END;

CREATE TRIGGER results_stamps_entry_delete AFTER DELETE ON entries
BEGIN
    UPDATE results_stamps SET n = n + 1 WHERE edition_id = OLD.edition_id;
END;

-- Units belong to no edition: a change to one moves every edition's counter (a handful of rows).
CREATE TRIGGER results_stamps_unit_update AFTER UPDATE ON units
    WHEN OLD.name IS NOT NEW.name OR OLD.unit_type IS NOT NEW.unit_type
BEGIN
    UPDATE results_stamps SET n = n + 1;
END;

-- The units' index served only the old fingerprint. The entries' one stays: the entry list
-- sorted by last change walks it.
DROP INDEX units_changed;
