-- How many entries each edition has in each status, kept by triggers in the same transaction as
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

CREATE TRIGGER entry_counts_insert AFTER INSERT ON entries
BEGIN
    INSERT INTO entry_counts (edition_id, status, n) VALUES (NEW.edition_id, NEW.status, 1)
        ON CONFLICT (edition_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entry_counts_delete AFTER DELETE ON entries
BEGIN
    UPDATE entry_counts SET n = n - 1 WHERE edition_id = OLD.edition_id AND status = OLD.status;
END;

CREATE TRIGGER entry_counts_update AFTER UPDATE OF edition_id, status ON entries
    WHEN OLD.edition_id <> NEW.edition_id OR OLD.status <> NEW.status
BEGIN
    UPDATE entry_counts SET n = n - 1 WHERE edition_id = OLD.edition_id AND status = OLD.status;
    INSERT INTO entry_counts (edition_id, status, n) VALUES (NEW.edition_id, NEW.status, 1)
        ON CONFLICT (edition_id, status) DO UPDATE SET n = n + 1;
END;
