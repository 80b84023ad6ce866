-- Every list item keeps its id for good: an item no longer offered is retired, never deleted or
-- reused, so entries, files and screening results keep pointing at what they chose.
ALTER TABLE categories ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE award_groups ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE evidence_kinds ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE check_items ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE UNIQUE INDEX check_items_key ON check_items (edition_id, code);
