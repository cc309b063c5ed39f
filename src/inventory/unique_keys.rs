//! Refusing JSON objects that name a key twice.
//!
//! serde keeps the last of two equal keys in a map, silently: a second `"eu-west-1": {}` would
//! hide a region's resources and a second `"environment"` tag would reclassify an account. A
//! snapshot or policy document that names a key twice is ambiguous, so it is refused before it
//! is read.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Checks that no object in `bytes` names a key twice. The error names the JSON path of the
/// object and the key; serde_json gives it the line and column where the second key ends.
pub fn check(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Walk { path: "" }.deserialize(&mut deserializer)?;
    deserializer.end()
}

/// One value, at `path` (`.accounts[3].tags`).
struct Walk<'p> {
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        let mut path = String::new();
        loop {
            path.clear();
            path.push_str(self.path);
            path.push('[');
            path.push_str(&index.to_string());
            path.push(']');
            if seq.next_element_seed(Walk { path: &path })?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are small: a list beats a hash set, and keeps borrowed keys borrowed.
        let mut keys: Vec<std::borrow::Cow<'de, str>> = Vec::new();
        let mut path = String::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            if keys.contains(&key) {
                let at = if self.path.is_empty() { "." } else { self.path };
                return Err(de::Error::custom(format!(
                    "{at}: the key `{key}` appears twice in one object; a JSON reader would keep only the last, so the file is refused"
                )));
            }
            path.clear();
            path.push_str(self.path);
            path.push('.');
            path.push_str(&key);
            map.next_value_seed(Walk { path: &path })?;
            keys.push(key);
        }
        Ok(())
    }
}

/// An object key, borrowed from the input when it holds no escape.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn distinct_keys_pass_at_any_depth() {
        check(br#"{"a": {"b": 1, "c": [ {"b": 2}, {"b": 3} ]}, "b": null}"#).unwrap();
    }

    #[test]
    fn a_repeated_key_is_named_with_its_path_and_position() {
        let text = "{\"accounts\": [{\"tags\": {\n\"environment\": \"prod\",\n\"environment\": \"sandbox\"}}]}";
        let err = check(text.as_bytes()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(".accounts[0].tags: the key `environment` appears twice"),
            "{message}"
        );
        assert_eq!(err.line(), 3, "{message}");
    }

    #[test]
    fn an_escaped_spelling_of_the_same_key_is_the_same_key() {
        let err = check(br#"{"regions": {"eu-west-1": {}, "eu-west-\u0031": {}}}"#).unwrap_err();
        assert!(
            err.to_string().contains(".regions: the key `eu-west-1`"),
            "{err}"
        );
    }
}
