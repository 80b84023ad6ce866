-- The assignment board and the progress page show each entry's live judges and each judge's load,
-- unannounced assignments and sheets by status. Counting them from 17,500 assignments and sheets
-- on every view made both pages cost the size of the round; triggers keep the counts in the same
-- transaction as every change, so a view reads one page of rows.
ALTER TABLE round_entries ADD COLUMN judges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN assigned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN unannounced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_judges ADD COLUMN drafts INTEGER NOT NULL DEFAULT 0;

UPDATE round_entries SET judges = (
    SELECT COUNT(*) FROM assignments a
    WHERE a.round_id = round_entries.round_id AND a.entry_id = round_entries.entry_id
      AND a.withdrawn_at IS NULL);
UPDATE round_judges SET
    assigned = (SELECT COUNT(*) FROM assignments a
        WHERE a.round_id = round_judges.round_id AND a.judge_id = round_judges.judge_id
          AND a.withdrawn_at IS NULL),
    unannounced = (SELECT COUNT(*) FROM assignments a
        WHERE a.round_id = round_judges.round_id AND a.judge_id = round_judges.judge_id
          AND a.withdrawn_at IS NULL AND a.notified_at IS NULL),
    submitted = (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
        WHERE s.round_id = round_judges.round_id AND s.judge_id = round_judges.judge_id
          AND a.withdrawn_at IS NULL AND s.status = 'submitted'),
    drafts = (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
        WHERE s.round_id = round_judges.round_id AND s.judge_id = round_judges.judge_id
          AND a.withdrawn_at IS NULL AND s.status = 'draft');

-- "Short of judges" is read from the index alone.
CREATE INDEX round_entries_judges ON round_entries (round_id, judges);
-- The conflicts count on the board.
CREATE INDEX assignments_conflict ON assignments (round_id) WHERE withdrawn_reason = 'conflict';

-- A judge or an entry (re)joining a round starts from what is already there.
CREATE TRIGGER round_judges_counts_insert AFTER INSERT ON round_judges
BEGIN
    UPDATE round_judges SET
        assigned = (SELECT COUNT(*) FROM assignments a
            WHERE a.round_id = NEW.round_id AND a.judge_id = NEW.judge_id AND a.withdrawn_at IS NULL),
        unannounced = (SELECT COUNT(*) FROM assignments a
            WHERE a.round_id = NEW.round_id AND a.judge_id = NEW.judge_id AND a.withdrawn_at IS NULL
              AND a.notified_at IS NULL),
        submitted = (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
            WHERE s.round_id = NEW.round_id AND s.judge_id = NEW.judge_id AND a.withdrawn_at IS NULL
              AND s.status = 'submitted'),
        drafts = (SELECT COUNT(*) FROM sheets s JOIN assignments a ON a.id = s.assignment_id
            WHERE s.round_id = NEW.round_id AND s.judge_id = NEW.judge_id AND a.withdrawn_at IS NULL
              AND s.status = 'draft')
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id;
END;

CREATE TRIGGER round_entries_counts_insert AFTER INSERT ON round_entries
BEGIN
    UPDATE round_entries SET judges = (SELECT COUNT(*) FROM assignments a
        WHERE a.round_id = NEW.round_id AND a.entry_id = NEW.entry_id AND a.withdrawn_at IS NULL)
    WHERE id = NEW.id;
END;

CREATE TRIGGER assignments_counts_insert AFTER INSERT ON assignments
    WHEN NEW.withdrawn_at IS NULL
BEGIN
    UPDATE round_judges SET assigned = assigned + 1,
        unannounced = unannounced + (NEW.notified_at IS NULL)
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id;
    UPDATE round_entries SET judges = judges + 1
    WHERE round_id = NEW.round_id AND entry_id = NEW.entry_id;
END;

-- Withdrawn or brought back: the assignment's sheet leaves or rejoins the judge's counts too.
CREATE TRIGGER assignments_counts_update AFTER UPDATE OF withdrawn_at, notified_at ON assignments
    WHEN (OLD.withdrawn_at IS NULL) <> (NEW.withdrawn_at IS NULL)
      OR (OLD.notified_at IS NULL) <> (NEW.notified_at IS NULL)
BEGIN
    UPDATE round_judges SET
        assigned = assigned - (OLD.withdrawn_at IS NULL) + (NEW.withdrawn_at IS NULL),
        unannounced = unannounced - (OLD.withdrawn_at IS NULL AND OLD.notified_at IS NULL)
            + (NEW.withdrawn_at IS NULL AND NEW.notified_at IS NULL),
        submitted = submitted + ((NEW.withdrawn_at IS NULL) - (OLD.withdrawn_at IS NULL))
            * (SELECT COUNT(*) FROM sheets s WHERE s.assignment_id = NEW.id AND s.status = 'submitted'),
        drafts = drafts + ((NEW.withdrawn_at IS NULL) - (OLD.withdrawn_at IS NULL))
            * (SELECT COUNT(*) FROM sheets s WHERE s.assignment_id = NEW.id AND s.status = 'draft')
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id;
    UPDATE round_entries SET judges = judges - (OLD.withdrawn_at IS NULL) + (NEW.withdrawn_at IS NULL)
    WHERE round_id = NEW.round_id AND entry_id = NEW.entry_id;
END;

CREATE TRIGGER sheets_counts_insert AFTER INSERT ON sheets
BEGIN
    UPDATE round_judges SET submitted = submitted + (NEW.status = 'submitted'),
        drafts = drafts + (NEW.status = 'draft')
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id
      AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = NEW.assignment_id AND a.withdrawn_at IS NULL);
END;

CREATE TRIGGER sheets_counts_update AFTER UPDATE OF status ON sheets
    WHEN OLD.status <> NEW.status
BEGIN
    UPDATE round_judges SET
        submitted = submitted - (OLD.status = 'submitted') + (NEW.status = 'submitted'),
        drafts = drafts - (OLD.status = 'draft') + (NEW.status = 'draft')
    WHERE round_id = NEW.round_id AND judge_id = NEW.judge_id
      AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = NEW.assignment_id AND a.withdrawn_at IS NULL);
END;
