//! Credentials: password hashing and single-use tokens. Sessions and CSRF live in `web`.

pub mod password;
pub mod token;
