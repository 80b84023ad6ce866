DROP TABLE round_results;
ALTER TABLE rounds DROP COLUMN published_by;
ALTER TABLE rounds DROP COLUMN published_at;
ALTER TABLE rounds DROP COLUMN sign_off_note;
ALTER TABLE rounds DROP COLUMN signed_off_by;
ALTER TABLE rounds DROP COLUMN signed_off_at;
ALTER TABLE rounds DROP COLUMN frozen_by;
ALTER TABLE rounds DROP COLUMN frozen_at;
