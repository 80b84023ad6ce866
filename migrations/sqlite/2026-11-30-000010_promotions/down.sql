DROP TABLE promotion_entries;
DROP TABLE promotions;
