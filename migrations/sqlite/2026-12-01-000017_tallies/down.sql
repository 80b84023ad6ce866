DROP TRIGGER units_tally_delete;
DROP TRIGGER units_tally_update;
DROP TRIGGER units_tally_insert;
DROP TRIGGER users_tally_delete;
DROP TRIGGER users_tally_update;
DROP TRIGGER users_tally_insert;
DROP TABLE tallies;
