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

CREATE FUNCTION results_stamps_bump(e INTEGER) RETURNS void AS $$
    INSERT INTO results_stamps (edition_id, n) VALUES (e, 1)
        ON CONFLICT (edition_id) DO UPDATE SET n = results_stamps.n + 1;
$$ LANGUAGE sql;

CREATE FUNCTION results_stamps_changed() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'editions' THEN
        INSERT INTO results_stamps (edition_id, n) VALUES (NEW.id, 1)
            ON CONFLICT (edition_id) DO NOTHING;
    ELSIF TG_TABLE_NAME = 'units' THEN
        -- Units belong to no edition: a change to one moves every edition's counter (a handful
        -- of rows), locked in key order so that two such commits cannot deadlock on them.
        UPDATE results_stamps SET n = n + 1
            WHERE edition_id IN (SELECT edition_id FROM results_stamps ORDER BY edition_id FOR UPDATE);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE results_stamps SET n = n + 1 WHERE edition_id = OLD.edition_id;
    ELSE
        PERFORM results_stamps_bump(NEW.edition_id);
        IF TG_OP = 'UPDATE' AND OLD.edition_id <> NEW.edition_id THEN
            UPDATE results_stamps SET n = n + 1 WHERE edition_id = OLD.edition_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Deferred to commit: the counter's row is then the last lock a transaction takes, so autosaves
-- and submissions of one edition queue for it only while committing and never hold it while they
-- wait for another lock (no deadlock with the entry counts' rows or anything else). A later
-- migration that changes rows of `entries`, `rounds` or `units` and then alters that table must
-- `SET CONSTRAINTS ALL IMMEDIATE` in between (PostgreSQL refuses to alter a table with pending
-- trigger events).
CREATE TRIGGER results_stamps_edition AFTER INSERT ON editions
    FOR EACH ROW EXECUTE FUNCTION results_stamps_changed();
CREATE CONSTRAINT TRIGGER results_stamps_rounds AFTER INSERT OR UPDATE OR DELETE ON rounds
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION results_stamps_changed();
CREATE CONSTRAINT TRIGGER results_stamps_entry AFTER INSERT OR DELETE ON entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION results_stamps_changed();
CREATE CONSTRAINT TRIGGER results_stamps_entry_update AFTER UPDATE ON entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.category_id IS DISTINCT FROM NEW.category_id
          OR OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.edition_id IS DISTINCT FROM NEW.edition_id)
    EXECUTE FUNCTION results_stamps_changed();
CREATE CONSTRAINT TRIGGER results_stamps_unit_update AFTER UPDATE ON units
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.unit_type IS DISTINCT FROM NEW.unit_type)
    EXECUTE FUNCTION results_stamps_changed();

-- The units' index served only the old fingerprint. The entries' one stays: the entry list
-- sorted by last change walks it.
DROP INDEX units_changed;
