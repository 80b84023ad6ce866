//! Every user-facing string, in Bahasa Indonesia (the default) and English, from `src/i18n/*.toml`.
//! Templates call `t(k="…")`; Rust code passes keys around and translates only when rendering.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Both languages, default first.
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The code stored in the database and used in URLs and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Parses a code; anything unknown is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text of a bilingual pair (a label stored in Indonesian and English) in this language; an
    /// English text left empty shows the Indonesian one.
    pub fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.trim().is_empty() => en,
            _ => id,
        }
    }

    /// The stored code, falling back to the default language.
    pub fn from_code(code: &str) -> Lang {
        Lang::parse(code).unwrap_or_default()
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Id => include_str!("i18n/id.toml"),
            Lang::En => include_str!("i18n/en.toml"),
        }
    }
}

/// A flattened catalogue: `section.key` → text.
pub type Catalog = HashMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// The catalogue of one language, parsed once.
pub fn catalog(lang: Lang) -> Arc<Catalog> {
    static CATALOGS: OnceLock<HashMap<Lang, Arc<Catalog>>> = OnceLock::new();
    CATALOGS
        .get_or_init(|| {
            Lang::ALL
                .iter()
                .map(|&l| {
                    let table: toml::Table = l.source().parse().unwrap_or_else(|e| {
                        panic!("src/i18n/{}.toml is not valid TOML: {e}", l.code())
                    });
                    let mut out = Catalog::new();
                    flatten("", &table, &mut out);
                    (l, Arc::new(out))
                })
                .collect()
        })
        .get(&lang)
        .cloned()
        .unwrap_or_default()
}

/// Translates `key` with `{name}` placeholders filled from `args`. A missing key shows itself, so a
/// gap is visible rather than blank (and `tests/api/i18n.rs` fails on it).
pub fn t(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let cat = catalog(lang);
    match cat.get(key) {
        Some(s) => fill(s, args),
        None => key.to_string(),
    }
}

/// Fills `{name}` placeholders in one pass: a filled value is never read again, so a name that
/// itself reads `{n}` stays as typed, and a row's label costs no search per argument (the board
/// fills 150 labels a view). Placeholders with no argument stay as they are.
fn fill(text: &str, args: &[(&str, String)]) -> String {
    if args.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (v, close))
        });
        match filled {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The tera function `t(k="key", name=value…)`, bound to one language.
pub struct TeraTranslate(pub Lang);

impl tera::Function for TeraTranslate {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args
            .get("k")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("t() needs k=\"key\""))?;
        let params: Vec<(&str, String)> = args
            .iter()
            .filter(|(name, _)| name.as_str() != "k")
            .map(|(name, v)| {
                let s = match v {
                    tera::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (name.as_str(), s)
            })
            .collect();
        Ok(tera::Value::String(t(self.0, key, &params)))
    }

    fn is_safe(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::fill;

    fn args(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_stay() {
        let a = args(&[("n", "3"), ("name", "Budi")]);
        assert_eq!(fill("{name} has {n} of {n}", &a), "Budi has 3 of 3");
        assert_eq!(fill("{missing} and {n}", &a), "{missing} and 3");
        assert_eq!(fill("open { and {n}", &a), "open { and 3");
        assert_eq!(fill("no close {n", &a), "no close {n");
        assert_eq!(fill("", &a), "");
        // A typed value is never read as a placeholder itself.
        let a = args(&[("name", "{n}"), ("n", "7")]);
        assert_eq!(fill("{name}: {n}", &a), "{n}: 7");
    }
}
