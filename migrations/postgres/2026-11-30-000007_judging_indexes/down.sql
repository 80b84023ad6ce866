DROP INDEX sheets_round_judge;
DROP INDEX assignments_live_judge;
DROP INDEX assignments_live_entry;
