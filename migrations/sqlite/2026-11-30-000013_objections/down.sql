DROP TABLE objections;
ALTER TABLE rounds DROP COLUMN final_at;
ALTER TABLE rounds DROP COLUMN objections_until;
