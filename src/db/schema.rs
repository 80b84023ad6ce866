// The tables of `migrations/{sqlite,postgres}`, written to match both; `tests/api/schema.rs` checks that
// the two engines really produce the same tables and columns.

diesel::table! {
    units (id) {
        id -> Integer,
        name -> Text,
        unit_type -> Text,
        parent_id -> Nullable<Integer>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        unit_id -> Nullable<Integer>,
        affiliation -> Nullable<Text>,
        lang -> Text,
        active -> Bool,
        session_epoch -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        is_endorser -> Bool,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        user_agent -> Text,
        ip -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Integer,
        email -> Text,
        ip -> Text,
        succeeded -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Integer,
        to_email -> Text,
        to_name -> Text,
        template -> Text,
        lang -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        topic -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Integer,
        created_at -> Timestamp,
        actor_id -> Nullable<Integer>,
        ip -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Integer>,
        detail -> Text,
    }
}

diesel::table! {
    editions (id) {
        id -> Integer,
        name -> Text,
        year -> Integer,
        registration_opens_at -> Timestamp,
        registration_closes_at -> Timestamp,
        screening_closes_at -> Timestamp,
        results_at -> Nullable<Timestamp>,
        min_narrative_words -> Integer,
        max_entries_per_unit -> Integer,
        max_file_mb -> Integer,
        required_fields -> Text,
        reminder_days -> Text,
        copied_from_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        award_places -> Integer,
        unit_award_best -> Integer,
    }
}

diesel::table! {
    edition_options (id) {
        id -> Integer,
        edition_id -> Integer,
        list -> Text,
        code -> Text,
        label_id -> Text,
        label_en -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    categories (id) {
        id -> Integer,
        edition_id -> Integer,
        name_id -> Text,
        name_en -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    award_groups (id) {
        id -> Integer,
        edition_id -> Integer,
        name_id -> Text,
        name_en -> Text,
        unit_types -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    evidence_kinds (id) {
        id -> Integer,
        edition_id -> Integer,
        name_id -> Text,
        name_en -> Text,
        mandatory -> Bool,
        accepts -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    check_items (id) {
        id -> Integer,
        edition_id -> Integer,
        code -> Text,
        label_id -> Text,
        label_en -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    unit_extensions (id) {
        id -> Integer,
        edition_id -> Integer,
        unit_id -> Integer,
        closes_at -> Timestamp,
        reason -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    entries (id) {
        id -> Integer,
        edition_id -> Integer,
        unit_id -> Integer,
        category_id -> Nullable<Integer>,
        previous_entry_id -> Nullable<Integer>,
        name -> Text,
        stage -> Text,
        initiator -> Text,
        inno_type -> Text,
        inno_form -> Text,
        theme -> Text,
        urusan -> Text,
        trial_date -> Nullable<Date>,
        implementation_date -> Nullable<Date>,
        narrative -> Text,
        purpose -> Text,
        benefits -> Text,
        results -> Text,
        video_url -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        status -> Text,
        lock_version -> Integer,
        created_by -> Nullable<Integer>,
        updated_by -> Nullable<Integer>,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entry_files (id) {
        id -> Integer,
        entry_id -> Integer,
        evidence_kind_id -> Integer,
        original_name -> Text,
        stored_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        uploaded_by -> Nullable<Integer>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    entry_events (id) {
        id -> Integer,
        entry_id -> Integer,
        from_status -> Text,
        to_status -> Text,
        actor_id -> Nullable<Integer>,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    check_results (id) {
        id -> Integer,
        entry_event_id -> Integer,
        item_code -> Text,
        passed -> Bool,
        reason -> Text,
    }
}

diesel::table! {
    edition_mailings (id) {
        id -> Integer,
        edition_id -> Integer,
        mail_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    entry_counts (edition_id, status) {
        edition_id -> Integer,
        status -> Text,
        n -> Integer,
    }
}

diesel::table! {
    rubrics (id) {
        id -> Integer,
        edition_id -> Integer,
        previous_id -> Nullable<Integer>,
        version -> Integer,
        name_id -> Text,
        name_en -> Text,
        scale_max -> Integer,
        levels -> Text,
        source -> Text,
        superseded_by_id -> Nullable<Integer>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rubric_criteria (id) {
        id -> Integer,
        rubric_id -> Integer,
        position -> Integer,
        code -> Text,
        name_id -> Text,
        name_en -> Text,
        description_id -> Text,
        description_en -> Text,
        weight -> Integer,
        counted -> Bool,
        anchors -> Text,
    }
}

diesel::table! {
    rounds (id) {
        id -> Integer,
        edition_id -> Integer,
        position -> Integer,
        kind -> Text,
        name_id -> Text,
        name_en -> Text,
        rubric_id -> Integer,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        judges_per_entry -> Integer,
        max_per_judge -> Integer,
        match_expertise -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ranking -> Text,
        normalisation -> Text,
        spread_threshold -> Integer,
        final_weight -> Integer,
        tie_breakers -> Text,
        frozen_at -> Nullable<Timestamp>,
        frozen_by -> Nullable<Integer>,
        signed_off_at -> Nullable<Timestamp>,
        signed_off_by -> Nullable<Integer>,
        sign_off_note -> Text,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Integer>,
        objections_until -> Nullable<Timestamp>,
        final_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    panel_notes (id) {
        id -> Integer,
        round_id -> Integer,
        entry_id -> Integer,
        note -> Text,
        written_by -> Nullable<Integer>,
        written_at -> Timestamp,
    }
}

diesel::table! {
    objections (id) {
        id -> Integer,
        round_id -> Integer,
        entry_id -> Integer,
        filed_by -> Nullable<Integer>,
        reason -> Text,
        filed_at -> Timestamp,
        upheld -> Nullable<Bool>,
        answer -> Text,
        answered_by -> Nullable<Integer>,
        answered_at -> Nullable<Timestamp>,
        superseded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    promotions (id) {
        id -> Integer,
        round_id -> Integer,
        next_round_id -> Integer,
        rule -> Text,
        rule_value -> Integer,
        ranking -> Text,
        promoted -> Integer,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Integer>,
        undo_reason -> Text,
    }
}

diesel::table! {
    promotion_entries (promotion_id, entry_id) {
        promotion_id -> Integer,
        entry_id -> Integer,
        position -> Nullable<Integer>,
        score_bp -> Nullable<Integer>,
        promoted -> Bool,
    }
}

diesel::table! {
    round_results (round_id, entry_id) {
        round_id -> Integer,
        entry_id -> Integer,
        position -> Nullable<Integer>,
        listed -> Integer,
        sheets -> Integer,
        mean_bp -> Nullable<Integer>,
        median_bp -> Nullable<Integer>,
        normalised_bp -> Nullable<Integer>,
        rank_mean -> Nullable<Integer>,
        rank_median -> Nullable<Integer>,
        rank_normalised -> Nullable<Integer>,
        sd_bp -> Integer,
        range_bp -> Integer,
        flagged -> Bool,
        tie -> Text,
    }
}

diesel::table! {
    round_result_criteria (round_id, entry_id, code) {
        round_id -> Integer,
        entry_id -> Integer,
        code -> Text,
        mean_bp -> Integer,
        percentile -> Integer,
    }
}

diesel::table! {
    iid_indicators (id) {
        id -> Integer,
        edition_id -> Integer,
        no -> Integer,
        name -> Text,
        weight -> Integer,
        mandatory -> Bool,
        level_1 -> Text,
        level_2 -> Text,
        level_3 -> Text,
        position -> Integer,
        active -> Bool,
    }
}

diesel::table! {
    shortlist (edition_id, entry_id) {
        edition_id -> Integer,
        entry_id -> Integer,
        added_by -> Nullable<Integer>,
        added_at -> Timestamp,
        notified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    iid_answers (entry_id, indicator_id) {
        entry_id -> Integer,
        indicator_id -> Integer,
        level -> Integer,
        evidence -> Text,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    round_entries (id) {
        id -> Integer,
        round_id -> Integer,
        entry_id -> Integer,
        source -> Text,
        added_by -> Nullable<Integer>,
        added_at -> Timestamp,
        slot_at -> Nullable<Timestamp>,
        slot_minutes -> Nullable<Integer>,
        slot_place -> Text,
        slot_notified_at -> Nullable<Timestamp>,
        judges -> Integer,
    }
}

diesel::table! {
    round_stamps (round_id) {
        round_id -> Integer,
        scores -> Integer,
    }
}

diesel::table! {
    results_stamps (edition_id) {
        edition_id -> Integer,
        n -> Integer,
    }
}

diesel::table! {
    tallies (name) {
        name -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    round_judges (round_id, judge_id) {
        round_id -> Integer,
        judge_id -> Integer,
        added_at -> Timestamp,
        assigned -> Integer,
        unannounced -> Integer,
        submitted -> Integer,
        drafts -> Integer,
    }
}

diesel::table! {
    judge_expertise (judge_id, category_id) {
        judge_id -> Integer,
        category_id -> Integer,
    }
}

diesel::table! {
    judge_declarations (id) {
        id -> Integer,
        edition_id -> Integer,
        judge_id -> Integer,
        statement -> Text,
        ip -> Text,
        accepted_at -> Timestamp,
    }
}

diesel::table! {
    conflicts (id) {
        id -> Integer,
        judge_id -> Integer,
        entry_id -> Integer,
        source -> Text,
        reason -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assignments (id) {
        id -> Integer,
        round_id -> Integer,
        entry_id -> Integer,
        judge_id -> Integer,
        source -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        notified_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_reason -> Text,
    }
}

diesel::table! {
    sheets (id) {
        id -> Integer,
        assignment_id -> Integer,
        round_id -> Integer,
        entry_id -> Integer,
        judge_id -> Integer,
        rubric_id -> Integer,
        status -> Text,
        overall_comment -> Text,
        total_bp -> Nullable<Integer>,
        lock_version -> Integer,
        submitted_at -> Nullable<Timestamp>,
        reopened_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sheet_scores (sheet_id, criterion_id) {
        sheet_id -> Integer,
        criterion_id -> Integer,
        score -> Nullable<Integer>,
        comment -> Text,
    }
}

diesel::table! {
    sheet_versions (id) {
        id -> Integer,
        sheet_id -> Integer,
        version -> Integer,
        status -> Text,
        actor_id -> Nullable<Integer>,
        on_paper -> Bool,
        note -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    page_scopes (scope) {
        scope -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    page_changes (id) {
        id -> BigInt,
        scope -> Integer,
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(user_tokens -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));
diesel::table! {
    iid_files (id) {
        id -> Integer,
        entry_id -> Integer,
        indicator_id -> Integer,
        original_name -> Text,
        stored_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        uploaded_by -> Nullable<Integer>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(audit_events -> users (actor_id));
diesel::joinable!(entries -> units (unit_id));
diesel::joinable!(entries -> editions (edition_id));
diesel::joinable!(entries -> categories (category_id));
diesel::joinable!(entry_files -> entries (entry_id));
diesel::joinable!(entry_events -> entries (entry_id));
diesel::joinable!(check_results -> entry_events (entry_event_id));
diesel::joinable!(rubric_criteria -> rubrics (rubric_id));
diesel::joinable!(rounds -> rubrics (rubric_id));
diesel::joinable!(rounds -> editions (edition_id));
diesel::joinable!(round_entries -> rounds (round_id));
diesel::joinable!(round_results -> rounds (round_id));
diesel::joinable!(round_results -> entries (entry_id));
diesel::joinable!(round_result_criteria -> rounds (round_id));
diesel::joinable!(shortlist -> entries (entry_id));
diesel::joinable!(objections -> entries (entry_id));
diesel::joinable!(objections -> rounds (round_id));
diesel::joinable!(panel_notes -> entries (entry_id));
diesel::joinable!(panel_notes -> rounds (round_id));
diesel::joinable!(iid_answers -> iid_indicators (indicator_id));
diesel::joinable!(iid_files -> entries (entry_id));
diesel::joinable!(iid_files -> iid_indicators (indicator_id));
diesel::joinable!(round_result_criteria -> entries (entry_id));
diesel::joinable!(promotion_entries -> promotions (promotion_id));
diesel::joinable!(promotion_entries -> entries (entry_id));
diesel::joinable!(round_judges -> rounds (round_id));
diesel::joinable!(round_entries -> entries (entry_id));
diesel::joinable!(assignments -> rounds (round_id));
diesel::joinable!(assignments -> entries (entry_id));
diesel::joinable!(sheets -> assignments (assignment_id));
diesel::joinable!(sheets -> entries (entry_id));
diesel::joinable!(sheet_scores -> sheets (sheet_id));
diesel::joinable!(sheet_scores -> rubric_criteria (criterion_id));
diesel::joinable!(sheet_versions -> sheets (sheet_id));

diesel::allow_tables_to_appear_in_same_query!(
    entry_counts,
    units,
    users,
    user_tokens,
    user_sessions,
    login_attempts,
    outbox,
    audit_events,
    editions,
    edition_options,
    categories,
    award_groups,
    evidence_kinds,
    check_items,
    unit_extensions,
    entries,
    entry_files,
    entry_events,
    check_results,
    edition_mailings,
    rubrics,
    rubric_criteria,
    rounds,
    round_entries,
    round_results,
    round_result_criteria,
    iid_indicators,
    shortlist,
    iid_answers,
    iid_files,
    objections,
    panel_notes,
    promotions,
    promotion_entries,
    round_judges,
    judge_expertise,
    judge_declarations,
    conflicts,
    assignments,
    sheets,
    sheet_scores,
    sheet_versions,
);

// A round's results sum each tie-breaking criterion per entry.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    sheets::entry_id,
    sheet_scores::criterion_id
);
