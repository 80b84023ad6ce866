-- The assignment board and the progress page show each entry's live judges and each judge's load,
-- unannounced assignments and sheets by status. Counting them from 17,500 assignments and sheets
-- on every view made both pages cost the size of the round; triggers keep the counts in the same
-- transaction as every change, so a view reads one page of rows.
ALTER TABLE round_entries ADD COLUMN judges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN assigned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN unannounced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN drafts INTEGER NOT NULL DEFAULT 0;

-- Counts of a judge on a round, from the rows themselves.
CREATE FUNCTION judging_counts_of(r INTEGER, j INTEGER,
    OUT assigned INTEGER, OUT unannounced INTEGER, OUT submitted INTEGER, OUT drafts INTEGER) AS $$
    SELECT
        (SELECT COUNT(*) FROM assignments a
            WHERE a.round_id = r AND a.judge_id = j AND a.withdrawn_at IS NULL)::int,
        (SELECT COUNT(*) FROM assignments a
            WHERE a.round_id = r AND a.judge_id = j AND a.withdrawn_at IS NULL
              AND a.notified_at IS NULL)::int,
        (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
            WHERE s.round_id = r AND s.judge_id = j AND a.withdrawn_at IS NULL
              AND s.status = 'submitted')::int,
        (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
            WHERE s.round_id = r AND s.judge_id = j AND a.withdrawn_at IS NULL
              AND s.status = 'draft')::int
$$ LANGUAGE sql STABLE;

UPDATE round_entries SET judges = (
    SELECT COUNT(*) FROM assignments a
    WHERE a.round_id = round_entries.round_id AND a.entry_id = round_entries.entry_id
      AND a.withdrawn_at IS NULL);
UPDATE round_judges rj SET (assigned, unannounced, submitted, drafts) =
    (SELECT c.assigned, c.unannounced, c.submitted, c.drafts FROM judging_counts_of(rj.round_id, rj.judge_id) c);

-- "Short of judges" is read from the index alone.
CREATE INDEX round_entries_judges ON round_entries (round_id, judges);
-- The conflicts count on the board.
CREATE INDEX assignments_conflict ON assignments (round_id) WHERE withdrawn_reason = 'conflict';

-- A judge or an entry (re)joining a round starts from what is already there.
CREATE FUNCTION round_judges_counts_insert() RETURNS trigger AS $$
BEGIN
    SELECT c.assigned, c.unannounced, c.submitted, c.drafts
        INTO NEW.assigned, NEW.unannounced, NEW.submitted, NEW.drafts
        FROM judging_counts_of(NEW.round_id, NEW.judge_id) c;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER round_judges_counts_insert BEFORE INSERT ON round_judges
    FOR EACH ROW EXECUTE FUNCTION round_judges_counts_insert();

CREATE FUNCTION round_entries_counts_insert() RETURNS trigger AS $$
BEGIN
    NEW.judges := (SELECT COUNT(*) FROM assignments a
        WHERE a.round_id = NEW.round_id AND a.entry_id = NEW.entry_id AND a.withdrawn_at IS NULL);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER round_entries_counts_insert BEFORE INSERT ON round_entries
    FOR EACH ROW EXECUTE FUNCTION round_entries_counts_insert();

-- Inserted, withdrawn, brought back or announced: a withdrawn or revived assignment's sheet
-- leaves or rejoins the judge's counts too.
CREATE FUNCTION assignments_counts_track() RETURNS trigger AS $$
DECLARE
    was_live INTEGER := 0;
    was_unannounced INTEGER := 0;
    is_live INTEGER := (NEW.withdrawn_at IS NULL)::int;
    is_unannounced INTEGER := (NEW.withdrawn_at IS NULL AND NEW.notified_at IS NULL)::int;
    n_submitted INTEGER := 0;
    n_drafts INTEGER := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        was_live := (OLD.withdrawn_at IS NULL)::int;
        was_unannounced := (OLD.withdrawn_at IS NULL AND OLD.notified_at IS NULL)::int;
    END IF;
    IF was_live = is_live AND was_unannounced = is_unannounced THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND was_live <> is_live THEN
        SELECT COALESCE(SUM((s.status = 'submitted')::int), 0), COALESCE(SUM((s.status = 'draft')::int), 0)
            INTO n_submitted, n_drafts FROM sheets s WHERE s.assignment_id = NEW.id;
    END IF;
    UPDATE round_judges SET
        assigned = assigned + is_live - was_live,
        unannounced = unannounced + is_unannounced - was_unannounced,
        submitted = submitted + (is_live - was_live) * n_submitted,
        drafts = drafts + (is_live - was_live) * n_drafts
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id;
    IF was_live <> is_live THEN
        UPDATE round_entries SET judges = judges + is_live - was_live
        WHERE round_id = NEW.round_id AND entry_id = NEW.entry_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_counts_track AFTER INSERT OR UPDATE OF withdrawn_at, notified_at ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_counts_track();

CREATE FUNCTION sheets_counts_track() RETURNS trigger AS $$
DECLARE
    was_submitted INTEGER := 0;
    was_draft INTEGER := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status = NEW.status THEN
            RETURN NULL;
        END IF;
        was_submitted := (OLD.status = 'submitted')::int;
        was_draft := (OLD.status = 'draft')::int;
    END IF;
    UPDATE round_judges SET
        submitted = submitted - was_submitted + (NEW.status = 'submitted')::int,
        drafts = drafts - was_draft + (NEW.status = 'draft')::int
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id
      AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = NEW.assignment_id AND a.withdrawn_at IS NULL);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER sheets_counts_track AFTER INSERT OR UPDATE OF status ON sheets
    FOR EACH ROW EXECUTE FUNCTION sheets_counts_track();
