-- A round's results while judging is open are computed from its submitted sheets (~70 ms of one
-- core at national scale), so the organisers' live results page keeps the last computation and
-- recomputes only when this stamp moves: every change that can change a result (a sheet submitted,
-- edited while submitted or taken back, an assignment withdrawn or brought back, an entry entering
-- or leaving the round) bumps it in the same transaction. The round's own settings are covered by
-- its `updated_at`.
CREATE TABLE round_stamps (
    round_id INTEGER PRIMARY KEY NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    scores   INTEGER NOT NULL
);

CREATE TRIGGER round_stamps_sheet_insert AFTER INSERT ON sheets
    WHEN NEW.status = 'submitted'
BEGIN
    INSERT INTO round_stamps (round_id, scores) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = scores + 1;
END;

CREATE TRIGGER round_stamps_sheet_update AFTER UPDATE ON sheets
    WHEN OLD.status = 'submitted' OR NEW.status = 'submitted'
BEGIN
    INSERT INTO round_stamps (round_id, scores) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = scores + 1;
END;

CREATE TRIGGER round_stamps_assignment AFTER UPDATE OF withdrawn_at ON assignments
    WHEN (OLD.withdrawn_at IS NULL) <> (NEW.withdrawn_at IS NULL)
BEGIN
    INSERT INTO round_stamps (round_id, scores) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = scores + 1;
END;

CREATE TRIGGER round_stamps_entry_in AFTER INSERT ON round_entries
BEGIN
    INSERT INTO round_stamps (round_id, scores) VALUES (NEW.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = scores + 1;
END;

CREATE TRIGGER round_stamps_entry_out AFTER DELETE ON round_entries
BEGIN
    INSERT INTO round_stamps (round_id, scores) VALUES (OLD.round_id, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = scores + 1;
END;
