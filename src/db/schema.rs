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

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(user_tokens -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));
diesel::joinable!(audit_events -> users (actor_id));
diesel::joinable!(entries -> units (unit_id));
diesel::joinable!(entries -> editions (edition_id));
diesel::joinable!(entries -> categories (category_id));
diesel::joinable!(entry_files -> entries (entry_id));
diesel::joinable!(entry_events -> entries (entry_id));
diesel::joinable!(check_results -> entry_events (entry_event_id));

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
);
