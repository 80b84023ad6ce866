-- How a round's results are computed, chosen by the organiser on the round's results page: the score
-- that ranks (mean, median or normalised), the correction behind the normalised score (a fitted
-- model or a z-score per judge), the spread in points over which judges are said to disagree, the
-- round's weight in the edition's combined score (0: not combined), and the tie-breaking criteria by
-- code as a JSON list ('' until the organiser orders them: then the counted criteria, heaviest first).
ALTER TABLE rounds ADD COLUMN ranking TEXT NOT NULL DEFAULT 'normalised';
ALTER TABLE rounds ADD COLUMN normalisation TEXT NOT NULL DEFAULT 'fitted';
ALTER TABLE rounds ADD COLUMN spread_threshold INTEGER NOT NULL DEFAULT 20;
ALTER TABLE rounds ADD COLUMN final_weight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN tie_breakers TEXT NOT NULL DEFAULT '';
