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
    let mut text = match cat.get(key) {
        Some(s) => s.clone(),
        None => return key.to_string(),
    };
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
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
