-- The final standing and the awards are kept per process under a fingerprint that asks when the
-- edition's entries and the units last changed: with these indexes both are one index seek instead
-- of a scan of 5,000 entries and 644 units on every view.
CREATE INDEX entries_changed ON entries (edition_id, updated_at);
CREATE INDEX units_changed ON units (updated_at);

-- An entry's percentile on each criterion among its round's entries, kept at freeze with its mean
-- (the feedback report counted thousands of kept means per criterion on every view). Rows kept
-- before this are filled in here, by the same rule: entries below, plus half of those level
-- with it (itself included), out of all.
ALTER TABLE round_result_criteria ADD COLUMN percentile INTEGER NOT NULL DEFAULT 50;
UPDATE round_result_criteria SET percentile = CAST(ROUND(100.0 * (
    (SELECT COUNT(*) FROM round_result_criteria o
        WHERE o.round_id = round_result_criteria.round_id AND o.code = round_result_criteria.code
          AND o.mean_bp < round_result_criteria.mean_bp)
    + (SELECT COUNT(*) FROM round_result_criteria o
        WHERE o.round_id = round_result_criteria.round_id AND o.code = round_result_criteria.code
          AND o.mean_bp = round_result_criteria.mean_bp) / 2.0)
    / (SELECT COUNT(*) FROM round_result_criteria o
        WHERE o.round_id = round_result_criteria.round_id AND o.code = round_result_criteria.code))
    AS INTEGER);
