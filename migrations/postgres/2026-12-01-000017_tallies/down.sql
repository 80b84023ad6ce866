DROP TRIGGER units_tally ON units;
DROP FUNCTION units_tally();
DROP TRIGGER users_tally ON users;
DROP FUNCTION users_tally();
DROP TABLE tallies;
