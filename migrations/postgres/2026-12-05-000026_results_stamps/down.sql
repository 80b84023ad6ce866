DROP TRIGGER results_stamps_unit_update ON units;
DROP TRIGGER results_stamps_entry_update ON entries;
DROP TRIGGER results_stamps_entry ON entries;
DROP TRIGGER results_stamps_rounds ON rounds;
DROP TRIGGER results_stamps_edition ON editions;
DROP FUNCTION results_stamps_changed();
DROP FUNCTION results_stamps_bump(INTEGER);
DROP TABLE results_stamps;
CREATE INDEX units_changed ON units (updated_at);
