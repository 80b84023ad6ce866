DROP TRIGGER round_stamps_entries ON round_entries;
DROP TRIGGER round_stamps_assignment ON assignments;
DROP TRIGGER round_stamps_sheet ON sheets;
DROP FUNCTION round_stamps_bump();
DROP TABLE round_stamps;
