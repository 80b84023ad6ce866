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
-- On SQLite one writer commits at a time, so the triggers add to the counter itself and
-- `page_changes` stays empty.
CREATE TABLE page_scopes (
    scope INTEGER PRIMARY KEY NOT NULL,
    n     BIGINT NOT NULL
);
CREATE TABLE page_changes (
    id    INTEGER PRIMARY KEY NOT NULL,
    scope INTEGER NOT NULL
);
CREATE INDEX page_changes_scope ON page_changes (scope);

CREATE TRIGGER page_changes_units_insert AFTER INSERT ON units
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_units_update AFTER UPDATE ON units
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_units_delete AFTER DELETE ON units
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_users_insert AFTER INSERT ON users
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_users_update AFTER UPDATE ON users
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_users_delete AFTER DELETE ON users
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_editions_insert AFTER INSERT ON editions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_editions_update AFTER UPDATE ON editions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_editions_delete AFTER DELETE ON editions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_options_insert AFTER INSERT ON edition_options
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_options_update AFTER UPDATE ON edition_options
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_options_delete AFTER DELETE ON edition_options
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_categories_insert AFTER INSERT ON categories
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_categories_update AFTER UPDATE ON categories
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_categories_delete AFTER DELETE ON categories
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_award_groups_insert AFTER INSERT ON award_groups
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_award_groups_update AFTER UPDATE ON award_groups
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_award_groups_delete AFTER DELETE ON award_groups
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_evidence_kinds_insert AFTER INSERT ON evidence_kinds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_evidence_kinds_update AFTER UPDATE ON evidence_kinds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_evidence_kinds_delete AFTER DELETE ON evidence_kinds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_items_insert AFTER INSERT ON check_items
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_items_update AFTER UPDATE ON check_items
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_items_delete AFTER DELETE ON check_items
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_unit_extensions_insert AFTER INSERT ON unit_extensions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_unit_extensions_update AFTER UPDATE ON unit_extensions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_unit_extensions_delete AFTER DELETE ON unit_extensions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entries_insert AFTER INSERT ON entries
    WHEN NEW.status NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entries_update AFTER UPDATE ON entries
    WHEN NEW.status NOT IN ('draft', 'returned') OR OLD.status NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entries_delete AFTER DELETE ON entries
    WHEN OLD.status NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_files_insert AFTER INSERT ON entry_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_files_update AFTER UPDATE ON entry_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned') OR COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_files_delete AFTER DELETE ON entry_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_events_insert AFTER INSERT ON entry_events
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_events_update AFTER UPDATE ON entry_events
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned') OR COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_entry_events_delete AFTER DELETE ON entry_events
    WHEN COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_results_insert AFTER INSERT ON check_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_results_update AFTER UPDATE ON check_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_check_results_delete AFTER DELETE ON check_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_mailings_insert AFTER INSERT ON edition_mailings
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_mailings_update AFTER UPDATE ON edition_mailings
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_edition_mailings_delete AFTER DELETE ON edition_mailings
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubrics_insert AFTER INSERT ON rubrics
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubrics_update AFTER UPDATE ON rubrics
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubrics_delete AFTER DELETE ON rubrics
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubric_criteria_insert AFTER INSERT ON rubric_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubric_criteria_update AFTER UPDATE ON rubric_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rubric_criteria_delete AFTER DELETE ON rubric_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rounds_insert AFTER INSERT ON rounds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rounds_update AFTER UPDATE ON rounds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_rounds_delete AFTER DELETE ON rounds
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_panel_notes_insert AFTER INSERT ON panel_notes
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_panel_notes_update AFTER UPDATE ON panel_notes
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_panel_notes_delete AFTER DELETE ON panel_notes
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_objections_insert AFTER INSERT ON objections
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_objections_update AFTER UPDATE ON objections
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_objections_delete AFTER DELETE ON objections
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotions_insert AFTER INSERT ON promotions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotions_update AFTER UPDATE ON promotions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotions_delete AFTER DELETE ON promotions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotion_entries_insert AFTER INSERT ON promotion_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotion_entries_update AFTER UPDATE ON promotion_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_promotion_entries_delete AFTER DELETE ON promotion_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_results_insert AFTER INSERT ON round_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_results_update AFTER UPDATE ON round_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_results_delete AFTER DELETE ON round_results
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_result_criteria_insert AFTER INSERT ON round_result_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_result_criteria_update AFTER UPDATE ON round_result_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_result_criteria_delete AFTER DELETE ON round_result_criteria
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_indicators_insert AFTER INSERT ON iid_indicators
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_indicators_update AFTER UPDATE ON iid_indicators
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_indicators_delete AFTER DELETE ON iid_indicators
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_shortlist_insert AFTER INSERT ON shortlist
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_shortlist_update AFTER UPDATE ON shortlist
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_shortlist_delete AFTER DELETE ON shortlist
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_answers_insert AFTER INSERT ON iid_answers
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_answers_update AFTER UPDATE ON iid_answers
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned') OR COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_answers_delete AFTER DELETE ON iid_answers
    WHEN COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_entries_insert AFTER INSERT ON round_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_entries_update AFTER UPDATE ON round_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_entries_delete AFTER DELETE ON round_entries
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_judges_insert AFTER INSERT ON round_judges
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (NEW.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_judges_update AFTER UPDATE ON round_judges
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (NEW.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
    INSERT INTO page_scopes (scope, n) SELECT OLD.judge_id, 1 WHERE OLD.judge_id <> NEW.judge_id ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_round_judges_delete AFTER DELETE ON round_judges
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (OLD.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_expertise_insert AFTER INSERT ON judge_expertise
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_expertise_update AFTER UPDATE ON judge_expertise
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_expertise_delete AFTER DELETE ON judge_expertise
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_declarations_insert AFTER INSERT ON judge_declarations
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_declarations_update AFTER UPDATE ON judge_declarations
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_judge_declarations_delete AFTER DELETE ON judge_declarations
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_conflicts_insert AFTER INSERT ON conflicts
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_conflicts_update AFTER UPDATE ON conflicts
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_conflicts_delete AFTER DELETE ON conflicts
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_assignments_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_assignments_update AFTER UPDATE ON assignments
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_assignments_delete AFTER DELETE ON assignments
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheets_insert AFTER INSERT ON sheets
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (NEW.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheets_update AFTER UPDATE ON sheets
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (NEW.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
    INSERT INTO page_scopes (scope, n) SELECT OLD.judge_id, 1 WHERE OLD.judge_id <> NEW.judge_id ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheets_delete AFTER DELETE ON sheets
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (OLD.judge_id, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_scores_insert AFTER INSERT ON sheet_scores
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = NEW.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_scores_update AFTER UPDATE ON sheet_scores
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = NEW.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_scores_delete AFTER DELETE ON sheet_scores
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = OLD.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_versions_insert AFTER INSERT ON sheet_versions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = NEW.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_versions_update AFTER UPDATE ON sheet_versions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = NEW.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_sheet_versions_delete AFTER DELETE ON sheet_versions
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (COALESCE((SELECT judge_id FROM sheets WHERE id = OLD.sheet_id), 0), 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_files_insert AFTER INSERT ON iid_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_files_update AFTER UPDATE ON iid_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = NEW.entry_id), '') NOT IN ('draft', 'returned') OR COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER page_changes_iid_files_delete AFTER DELETE ON iid_files
    WHEN COALESCE((SELECT status FROM entries WHERE id = OLD.entry_id), '') NOT IN ('draft', 'returned')
BEGIN
    INSERT INTO page_scopes (scope, n) VALUES (0, 1) ON CONFLICT (scope) DO UPDATE SET n = n + 1;
END;
