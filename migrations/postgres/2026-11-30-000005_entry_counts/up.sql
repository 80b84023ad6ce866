-- How many entries each edition has in each status, kept by a trigger in the same transaction as
-- every insert, delete and status change: the entry list's total and the dashboard read a few rows
-- instead of counting thousands of entries on every page view.
CREATE TABLE entry_counts (
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (edition_id, status)
);

INSERT INTO entry_counts (edition_id, status, n)
    SELECT edition_id, status, COUNT(*) FROM entries GROUP BY edition_id, status;

-- Two counters change per status change; they are always locked in the same (key) order, so two
-- transactions moving entries in opposite directions cannot deadlock on them.
CREATE FUNCTION entry_counts_track() RETURNS trigger AS $$
DECLARE
    old_key TEXT;
    new_key TEXT;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.edition_id = NEW.edition_id AND OLD.status = NEW.status THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_key := lpad(OLD.edition_id::text, 12, '0') || OLD.status;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := lpad(NEW.edition_id::text, 12, '0') || NEW.status;
    END IF;
    IF old_key IS NOT NULL AND (new_key IS NULL OR old_key < new_key) THEN
        UPDATE entry_counts SET n = n - 1 WHERE edition_id = OLD.edition_id AND status = OLD.status;
        old_key := NULL;
    END IF;
    IF new_key IS NOT NULL THEN
        INSERT INTO entry_counts (edition_id, status, n) VALUES (NEW.edition_id, NEW.status, 1)
            ON CONFLICT (edition_id, status) DO UPDATE SET n = entry_counts.n + 1;
    END IF;
    IF old_key IS NOT NULL THEN
        UPDATE entry_counts SET n = n - 1 WHERE edition_id = OLD.edition_id AND status = OLD.status;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER entry_counts_track AFTER INSERT OR DELETE OR UPDATE OF edition_id, status ON entries
    FOR EACH ROW EXECUTE FUNCTION entry_counts_track();
