DROP INDEX assignments_withdrawn;
