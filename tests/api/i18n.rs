//! Both languages have every string, and every key the templates use exists.

use std::collections::BTreeSet;

use biw::i18n::{Lang, catalog};

#[test]
fn both_catalogues_have_the_same_keys() {
    let id: BTreeSet<_> = catalog(Lang::Id).keys().cloned().collect();
    let en: BTreeSet<_> = catalog(Lang::En).keys().cloned().collect();
    assert!(id.len() > 100);
    let only_id: Vec<_> = id.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&id).collect();
    assert!(
        only_id.is_empty() && only_en.is_empty(),
        "only in id: {only_id:?}; only in en: {only_en:?}"
    );
}

/// Literal keys in templates: `t(k="…")` and the `label=`/`hint=` arguments of the form macros.
fn template_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (name, src) in biw::templates::Templates::sources() {
        for marker in ["t(k=\"", "t(k='", ", label=\"", ", hint=\""] {
            let mut rest = src.as_str();
            while let Some(i) = rest.find(marker) {
                rest = &rest[i + marker.len()..];
                let end = rest.find(['"', '\'']).unwrap();
                let key = &rest[..end];
                // Keys built with `~` end in a dot; their parts are checked below.
                if !key.ends_with('.') && !key.ends_with('_') && !key.is_empty() {
                    keys.insert(key.to_string());
                }
                let _ = &name;
            }
        }
    }
    keys
}

#[test]
fn every_key_used_in_templates_is_translated() {
    let keys = template_keys();
    assert!(keys.len() > 80, "found {}", keys.len());
    for lang in Lang::ALL {
        let cat = catalog(lang);
        let missing: Vec<_> = keys.iter().filter(|k| !cat.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn every_value_of_a_built_key_is_translated() {
    use biw::domain::{Role, UnitType};
    for lang in Lang::ALL {
        let cat = catalog(lang);
        let mut wanted: Vec<String> = Role::ALL
            .iter()
            .map(|r| format!("role.{}", r.code()))
            .collect();
        wanted.extend(
            UnitType::ALL
                .iter()
                .map(|t| format!("unit_type.{}", t.code())),
        );
        wanted
            .extend(["pending", "sending", "sent", "failed"].map(|s| format!("outbox.status_{s}")));
        wanted.extend(["active", "inactive", "invited"].map(|s| format!("users.status_{s}")));
        wanted.extend(Lang::ALL.iter().map(|l| format!("lang.{}", l.code())));
        wanted.extend(["csrf", "bad_request"].map(|k| format!("errors.kind_{k}")));
        for code in ["403", "404", "500", "other"] {
            wanted.push(format!("errors.{code}_title"));
            wanted.push(format!("errors.{code}_text"));
        }
        // The audit log labels every action, family and object it can hold.
        wanted.extend(
            biw::audit::ACTIONS
                .iter()
                .map(|a| biw::audit::action_key(a)),
        );
        wanted.extend(
            biw::audit::families()
                .iter()
                .map(|f| format!("audit_family.{f}")),
        );
        wanted.extend(
            biw::audit::OBJECTS
                .iter()
                .map(|o| format!("audit_object.{o}")),
        );
        for kind in ["users", "units"] {
            for suffix in ["title", "lead", "sample"] {
                wanted.push(format!("import.{kind}_{suffix}"));
            }
        }
        let missing: Vec<_> = wanted.iter().filter(|k| !cat.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn keys_named_in_rust_code_are_translated() {
    // Every string literal in src/ that looks like a catalogue key and whose section exists.
    let cat = catalog(Lang::Id);
    let sections: BTreeSet<&str> = cat.keys().map(|k| k.split('.').next().unwrap()).collect();
    let mut missing = Vec::new();
    for (path, src) in sources() {
        // Unit tests post form field names (`evidence.0.label_id`) that share the shape.
        let src = src
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for lit in src.split('"').skip(1).step_by(2) {
            let Some((section, rest)) = lit.split_once('.') else {
                continue;
            };
            let plausible = !rest.is_empty()
                && lit
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c.is_ascii_digit());
            // Audit actions (`user.invite`) share the shape but live in the `user`/`unit`/… namespaces.
            if plausible && sections.contains(section) && !cat.contains_key(lit) {
                missing.push(format!("{}: {lit}", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "untranslated keys: {missing:?}");
}

/// The Rust sources under `src/`, each with its path.
fn sources() -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(p) = stack.pop() {
        for entry in std::fs::read_dir(&p).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).unwrap();
                out.push((path, src));
            }
        }
    }
    out
}

/// The text from an opening parenthesis at `open` to its match.
fn balanced(src: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in src[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &src[open..open + i + 1];
                }
            }
            _ => {}
        }
    }
    &src[open..]
}

/// The object keys (`"name":`) written in a `json!` body.
fn json_keys(body: &str, keys: &mut BTreeSet<String>) {
    for (q, _) in body.match_indices('"') {
        let tail = &body[q + 1..];
        let Some(close) = tail.find('"') else { break };
        let word = &tail[..close];
        let after = tail[close + 1..].trim_start();
        if !word.is_empty()
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && after.starts_with(':')
            && !after.starts_with("::")
        {
            keys.insert(word.to_string());
        }
    }
}

#[test]
fn every_field_an_audit_event_records_has_a_label() {
    // The keys of the detail of every `audit::record(…)` call, written in the call or in the
    // `let detail = json!(…)` it names: the log shows each as a labelled line, in both languages.
    let mut keys = BTreeSet::new();
    let mut calls = 0;
    for (_, src) in sources() {
        for (at, m) in src.match_indices("audit::record(") {
            calls += 1;
            let call = balanced(&src, at + m.len() - 1);
            if let Some(j) = call.find("json!(") {
                json_keys(balanced(call, j + 5), &mut keys);
                continue;
            }
            // The detail is the last argument, a name bound earlier in the same file.
            let last = call
                .trim_end_matches(')')
                .trim_end()
                .trim_end_matches(',')
                .rsplit(',')
                .next()
                .unwrap_or_default()
                .trim();
            let binding = format!("let {last} = json!(");
            let before = &src[..at];
            let Some(b) = before.rfind(&binding) else {
                continue;
            };
            json_keys(balanced(before, b + binding.len() - 1), &mut keys);
        }
    }
    keys.remove("before");
    keys.remove("after");
    assert!(
        calls > 60 && keys.len() > 40,
        "{calls} calls, {} keys",
        keys.len()
    );
    assert!(
        keys.contains("weights"),
        "a detail bound before the call is read"
    );
    for lang in Lang::ALL {
        let cat = catalog(lang);
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !cat.contains_key(&format!("audit_field.{k}")))
            .collect();
        assert!(missing.is_empty(), "{lang:?} lacks audit_field {missing:?}");
    }
}
