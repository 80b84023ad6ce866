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

CREATE FUNCTION round_stamps_bump() RETURNS trigger AS $$
DECLARE
    r INTEGER;
BEGIN
    IF TG_TABLE_NAME = 'sheets' THEN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status <> 'submitted' THEN
                RETURN NULL;
            END IF;
        ELSIF NEW.status <> 'submitted' AND OLD.status <> 'submitted' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'assignments' THEN
        IF (OLD.withdrawn_at IS NULL) = (NEW.withdrawn_at IS NULL) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        r := OLD.round_id;
    ELSE
        r := NEW.round_id;
    END IF;
    INSERT INTO round_stamps (round_id, scores) VALUES (r, 1)
        ON CONFLICT (round_id) DO UPDATE SET scores = round_stamps.scores + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER round_stamps_sheet AFTER INSERT OR UPDATE ON sheets
    FOR EACH ROW EXECUTE FUNCTION round_stamps_bump();
CREATE TRIGGER round_stamps_assignment AFTER UPDATE OF withdrawn_at ON assignments
    FOR EACH ROW EXECUTE FUNCTION round_stamps_bump();
CREATE TRIGGER round_stamps_entries AFTER INSERT OR DELETE ON round_entries
    FOR EACH ROW EXECUTE FUNCTION round_stamps_bump();
