DROP INDEX entries_name_idx;
CREATE INDEX entries_name_idx ON entries (edition_id, name, id, status);
