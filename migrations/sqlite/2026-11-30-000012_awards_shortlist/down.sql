DROP TABLE iid_answers;
DROP TABLE shortlist;
DROP TABLE iid_indicators;
ALTER TABLE editions DROP COLUMN unit_award_best;
ALTER TABLE editions DROP COLUMN award_places;
