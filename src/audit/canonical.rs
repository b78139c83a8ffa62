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

/// Append the canonical JSON of the string `s` to `out`: the same bytes as
/// [`canonical_json`] writes for it, without building a [`Value`].
pub fn push_canonical_string(s: &str, out: &mut Vec<u8>) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let mut text = String::with_capacity(s.len() + 8);
        write_string(s, &mut text);
        out.extend_from_slice(text.as_bytes());
    }
}

/// Nesting beyond which [`canonical_value_end`] stops checking and says "not canonical",
/// leaving the decision to the full parser (which has its own limit).
const MAX_SCAN_DEPTH: usize = 64;

/// If `bytes[start..]` begins with a JSON value written exactly as [`canonical_json`] would
/// write it, the position just after that value; otherwise `None`.
///
/// This is what lets a verifier hash the bytes as they stand in an export line or a stored
/// row instead of parsing and re-serialising them: bytes this accepts parse to a value whose
/// canonical text is those same bytes. It accepts sorted, unique keys, no white space,
/// integers within ±(2^53 − 1) without a sign on zero, and strings with only the escapes
/// JCS writes; anything else (floats, other escapes, deep nesting) is `None`, even where it
/// is valid JSON. `bytes` must be valid UTF-8 (it comes from a `str`).
pub fn canonical_value_end(bytes: &[u8], start: usize) -> Option<usize> {
    value_end(bytes, start, 0)
}

fn value_end(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' => {
            if depth >= MAX_SCAN_DEPTH {
                return None;
            }
            let mut i = i + 1;
            if b.get(i) == Some(&b'}') {
                return Some(i + 1);
            }
            let mut previous: Option<&[u8]> = None;
            loop {
                let key_end = string_end(b, i)?;
                let key = &b[i..key_end];
                if let Some(p) = previous {
                    if !key_before(p, key)? {
                        return None;
                    }
                }
                previous = Some(key);
                if b.get(key_end) != Some(&b':') {
                    return None;
                }
                i = value_end(b, key_end + 1, depth + 1)?;
                match *b.get(i)? {
                    b',' => i += 1,
                    b'}' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            if depth >= MAX_SCAN_DEPTH {
                return None;
            }
            let mut i = i + 1;
            if b.get(i) == Some(&b']') {
                return Some(i + 1);
            }
            loop {
                i = value_end(b, i, depth + 1)?;
                match *b.get(i)? {
                    b',' => i += 1,
                    b']' => return Some(i + 1),
                    _ => return None,
                }
            }
        }
        b't' => literal_end(b, i, b"true"),
        b'f' => literal_end(b, i, b"false"),
        b'n' => literal_end(b, i, b"null"),
        b'-' | b'0'..=b'9' => integer_end(b, i),
        _ => None,
    }
}

fn literal_end(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (b.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// An integer as canonical JSON writes it: no plus sign, no leading zeros, no `-0`, and
/// within the range JCS represents exactly. What follows it is the caller's to check (a
/// `.` or an `e` there makes the enclosing value fail).
fn integer_end(b: &[u8], i: usize) -> Option<usize> {
    let negative = b[i] == b'-';
    let digits = if negative { i + 1 } else { i };
    let mut j = digits;
    let mut value: i64 = 0;
    while let Some(d) = b.get(j).filter(|d| d.is_ascii_digit()) {
        value = value * 10 + i64::from(d - b'0');
        if value > MAX_SAFE_INTEGER {
            return None;
        }
        j += 1;
    }
    let len = j - digits;
    let leading_zero = len > 1 && b[digits] == b'0';
    let negative_zero = negative && value == 0;
    (len > 0 && !leading_zero && !negative_zero).then_some(j)
}

/// The integer canonical JSON writes as `bytes` (as [`canonical_value_end`] accepts it).
pub fn canonical_integer(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || integer_end(bytes, 0) != Some(bytes.len()) {
        return None;
    }
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let value = digits
        .iter()
        .fold(0i64, |v, d| v * 10 + i64::from(d - b'0'));
    Some(if negative { -value } else { value })
}

/// The position after the closing quote of the string starting at `i`, if it is written
/// with exactly the escapes [`canonical_json`] uses.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match *b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => match *b.get(j + 1)? {
                b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                b'u' => {
                    let hex = b.get(j + 2..j + 6)?;
                    let digit = |c: u8| match c {
                        b'0'..=b'9' => Some(u32::from(c - b'0')),
                        b'a'..=b'f' => Some(u32::from(c - b'a') + 10),
                        _ => None,
                    };
                    if hex[0] != b'0' || hex[1] != b'0' {
                        return None;
                    }
                    let code = digit(hex[2])? * 16 + digit(hex[3])?;
                    // Only control characters without a short escape are written as \u00xx.
                    if code >= 0x20 || matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                        return None;
                    }
                    j += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => j += 1,
        }
    }
}

/// Whether object key `a` sorts strictly before `b` (both with their quotes) in JCS order,
/// by UTF-16 code units; `None` if a key cannot be decoded.
fn key_before(a: &[u8], b: &[u8]) -> Option<bool> {
    let plain = |k: &[u8]| k.iter().all(|&c| c != b'\\' && c < 0x80);
    if plain(a) && plain(b) {
        // ASCII without escapes: bytes and UTF-16 code units order alike.
        return Some(a[1..a.len() - 1] < b[1..b.len() - 1]);
    }
    let a: String = serde_json::from_slice(a).ok()?;
    let b: String = serde_json::from_slice(b).ok()?;
    Some(a.encode_utf16().lt(b.encode_utf16()))
}

/// Whether `text` is, in full, the canonical JSON of the value it denotes.
pub fn is_canonical(text: &str) -> bool {
    canonical_value_end(text.as_bytes(), 0) == Some(text.len())
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

    #[test]
    fn the_scanner_accepts_exactly_canonical_text() {
        for good in [
            r#"{"B":true,"a":{"c":null,"d":[1,2]},"b":1}"#,
            "[]",
            "{}",
            r#""a\"b\\c\n\t\b\f\r\u0001\u001f""#,
            "\"\u{7f}é😀\u{2028}\"",
            "-9007199254740991",
            "9007199254740991",
            "0",
            r#"{"":0,"a":-1,"aa":[{}]}"#,
        ] {
            assert!(is_canonical(good), "{good}");
            let back: Value = serde_json::from_str(good).unwrap();
            assert_eq!(canonical_json(&back).unwrap(), good);
        }
        for bad in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a": 1}"#,
            " 1",
            "1.5",
            "1e3",
            "-0",
            "01",
            "-",
            "9007199254740992",
            "99999999999999999999999",
            r#""\/""#,
            r#""\u0041""#,
            r#""\u000a""#,
            r#""\u001F""#,
            r#""\ud83d\ude00""#,
            r#""\u00"#,
            "\"\u{1}\"",
            "\"open",
            "[1,]",
            r#"{"a":1"#,
            r#"{"a"}"#,
            "tru",
            "nul",
            "",
        ] {
            assert!(!is_canonical(bad), "{bad}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(!is_canonical(&deep));
    }

    #[test]
    fn keys_sort_by_utf16_code_units_not_code_points() {
        // U+FF61 precedes U+1F600 by code point (and in UTF-8), but the emoji's first
        // UTF-16 code unit, 0xD83D, is below 0xFF61, so in JCS order it comes first.
        let text = canonical_json(&json!({"\u{ff61}": 2, "😀": 1})).unwrap();
        assert_eq!(text, "{\"😀\":1,\"\u{ff61}\":2}");
        assert!(is_canonical(&text));
        assert!(!is_canonical("{\"\u{ff61}\":2,\"😀\":1}"));
        assert!(is_canonical(r#"{"\n":1,"a":2}"#));
        assert!(!is_canonical(r#"{"a":2,"\n":1}"#));
    }

    #[test]
    fn canonical_integers_read_back() {
        assert_eq!(canonical_integer(b"0"), Some(0));
        assert_eq!(canonical_integer(b"-42"), Some(-42));
        assert_eq!(
            canonical_integer(b"9007199254740991"),
            Some(MAX_SAFE_INTEGER)
        );
        for bad in [&b""[..], b"-0", b"01", b"1x", b"9007199254740992", b"-"] {
            assert_eq!(canonical_integer(bad), None);
        }
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
        fn strings_are_written_as_canonical_json_writes_them(s in any::<String>()) {
            let mut out = Vec::new();
            push_canonical_string(&s, &mut out);
            prop_assert_eq!(out, canonical_json(&Value::String(s)).unwrap().into_bytes());
        }

        #[test]
        fn canonical_text_is_recognised(v in arb_json()) {
            let text = canonical_json(&v).unwrap();
            prop_assert!(is_canonical(&text), "{}", text);
        }

        #[test]
        fn text_the_scanner_accepts_is_its_own_canonical_form(v in arb_json()) {
            // serde's own output (insertion order, pretty-printed) passes only when canonical.
            let texts = [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()];
            for text in texts {
                if is_canonical(&text) {
                    let back: Value = serde_json::from_str(&text).unwrap();
                    prop_assert_eq!(canonical_json(&back).unwrap(), text);
                }
            }
        }

        #[test]
        fn canonical_text_has_no_insignificant_white_space(v in arb_json()) {
            let text = canonical_json(&v).unwrap();
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(text.len(), compact.len());
        }
    }
}
