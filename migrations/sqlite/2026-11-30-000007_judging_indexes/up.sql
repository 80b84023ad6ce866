-- The assignment board and the progress pages count a round's live assignments per entry and per
-- judge, and its sheets per judge and status, on every view: partial and covering indexes let both
-- engines answer from the index alone (17,500 assignments at national scale).
CREATE INDEX assignments_live_entry ON assignments (round_id, entry_id, judge_id) WHERE withdrawn_at IS NULL;
CREATE INDEX assignments_live_judge ON assignments (round_id, judge_id, notified_at) WHERE withdrawn_at IS NULL;
CREATE INDEX sheets_round_judge ON sheets (round_id, judge_id, status, assignment_id);
