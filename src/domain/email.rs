//! Email addresses as stored: trimmed and lower-cased, so one person has one account.

/// A syntactically plausible, normalised email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Normalises and checks an address; the error is an i18n key.
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("form.required");
        }
        // Beyond the shape, lettre must accept it as an address: no quotes, semicolons, control
        // characters or other specials can then reach a mail header.
        let valid = s.len() <= 254
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;:\"\\()[]".contains(c))
            && s.parse::<lettre::Address>().is_ok()
            && matches!(s.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    && !domain.ends_with('.') && !domain.contains('@'));
        if valid {
            Ok(Email(s))
        } else {
            Err("form.email_invalid")
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Ani@Bekasikota.GO.id ").unwrap().as_str(),
            "ani@bekasikota.go.id"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "ani",
            "ani@",
            "@x.id",
            "ani@localhost",
            "a b@x.id",
            "a@x.id,b@x.id",
            "a@@x.id",
            "a\u{0}@x.id",
            "\"a\"@x.id",
            "a;b@x.id",
            "a@x.id;b@y.id",
            "a\\b@x.id",
            "a\nb@x.id",
            "a@x\u{7f}.id",
            "a(b)@x.id",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
