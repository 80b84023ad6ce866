ALTER TABLE rounds DROP COLUMN tie_breakers;
ALTER TABLE rounds DROP COLUMN final_weight;
ALTER TABLE rounds DROP COLUMN spread_threshold;
ALTER TABLE rounds DROP COLUMN normalisation;
ALTER TABLE rounds DROP COLUMN ranking;
