DROP TRIGGER entry_counts_track ON entries;
DROP FUNCTION entry_counts_track();
DROP TABLE entry_counts;
