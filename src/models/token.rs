//! The `user_tokens` table: single-use links for invitations and password resets, stored hashed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::user_tokens;

/// A token row, in column order.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = user_tokens)]
pub struct UserToken {
    /// Primary key.
    pub id: i32,
    /// Whose token.
    pub user_id: i32,
    /// `invite` or `reset`.
    pub purpose: String,
    /// SHA-256 of the token, hex; the token itself is only in the email.
    pub token_hash: String,
    /// After this the link is refused.
    pub expires_at: NaiveDateTime,
    /// Set when used; a used link is refused.
    pub used_at: Option<NaiveDateTime>,
    /// When it was issued.
    pub created_at: NaiveDateTime,
}

/// Stores a token hash.
pub fn insert(
    conn: &mut DbConn,
    user_id: i32,
    purpose: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::user_id.eq(user_id),
            user_tokens::purpose.eq(purpose),
            user_tokens::token_hash.eq(token_hash),
            user_tokens::expires_at.eq(expires_at),
            user_tokens::created_at.eq(crate::db::now()),
        ))
        .returning(user_tokens::id)
        .get_result(conn)
}

/// Finds a token of a purpose by its hash.
pub fn find(conn: &mut DbConn, purpose: &str, token_hash: &str) -> QueryResult<Option<UserToken>> {
    user_tokens::table
        .filter(user_tokens::purpose.eq(purpose))
        .filter(user_tokens::token_hash.eq(token_hash))
        .select(UserToken::as_select())
        .get_result(conn)
        .optional()
}

/// Marks a token used if it still is unused; false when another request used it first.
pub fn consume(conn: &mut DbConn, id: i32) -> QueryResult<bool> {
    let n = diesel::update(
        user_tokens::table
            .filter(user_tokens::id.eq(id))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(crate::db::now()))
    .execute(conn)?;
    Ok(n == 1)
}

/// Voids a user's unused tokens of a purpose (a new invitation replaces the old link).
pub fn void_unused(conn: &mut DbConn, user_id: i32, purpose: &str) -> QueryResult<usize> {
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(user_id))
            .filter(user_tokens::purpose.eq(purpose))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(crate::db::now()))
    .execute(conn)
}

/// How many tokens of a purpose a user was issued since a time.
pub fn issued_since(
    conn: &mut DbConn,
    user_id: i32,
    purpose: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    user_tokens::table
        .filter(user_tokens::user_id.eq(user_id))
        .filter(user_tokens::purpose.eq(purpose))
        .filter(user_tokens::created_at.gt(since))
        .count()
        .get_result(conn)
}
