DROP INDEX check_items_key;
ALTER TABLE check_items DROP COLUMN active;
ALTER TABLE evidence_kinds DROP COLUMN active;
ALTER TABLE award_groups DROP COLUMN active;
ALTER TABLE categories DROP COLUMN active;
