//! One-line text typed into a form (names, titles): what may be stored and so reach a mail header.

/// Trims and folds runs of spaces; refuses control characters (line breaks, tabs, NUL, escapes),
/// which would split a mail header or hide text. An empty result is `Ok("")`: the caller decides
/// whether the field is required. The error is an i18n key.
pub fn single_line(input: &str, max_chars: usize) -> Result<String, &'static str> {
    let trimmed = input.trim_matches(|c: char| c == ' ' || c == '\u{a0}');
    if trimmed
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err("form.control_chars");
    }
    let folded = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() > max_chars {
        return Err(too_long(max_chars));
    }
    Ok(folded)
}

/// [`single_line`] for a field that must not be empty.
pub fn required_line(input: &str, max_chars: usize) -> Result<String, &'static str> {
    match single_line(input, max_chars)? {
        s if s.is_empty() => Err("form.required"),
        s => Ok(s),
    }
}

/// Text of several lines (a note, a comment): trimmed, line ends unified; other control characters
/// refused; at most `max_chars`. Empty is `Ok("")`. The error is an i18n key.
pub fn paragraph(input: &str, max_chars: usize) -> Result<String, &'static str> {
    let text = input.trim().replace("\r\n", "\n");
    if text
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_invisible_format(c))
    {
        return Err(PARAGRAPH_CHARS);
    }
    if text.chars().count() > max_chars {
        return Err(too_long(max_chars));
    }
    Ok(text)
}

/// The message for text of several lines with a control or invisible character: line breaks
/// are allowed there, so the one-line message would mislead.
pub const PARAGRAPH_CHARS: &str = "form.paragraph_chars";

/// The message for text longer than `max_chars`, naming that limit (each limit the forms use has
/// its own message; any other gets one without a number rather than a wrong one).
pub fn too_long(max_chars: usize) -> &'static str {
    match max_chars {
        60 => "form.too_long_60",
        200 => "form.too_long",
        300 => "form.too_long_300",
        500 => "form.too_long_500",
        1000 => "form.too_long_1000",
        2000 => "form.too_long_2000",
        5000 => "form.too_long_5000",
        _ => "form.too_long_any",
    }
}

/// Every limit [`too_long`] names.
pub const NAMED_LIMITS: [usize; 7] = [60, 200, 300, 500, 1000, 2000, 5000];

/// A code for a new list item or criterion, made from its label and unique among `taken`: nobody
/// types codes.
pub fn code_for(label: &str, taken: &std::collections::HashSet<String>) -> String {
    let mut slug = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = match slug.trim_end_matches('_') {
        "" => "butir".to_string(),
        s => s.to_string(),
    };
    (1..)
        .map(|n| {
            if n == 1 {
                slug.clone()
            } else {
                format!("{slug}_{n}")
            }
        })
        .find(|c| !taken.contains(c))
        .expect("an unused code")
}

/// Line and paragraph separators, bidirectional overrides and other format characters that split a
/// line or make a name read other than it is.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::single_line;

    #[test]
    fn folds_spaces_and_keeps_letters() {
        assert_eq!(
            single_line("  Siti   Nurhaliza ", 200).unwrap(),
            "Siti Nurhaliza"
        );
        assert_eq!(
            single_line("Dinas Ke-PU & Tata Ruang (Kota)", 200).unwrap(),
            "Dinas Ke-PU & Tata Ruang (Kota)"
        );
        assert_eq!(single_line("", 10).unwrap(), "");
    }

    #[test]
    fn refuses_every_control_character() {
        for bad in [
            "Ani\nBcc: x@y.id",
            "Ani\r\n",
            "Ani\rX",
            "A\tB",
            "A\u{0}B",
            "A\u{1b}[31mB",
            "A\u{7f}",
            "A\u{85}B",
            "A\u{2028}B",
            "A\u{202e}B",
        ] {
            assert_eq!(single_line(bad, 200), Err("form.control_chars"), "{bad:?}");
        }
    }

    #[test]
    fn every_limit_is_named_in_both_languages() {
        use super::{NAMED_LIMITS, PARAGRAPH_CHARS, paragraph, too_long};
        use crate::i18n::{Lang, t};
        for n in NAMED_LIMITS {
            let key = too_long(n);
            assert_eq!(single_line(&"a".repeat(n + 1), n), Err(key));
            assert_eq!(paragraph(&"a".repeat(n + 1), n), Err(key));
            for lang in [Lang::Id, Lang::En] {
                let text = t(lang, key, &[]);
                assert_ne!(text, key, "{key} translated");
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                assert_eq!(digits, n.to_string(), "{text} names {n}");
            }
        }
        assert_eq!(too_long(123), "form.too_long_any");
        // Line breaks are allowed in a paragraph: its message must not ask for one line.
        assert_eq!(paragraph("a\u{7}b", 100), Err(PARAGRAPH_CHARS));
        assert_eq!(paragraph("a\nb", 100).unwrap(), "a\nb");
        for lang in [Lang::Id, Lang::En] {
            assert_ne!(t(lang, PARAGRAPH_CHARS, &[]), PARAGRAPH_CHARS);
            assert_ne!(t(lang, "form.too_long_any", &[]), "form.too_long_any");
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(single_line(&"é".repeat(10), 10).is_ok());
        assert_eq!(single_line(&"é".repeat(11), 10), Err("form.too_long_any"));
        assert_eq!(single_line(&"é".repeat(201), 200), Err("form.too_long"));
    }
}
