-- What a judge's pages are kept against (`web::page_cache`). Every commit moves the database's own
-- stamp, and while judging is open the commits are mostly other people's: operators autosaving
-- drafts, 300 judges autosaving their sheets. A page kept against that stamp is drawn again for
-- every one of them. These counters move only with what a judge's pages read: scope 0 with any
-- change to the tables those pages read (an entry or its files only once it has left the unit's
-- hands: a draft or a returned entry is never in a round), and the scope of a judge (their user
-- id) with their own sheets and their place in a round. A judge's page is kept against scope 0
-- and their own scope together. Tables no judge page reads (sessions, mail, the audit log, the
-- other caches' counters) move nothing; `tests/api/page_scopes.rs` holds every other table to
-- having the triggers, so a table added later is watched unless it is listed there.
--
-- The count of a scope is its row in `page_scopes` plus its rows in `page_changes`.
-- On PostgreSQL a transaction appends a row instead of adding to a counter: two transactions never
-- wait on each other's counter row, so no commit queues behind another and no lock order can
-- deadlock. A row per transaction and scope is enough (a setting local to the transaction says it
-- was written). The readers fold the rows into `page_scopes` now and then, in one statement.
CREATE TABLE page_scopes (
    scope INTEGER PRIMARY KEY NOT NULL,
    n     BIGINT NOT NULL
);
CREATE TABLE page_changes (
    id    BIGSERIAL PRIMARY KEY,
    scope INTEGER NOT NULL
);
CREATE INDEX page_changes_scope ON page_changes (scope);

CREATE FUNCTION page_change(s INTEGER) RETURNS void AS $$
BEGIN
    IF COALESCE(current_setting('biw.page_change_' || s, true), '') = '' THEN
        PERFORM set_config('biw.page_change_' || s, 'y', true);
        INSERT INTO page_changes (scope) VALUES (s);
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION page_change_any() RETURNS trigger AS $$
BEGIN
    PERFORM page_change(0);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- A sheet, its scores and versions, and a judge's place in a round: that judge's scope (scope 0
-- when a score's sheet is already gone).
CREATE FUNCTION page_change_judge() RETURNS trigger AS $$
DECLARE
    sheet INTEGER;
    judge INTEGER;
BEGIN
    IF TG_TABLE_NAME IN ('sheets', 'round_judges') THEN
        IF TG_OP <> 'DELETE' THEN
            PERFORM page_change(NEW.judge_id);
        END IF;
        IF TG_OP <> 'INSERT' THEN
            PERFORM page_change(OLD.judge_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        sheet := OLD.sheet_id;
    ELSE
        sheet := NEW.sheet_id;
    END IF;
    SELECT judge_id INTO judge FROM sheets WHERE id = sheet;
    PERFORM page_change(COALESCE(judge, 0));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- An entry, or a row of one: scope 0 unless the entry is (and stays) a draft or returned.
CREATE FUNCTION page_change_entry() RETURNS trigger AS $$
DECLARE
    before TEXT;
    after TEXT;
BEGIN
    IF TG_TABLE_NAME = 'entries' THEN
        IF TG_OP <> 'INSERT' THEN
            before := OLD.status;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            after := NEW.status;
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            SELECT status INTO before FROM entries WHERE id = OLD.entry_id;
            before := COALESCE(before, '');
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT status INTO after FROM entries WHERE id = NEW.entry_id;
            after := COALESCE(after, '');
        END IF;
    END IF;
    IF (before IS NULL OR before IN ('draft', 'returned'))
            AND (after IS NULL OR after IN ('draft', 'returned')) THEN
        RETURN NULL;
    END IF;
    PERFORM page_change(0);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON editions
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON edition_options
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON award_groups
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON evidence_kinds
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON check_items
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON unit_extensions
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_entry AFTER INSERT OR UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION page_change_entry();
CREATE TRIGGER page_changes_entry AFTER INSERT OR UPDATE OR DELETE ON entry_files
    FOR EACH ROW EXECUTE FUNCTION page_change_entry();
CREATE TRIGGER page_changes_entry AFTER INSERT OR UPDATE OR DELETE ON entry_events
    FOR EACH ROW EXECUTE FUNCTION page_change_entry();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON check_results
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON edition_mailings
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON rubrics
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON rubric_criteria
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON panel_notes
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON objections
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON promotions
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON promotion_entries
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON round_results
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON round_result_criteria
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON iid_indicators
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON shortlist
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_entry AFTER INSERT OR UPDATE OR DELETE ON iid_answers
    FOR EACH ROW EXECUTE FUNCTION page_change_entry();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON round_entries
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_judge AFTER INSERT OR UPDATE OR DELETE ON round_judges
    FOR EACH ROW EXECUTE FUNCTION page_change_judge();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON judge_expertise
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON judge_declarations
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON conflicts
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_any AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION page_change_any();
CREATE TRIGGER page_changes_judge AFTER INSERT OR UPDATE OR DELETE ON sheets
    FOR EACH ROW EXECUTE FUNCTION page_change_judge();
CREATE TRIGGER page_changes_judge AFTER INSERT OR UPDATE OR DELETE ON sheet_scores
    FOR EACH ROW EXECUTE FUNCTION page_change_judge();
CREATE TRIGGER page_changes_judge AFTER INSERT OR UPDATE OR DELETE ON sheet_versions
    FOR EACH ROW EXECUTE FUNCTION page_change_judge();
CREATE TRIGGER page_changes_entry AFTER INSERT OR UPDATE OR DELETE ON iid_files
    FOR EACH ROW EXECUTE FUNCTION page_change_entry();
