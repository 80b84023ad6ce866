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

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(user_tokens -> users (user_id));
diesel::joinable!(audit_events -> users (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    users,
    user_tokens,
    login_attempts,
    outbox,
    audit_events
);
