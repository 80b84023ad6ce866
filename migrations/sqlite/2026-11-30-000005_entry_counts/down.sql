DROP TRIGGER entry_counts_update;
DROP TRIGGER entry_counts_delete;
DROP TRIGGER entry_counts_insert;
DROP TABLE entry_counts;
