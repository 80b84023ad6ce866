DROP TRIGGER round_stamps_entry_out;
DROP TRIGGER round_stamps_entry_in;
DROP TRIGGER round_stamps_assignment;
DROP TRIGGER round_stamps_sheet_update;
DROP TRIGGER round_stamps_sheet_insert;
DROP TABLE round_stamps;
