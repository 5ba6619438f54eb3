//! Reading values the way Windows tools write them: `True`/`False` as text, numbers
//! where Graph has strings, and nested objects that PowerShell flattened to text
//! because `ConvertTo-Json` stopped at its `-Depth` (2 by default). The last one is a
//! broken export, not a value: it is an error that says how to export again.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Implements `Deserialize` for a struct that derives it with `#[serde(remote =
/// "Self")]`, accepting only a JSON object. serde's derived structs also accept a list
/// and read it by position, so `[true, "x"]` would silently become settings; a
/// hand-written file must say what it means by name.
macro_rules! deserialize_object_only {
    ($ty:ty, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;

                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<$ty, A::Error> {
                        // The derived (remote = "Self") inherent function.
                        <$ty>::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }

                d.deserialize_map(ObjectVisitor)
            }
        }
    };
}
pub(crate) use deserialize_object_only;

/// `True`/`False` in any letter case, also yes/no and 1/0.
pub fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "yes", "1"];
    const FALSE: [&str; 3] = ["false", "no", "0"];
    let s = s.trim();
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

/// One value of PowerShell's text form of an object, `@{a=1; b=two}`. Empty values
/// (`@{a=; b=}`) are `None`.
pub fn ps_object_field(text: &str, keys: &[&str]) -> Option<String> {
    let inner = text.trim().strip_prefix("@{")?.strip_suffix('}')?;
    inner.split("; ").find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        let v = v.trim();
        (keys.iter().any(|key| key.eq_ignore_ascii_case(k.trim())) && !v.is_empty())
            .then(|| v.to_owned())
    })
}

/// The message for a nested object that arrived as text.
fn flattened_object(text: &str) -> String {
    let shown = super::error::quote(text);
    if looks_like_powershell_text(text) {
        format!(
            "expected an object but found PowerShell's text form of one ({shown}): ConvertTo-Json stopped at its -Depth; export again with ConvertTo-Json -Depth 10"
        )
    } else {
        format!("expected an object, found the text {shown}")
    }
}

fn looks_like_powershell_text(text: &str) -> bool {
    text.starts_with("@{") || text.starts_with("Microsoft.Graph.") || text.starts_with("System.")
}

/// serde helper: a nested object (`null` is the default). Text where an object belongs
/// is an error that explains PowerShell's depth limit.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    d.deserialize_any(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        object(d)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Err(E::custom(flattened_object(v)))
    }
}

/// serde helper: an optional nested object, `None` when absent or `null`.
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(OptObjectVisitor(PhantomData))
}

struct OptObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OptObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        opt_object(d)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        Err(E::custom(flattened_object(v)))
    }
}

/// serde helper: a list of nested objects (`null` is empty; a lone object is a list of
/// one, as PowerShell writes single results). Text items are the depth error.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    d.deserialize_any(ListVisitor(PhantomData))
}

struct ListVisitor<T>(PhantomData<T>);

/// One list item read through [`object`].
struct Item<T>(T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Item)
    }
}

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Item(item)) = seq.next_element::<Item<T>>()? {
            out.push(item);
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| vec![t])
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        list(d)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        Err(E::custom(flattened_object(v)))
    }
}

/// serde helper: an optional bool written as JSON `true` or as text (`"True"`).
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(BoolVisitor)
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("true or false")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        parse_bool(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("{} is not true or false", super::error::quote(v))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        opt_bool(d)
    }
}

/// serde helper: an optional text value that some writers give as a number (Windows
/// PowerShell writes enumerations as their numeric value).
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<super::Text>, D::Error> {
    d.deserialize_any(TextVisitor)
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<super::Text>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(super::Text::from(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(super::Text::from(v.to_string())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(super::Text::from(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        opt_text(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        a: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "object")]
        one: Inner,
        #[serde(default, deserialize_with = "list")]
        many: Vec<Inner>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_text")]
        state: Option<crate::snapshot::Text>,
    }

    #[test]
    fn nested_objects_and_powershell_text() {
        let o: Outer =
            from_json(r#"{"one": null, "many": {"a": "x"}, "flag": "TRUE", "state": 2}"#).unwrap();
        assert_eq!(o.one, Inner::default());
        assert_eq!(
            o.many,
            vec![Inner {
                a: Some("x".into())
            }]
        );
        assert_eq!(o.flag, Some(true));
        assert_eq!(o.state.as_deref(), Some("2"));
        let err =
            from_json::<Outer>(r#"{"many": ["Microsoft.Graph.PowerShell.Models.X"]}"#).unwrap_err();
        assert!(err.contains("-Depth 10"), "{err}");
        let err = from_json::<Outer>(r#"{"one": "@{a=1}"}"#).unwrap_err();
        assert!(err.contains("ConvertTo-Json"), "{err}");
        assert!(from_json::<Outer>(r#"{"flag": "maybe"}"#).is_err());
    }

    #[test]
    fn text_helpers() {
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("x"), None);
        assert_eq!(
            ps_object_field("@{manufacturer=Apple; model=iPhone15,4}", &["model"]).as_deref(),
            Some("iPhone15,4")
        );
        assert_eq!(ps_object_field("@{model=}", &["model"]), None);
        assert_eq!(ps_object_field("plain", &["model"]), None);
    }
}
