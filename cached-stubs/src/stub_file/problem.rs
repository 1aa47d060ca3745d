//! What is wrong with a stub that can't be replayed: found by reading a file the strict
//! reading rejected again, leniently, and by checking what the strict reading can't.

use super::{Body, Expected, FORMAT, Field, LONGEST_WAIT_MS, Recorded, Replayed, Staleness, read};
use serde::de::IgnoredAny;
use serde_json::Value;
use std::fmt;

/// Why a stub that [`read`] rejected can't be replayed.
#[derive(Debug, PartialEq)]
pub(crate) enum Problem {
    /// Written by a newer cached-stubs.
    NewerFormat(u64),
    /// Recorded from another version of the function, or with other dependencies; its body
    /// may not fit any more.
    Stale(Staleness),
    /// Recorded by another function, which this one shares a folder with.
    ByAnotherFunction(String),
    /// Anything else: not JSON, truncated, wrong fields or a body of another type.
    Broken(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NewerFormat(format) => write!(
                f,
                "it is in stub format {format}, written by a newer cached-stubs; this one reads \
                 format {FORMAT}: upgrade cached-stubs"
            ),
            Problem::Stale(_) => {
                f.write_str("it was recorded from another version of the function")
            }
            Problem::ByAnotherFunction(other) => {
                write!(f, "it was recorded by another function, `{other}`")
            }
            Problem::Broken(error) => f.write_str(error),
        }
    }
}

/// Reads a rejected stub again leniently to say what is wrong with it; `error` is what the
/// strict reading said.
pub(crate) fn diagnose(bytes: &[u8], expected: Expected<'_>, error: &serde_json::Error) -> Problem {
    let Ok(Value::Object(stub)) = serde_json::from_slice::<Value>(bytes) else {
        return Problem::Broken(error.to_string());
    };
    match stub.get(Field::Format.name()).and_then(Value::as_u64) {
        Some(format) if format > FORMAT => return Problem::NewerFormat(format),
        Some(FORMAT) => {}
        _ => return Problem::Broken(format!("\"format\" is not {FORMAT} ({error})")),
    }
    // Stale (or another function's) only if sound but for its body, of the kind it has: a
    // broken file is never taken for a stale one.
    match read::<IgnoredAny>(bytes, expected, Body::of(&stub)) {
        Ok(Replayed { recorded, .. }) => match recorded {
            Recorded::Stale(staleness) => Problem::Stale(staleness),
            Recorded::ByAnotherFunction(other) => Problem::ByAnotherFunction(other),
            Recorded::Current => Problem::Broken(error.to_string()),
        },
        Err(structure) => Problem::Broken(structure.to_string()),
    }
}

/// Checks that a stub's `offsets_ms` can time its `items` items: one each, never going
/// back, within [`LONGEST_WAIT_MS`]. Apart from [`read`], which a stale stub with broken
/// offsets must pass, to be found stale.
pub(crate) fn check_offsets(offsets_ms: &[u64], items: usize) -> Result<(), Problem> {
    let broken = |what: &str| Err(Problem::Broken(format!("\"offsets_ms\" must {what}")));
    if offsets_ms.len() != items {
        return broken("have one offset per item");
    }
    if offsets_ms.windows(2).any(|pair| pair[0] > pair[1]) {
        return broken("never go down");
    }
    if offsets_ms
        .last()
        .is_some_and(|&last| last > LONGEST_WAIT_MS)
    {
        return broken("stay within an hour (3600000)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub_file::write::tests::{EXPECTED, written};
    use serde_json::json;

    /// What a stub recorded from another version of its function's tokens is.
    const SOURCE_CHANGED: Problem = Problem::Stale(Staleness {
        source: true,
        depends: Vec::new(),
    });

    #[test]
    fn broken_stubs_are_diagnosed() {
        let bytes = written(&json!("Paris."));
        let problem = |bytes: &[u8]| {
            let error = read::<String>(bytes, EXPECTED, Body::Output)
                .err()
                .expect("rejected");
            diagnose(bytes, EXPECTED, &error)
        };
        let truncated = &bytes[..bytes.len() / 2];
        assert!(matches!(problem(truncated), Problem::Broken(e) if e.contains("EOF")));

        let newer = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"format\": 1", "\"format\": 2");
        assert_eq!(problem(newer.as_bytes()), Problem::NewerFormat(2));

        let wrong_type = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"Paris.\"", "42");
        assert!(
            matches!(problem(wrong_type.as_bytes()), Problem::Broken(e) if e.contains("invalid type"))
        );

        let unknown = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"args\"", "\"argz\"");
        assert!(
            matches!(problem(unknown.as_bytes()), Problem::Broken(e) if e.contains("unknown field `argz`"))
        );

        let missing = br#"{"format": 1, "function": "f", "source_hash": "abc", "args": {}}"#;
        assert!(
            matches!(problem(missing), Problem::Broken(e) if e.contains("missing field `output`"))
        );

        let trailing = [&bytes[..], b"{}"].concat();
        assert!(matches!(problem(&trailing), Problem::Broken(e) if e.contains("trailing")));

        let stale_and_retyped = wrong_type.replace("\"abc\"", "\"old\"");
        assert_eq!(problem(stale_and_retyped.as_bytes()), SOURCE_CHANGED);

        let stale_and_broken = unknown.replace("\"abc\"", "\"old\"");
        assert!(
            matches!(problem(stale_and_broken.as_bytes()), Problem::Broken(e) if e.contains("unknown field `argz`"))
        );

        let another_function = wrong_type.replace("llm::answer", "llm::ask");
        assert_eq!(
            problem(another_function.as_bytes()),
            Problem::ByAnotherFunction("my_crate::llm::ask".into())
        );

        let text = String::from_utf8(bytes.clone()).unwrap();
        let numbered = text.replace("\"my_crate::llm::answer\"", "42");
        assert!(
            matches!(problem(numbered.as_bytes()), Problem::Broken(e) if e.contains("invalid type: integer `42`, expected a string"))
        );
        let escape = text.replace("my_crate::llm::answer", "my_crate::\\u001b[2Jllm");
        assert!(
            matches!(problem(escape.as_bytes()), Problem::Broken(e) if e.contains("\"function\" holds control characters")),
            "{escape}"
        );
        let args = text.find("\"args\": {").unwrap();
        let end = text[args..].find('}').unwrap() + args + 1;
        let args_text = format!("{}\"args\": \"x\"{}", &text[..args], &text[end..]);
        assert!(
            matches!(problem(args_text.as_bytes()), Problem::Broken(e) if e.contains("expected an object of the arguments")),
            "{args_text}"
        );
    }

    #[test]
    fn invalid_utf8_anywhere_is_broken() {
        let mut bytes = written(&json!("Paris."));
        let at = bytes
            .windows(6)
            .position(|window| window == b"my_cra")
            .unwrap();
        bytes[at] = 0xff;
        let error = read::<String>(&bytes, EXPECTED, Body::Output)
            .err()
            .unwrap();
        let problem = diagnose(&bytes, EXPECTED, &error);
        assert_eq!(
            problem,
            Problem::Broken(format!(
                "the file is not UTF-8: invalid byte at offset {at}"
            ))
        );
    }

    #[test]
    fn a_body_of_the_other_kind_is_an_error_or_stale() {
        let output = written(&json!("Paris."));
        let error = read::<Vec<String>>(&output, EXPECTED, Body::Items)
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("unknown field `output`"),
            "{error}"
        );
        let newer_source = Expected {
            source_hash: "another",
            ..EXPECTED
        };
        assert_eq!(diagnose(&output, newer_source, &error), SOURCE_CHANGED);
        assert!(matches!(
            diagnose(&output, EXPECTED, &error),
            Problem::Broken(_)
        ));
    }

    #[test]
    fn offsets_time_every_item_in_order_within_an_hour() {
        let broken = |offsets: &[u64], items| match check_offsets(offsets, items) {
            Err(Problem::Broken(why)) => why,
            other => panic!("{offsets:?} for {items} items: {other:?}"),
        };
        assert!(check_offsets(&[], 0).is_ok());
        assert!(check_offsets(&[0, 0, 40, 3_600_000], 4).is_ok());
        assert!(broken(&[0, 40], 3).contains("one offset per item"));
        assert!(broken(&[0, 40, 39], 3).contains("never go down"));
        assert!(broken(&[0, 3_600_001], 2).contains("within an hour"));
    }
}
