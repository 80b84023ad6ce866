ALTER TABLE round_result_criteria DROP COLUMN percentile;
DROP INDEX units_changed;
DROP INDEX entries_changed;
