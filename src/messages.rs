//! The user-facing words of reports and commands, per language, from `locales/`.
//! Rule texts are in `rules/` (see [`crate::knowledge`]).

use std::collections::BTreeMap;
use std::sync::OnceLock;

const SOURCES: &[(&str, &str)] = &[("en", include_str!("../locales/en.toml"))];

pub struct Messages {
    map: BTreeMap<String, String>,
    fallback: Option<&'static Messages>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
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
                out.insert(key, toml::to_string(other).unwrap_or_default());
            }
        }
    }
}

fn parse(lang: &str, source: &str) -> BTreeMap<String, String> {
    let table: toml::Table = toml::from_str(source)
        .unwrap_or_else(|e| panic!("locales/{lang}.toml is invalid (checked by tests): {e}"));
    let mut map = BTreeMap::new();
    flatten("", &table, &mut map);
    map
}

/// The messages of `lang`, falling back to English key by key.
pub fn get(lang: &str) -> &'static Messages {
    static ALL: OnceLock<BTreeMap<&'static str, &'static Messages>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let en: &'static Messages = Box::leak(Box::new(Messages {
            map: parse("en", SOURCES[0].1),
            fallback: None,
        }));
        let mut all = BTreeMap::from([("en", en)]);
        for (code, source) in &SOURCES[1..] {
            let m: &'static Messages = Box::leak(Box::new(Messages {
                map: parse(code, source),
                fallback: Some(en),
            }));
            all.insert(*code, m);
        }
        all
    });
    all.get(lang).copied().unwrap_or(all["en"])
}

/// Language codes that have messages.
pub fn languages() -> Vec<&'static str> {
    SOURCES.iter().map(|(c, _)| *c).collect()
}

impl Messages {
    /// The message for `key`; a missing key shows as `⟦key⟧` so tests catch it.
    pub fn t(&self, key: &str) -> String {
        self.map
            .get(key)
            .cloned()
            .or_else(|| self.fallback.map(|f| f.t(key)))
            .unwrap_or_else(|| format!("⟦{key}⟧"))
    }

    /// The message with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
