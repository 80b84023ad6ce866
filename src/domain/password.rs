//! The password rule shown to users next to every password field.

/// A new password that satisfies the rule (checked before hashing).
pub struct Password(String);

/// Fewer characters than this is refused; long passphrases are welcome.
pub const MIN_LEN: usize = 10;
const MAX_LEN: usize = 200;

impl Password {
    /// Checks a new password and its confirmation; the error is an i18n key.
    pub fn parse(password: &str, confirm: &str) -> Result<Password, &'static str> {
        let n = password.chars().count();
        if n < MIN_LEN {
            return Err("form.password_short");
        }
        if n > MAX_LEN {
            return Err("form.password_long");
        }
        if password != confirm {
            return Err("form.password_mismatch");
        }
        Ok(Password(password.to_string()))
    }

    /// The accepted text, to hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn enforces_length_and_confirmation() {
        assert_eq!(
            Password::parse("short", "short").err(),
            Some("form.password_short")
        );
        assert_eq!(
            Password::parse("long enough pw", "other").err(),
            Some("form.password_mismatch")
        );
        assert!(Password::parse("long enough pw", "long enough pw").is_ok());
    }
}
