//! RFC 8785 (JCS) canonical JSON for the project's data: sorted keys, no white space,
//! UTF-8, integers only. Floats are refused, because the chain format forbids them.

use serde_json::Value;
use std::fmt::Write;

/// Largest integer JCS (which prints numbers as IEEE doubles) represents exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Why a value has no canonical form in this project.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalError {
    #[error("floating-point numbers are not allowed in audit payloads ({0})")]
    Float(String),
    #[error("integer {0} is outside the range JSON numbers represent exactly")]
    IntegerRange(String),
}

/// The canonical text of `value`.
pub fn canonical_json(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let int = n.as_i64().filter(|i| i.abs() <= MAX_SAFE_INTEGER);
            match int {
                Some(i) => write!(out, "{i}").expect("writing to a String cannot fail"),
                None if n.is_f64() => return Err(CanonicalError::Float(n.to_string())),
                None => return Err(CanonicalError::IntegerRange(n.to_string())),
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // JCS sorts keys by their UTF-16 code units.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// ECMAScript `JSON.stringify` string escaping, as JCS requires.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                write!(out, "\\u{:04x}", c as u32).expect("writing to a String cannot fail")
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_white_space_dropped() {
        let v = json!({"b": 1, "a": {"d": [1, 2], "c": null}, "B": true});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"B":true,"a":{"c":null,"d":[1,2]},"b":1}"#
        );
    }

    #[test]
    fn control_characters_are_escaped_and_unicode_kept() {
        let v = json!("a\"b\\c\n\t\u{1}\u{7f}é😀\u{2028}");
        assert_eq!(
            canonical_json(&v).unwrap(),
            "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é😀\u{2028}\""
        );
    }

    #[test]
    fn floats_and_huge_integers_are_refused() {
        assert!(matches!(
            canonical_json(&json!({"x": 1.5})),
            Err(CanonicalError::Float(_))
        ));
        assert!(matches!(
            canonical_json(&json!(9_007_199_254_740_992_i64)),
            Err(CanonicalError::IntegerRange(_))
        ));
        assert!(matches!(
            canonical_json(&json!(u64::MAX)),
            Err(CanonicalError::IntegerRange(_))
        ));
        assert_eq!(
            canonical_json(&json!(-9_007_199_254_740_991_i64)).unwrap(),
            "-9007199254740991"
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(|i| json!(i)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[ -~]{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_text_parses_back_to_the_same_value(v in arb_json()) {
            let text = canonical_json(&v).unwrap();
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &v);
            // and is a fixed point
            prop_assert_eq!(canonical_json(&back).unwrap(), text);
        }

        #[test]
        fn canonical_text_has_no_insignificant_white_space(v in arb_json()) {
            let text = canonical_json(&v).unwrap();
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(text.len(), compact.len());
        }
    }
}
