//! The tera templates, compiled into the binary and loaded once per language, so that `t()` in a
//! template speaks the language of the page (or of the email's recipient).

use std::collections::HashMap;

use include_dir::{Dir, include_dir};

use crate::error::AppError;
use crate::i18n::{Lang, TeraTranslate};

static TEMPLATE_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One tera instance per language.
pub struct Templates {
    by_lang: HashMap<Lang, tera::Tera>,
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, String)>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            out.push((
                file.path().to_string_lossy().replace('\\', "/"),
                text.to_string(),
            ));
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// The tera filter `filesize`: bytes as people read them, never "0 KB" (`512 B`, `12 KB`, `3.4 MB`).
fn filesize(
    value: &tera::Value,
    _args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let bytes = value.as_f64().unwrap_or(0.0).max(0.0);
    let text = if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.0} KB", (bytes / 1024.0).ceil())
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    };
    Ok(tera::Value::String(text))
}

impl Templates {
    /// Parses every template; a syntax error stops start-up with the template's name.
    pub fn load() -> Result<Templates, AppError> {
        let mut sources = Vec::new();
        collect(&TEMPLATE_DIR, &mut sources);
        let mut by_lang = HashMap::new();
        for lang in Lang::ALL {
            let mut tera = tera::Tera::default();
            tera.autoescape_on(vec![".html"]);
            tera.register_function("t", TeraTranslate(lang));
            tera.register_filter("jakarta", crate::time::TeraJakarta(lang));
            tera.register_filter("day", crate::time::TeraDay(lang));
            tera.register_filter("filesize", filesize);
            tera.register_filter("total", TeraTotal(lang));
            tera.register_function("asset", crate::web::assets::AssetUrl);
            tera.add_raw_templates(sources.clone())?;
            by_lang.insert(lang, tera);
        }
        Ok(Templates { by_lang })
    }

    /// Renders a template in a language.
    pub fn render(&self, lang: Lang, name: &str, ctx: &tera::Context) -> Result<String, AppError> {
        let tera = self
            .by_lang
            .get(&lang)
            .ok_or_else(|| AppError::Internal(format!("no templates for {lang:?}")))?;
        Ok(tera.render(name, ctx)?)
    }

    /// The raw source of every template, by name.
    pub fn sources() -> Vec<(String, String)> {
        let mut out = Vec::new();
        collect(&TEMPLATE_DIR, &mut out);
        out
    }
}

/// A weighted total kept in hundredths, as people read it: `78,50` (Indonesian), `78.50` (English).
pub fn format_total(bp: i32, lang: Lang) -> String {
    let s = format!("{}.{:02}", bp / 100, bp % 100);
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// The tera filter `total`: a total in hundredths in, [`format_total`] out (empty when none).
pub struct TeraTotal(pub Lang);

impl tera::Filter for TeraTotal {
    fn filter(
        &self,
        value: &tera::Value,
        _args: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        Ok(tera::Value::String(
            value
                .as_i64()
                .map(|bp| format_total(bp as i32, self.0))
                .unwrap_or_default(),
        ))
    }
}
