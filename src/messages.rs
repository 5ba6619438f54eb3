//! The user-facing words of reports and commands, per language, from `locales/`.
//! Rule texts are in `rules/` (see [`crate::knowledge`]).

use std::collections::BTreeMap;
use std::sync::OnceLock;

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.toml")),
    ("ko", include_str!("../locales/ko.toml")),
    ("ja", include_str!("../locales/ja.toml")),
    ("zh-TW", include_str!("../locales/zh-TW.toml")),
    ("pt-BR", include_str!("../locales/pt-BR.toml")),
];

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

/// The languages lookout-doctor speaks, English first (the fallback).
pub const LANGUAGES: [&str; 5] = ["en", "ko", "ja", "zh-TW", "pt-BR"];

/// Language codes that have messages.
pub fn languages() -> Vec<&'static str> {
    SOURCES.iter().map(|(c, _)| *c).collect()
}

/// Maps a language tag or POSIX locale ("ko", "ko_KR.UTF-8", "zh-Hant-TW", "pt_BR")
/// to one of [`LANGUAGES`].
pub fn match_language(tag: &str) -> Option<&'static str> {
    let base = tag
        .split(['.', '@'])
        .next()
        .unwrap_or("")
        .replace('-', "_")
        .to_ascii_lowercase();
    let mut parts = base.split('_');
    let lang = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match lang {
        "en" | "c" | "posix" => Some("en"),
        "ko" => Some("ko"),
        "ja" => Some("ja"),
        // Traditional Chinese: Taiwan, Hong Kong, Macau, or the Hant script.
        "zh" if rest
            .iter()
            .any(|p| matches!(*p, "tw" | "hk" | "mo" | "hant")) =>
        {
            Some("zh-TW")
        }
        // Brazilian Portuguese serves Portuguese better than English does.
        "pt" => Some("pt-BR"),
        _ => None,
    }
}

/// The output language: `--lang`, else the first of LC_ALL, LC_MESSAGES and LANG that
/// is set (as POSIX does); an unknown locale means English. An unknown `--lang` is an
/// error, because the user asked for it explicitly.
pub fn resolve(explicit: Option<&str>) -> Result<&'static str, String> {
    if let Some(tag) = explicit {
        return match_language(tag).ok_or_else(|| {
            format!(
                "--lang {tag}: not a language lookout-doctor speaks (one of: {})",
                LANGUAGES.join(", ")
            )
        });
    }
    let from_env = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    Ok(from_env.as_deref().and_then(match_language).unwrap_or("en"))
}

static CURRENT: OnceLock<&'static str> = OnceLock::new();

/// Sets the process's output language once, at start-up.
pub fn set_language(lang: &'static str) {
    let _ = CURRENT.set(lang);
}

/// The output language (English until set).
pub fn language() -> &'static str {
    CURRENT.get().copied().unwrap_or("en")
}

/// The messages of the output language.
pub fn current() -> &'static Messages {
    get(language())
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

    /// The message with `{name}` placeholders filled, in one pass over the message:
    /// a value is never searched for placeholders, so a name that reads `{count}`
    /// stays as written. A placeholder without a value is left as written.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let template = self.t(key);
        let mut text = String::with_capacity(template.len() + 32);
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                let (_, value) = args.iter().find(|(n, _)| *n == name)?;
                Some((close, value))
            });
            match value {
                Some((close, value)) => {
                    use std::fmt::Write as _;
                    let _ = write!(text, "{value}");
                    rest = &after[close + 1..];
                }
                None => {
                    text.push('{');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        text
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_map_to_our_languages() {
        for (tag, want) in [
            ("ko_KR.UTF-8", Some("ko")),
            ("ja_JP", Some("ja")),
            ("ja_JP.eucJP", Some("ja")),
            ("zh_TW.UTF-8", Some("zh-TW")),
            ("zh-Hant-TW", Some("zh-TW")),
            ("zh_CN.UTF-8", None),
            ("pt_BR.UTF-8", Some("pt-BR")),
            ("pt-BR", Some("pt-BR")),
            ("C.UTF-8", Some("en")),
            ("fr_FR", None),
        ] {
            assert_eq!(match_language(tag), want, "{tag}");
        }
        assert!(resolve(Some("fr")).is_err());
        assert_eq!(resolve(Some("KO")).unwrap(), "ko");
    }

    /// Every language has every message, with the same placeholders as English.
    #[test]
    fn every_message_is_translated() {
        let en = get("en");
        assert_eq!(languages(), LANGUAGES.to_vec());
        let names = |t: &str| {
            let mut v: Vec<String> = t
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(k, _)| k.to_string()))
                .collect();
            v.sort();
            v
        };
        for lang in &LANGUAGES[1..] {
            let m = get(lang);
            for key in en.keys() {
                assert!(m.has(key), "locales/{lang}.toml lacks {key}");
                assert_eq!(
                    names(&m.t(key)),
                    names(&en.t(key)),
                    "locales/{lang}.toml {key}"
                );
            }
            assert_eq!(
                m.keys().count(),
                en.keys().count(),
                "locales/{lang}.toml has extra keys"
            );
        }
    }

    #[test]
    fn a_value_never_fills_a_later_placeholder() {
        let en = get("en");
        let text = en.f(
            "report.summary",
            &[("error", &"{warning}"), ("warning", &2), ("info", &"{x")],
        );
        assert_eq!(text, "Summary: {warning} error(s), 2 warning(s), {x info.");
    }
}
