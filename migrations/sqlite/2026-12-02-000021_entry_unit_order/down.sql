DROP INDEX entries_unit_order;
