DROP INDEX entries_submitted_order;
DROP INDEX units_name_order;
