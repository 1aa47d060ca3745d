//! Paths into a stub's JSON, as messages show them and `allow_secret(...)` names them:
//! `args.config.api_key`, `output.choices[0].message.content`, `items[3].delta`, and, in an
//! allowance, `items[*].delta` for any index.
//!
//! A path starts at `args` (then an argument's name), `output` or `items` (then an index);
//! each further step is `.name` for an object's key that is an identifier, `["any key"]` (a
//! JSON string) for any other, `[3]` for an array's index, `[*]` for any index in an
//! allowance. The macro checks allowances by the same grammar, in
//! `cached-stubs-macros/src/allow_secret.rs`.

use std::cmp::Ordering;
use std::fmt;

/// One step into a JSON value, borrowed from it while it is walked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A path into a stub's JSON, from its root field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonPath(Vec<Owned>);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Owned {
    Key(String),
    Index(usize),
}

/// A step of an allowance.
#[derive(Debug, PartialEq)]
enum Allowed {
    Key(String),
    Index(usize),
    AnyIndex,
}

/// A parsed allowance: the paths of one function's `allow_secret(...)`.
#[derive(Debug, PartialEq)]
pub(crate) struct Allowance(Vec<Allowed>);

impl JsonPath {
    pub(crate) fn of(steps: &[Step<'_>]) -> JsonPath {
        JsonPath(
            steps
                .iter()
                .map(|step| match *step {
                    Step::Key(key) => Owned::Key(key.to_string()),
                    Step::Index(index) => Owned::Index(index),
                })
                .collect(),
        )
    }

    /// The path of these steps, numbers taken for indexes.
    #[cfg(test)]
    pub(crate) fn parse_for_tests(steps: &[&str]) -> JsonPath {
        JsonPath(
            (steps.iter())
                .map(|step| match step.parse() {
                    Ok(index) => Owned::Index(index),
                    Err(_) => Owned::Key(step.to_string()),
                })
                .collect(),
        )
    }

    /// The argument the path is in, for a path in `args`.
    pub(crate) fn argument(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Owned::Key(root), Owned::Key(name), ..] if root == "args" => Some(name),
            _ => None,
        }
    }

    /// This path as an allowance writes it best: any index of a stream's items, whose
    /// positions change from one recording to the next.
    pub(crate) fn to_allowance(&self) -> String {
        let mut path = self.to_string();
        if let [Owned::Key(root), Owned::Index(index), ..] = self.0.as_slice()
            && root == "items"
        {
            path.replace_range(..format!("items[{index}]").len(), "items[*]");
        }
        path
    }
}

impl Ord for JsonPath {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for JsonPath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, step) in self.0.iter().enumerate() {
            match step {
                // The root, `args`, `output` or `items`.
                Owned::Key(key) if at == 0 => f.write_str(key)?,
                Owned::Key(key) if is_identifier(key) => write!(f, ".{key}")?,
                Owned::Key(key) => {
                    let quoted = serde_json::to_string(key).expect("a string serializes");
                    write!(f, "[{quoted}]")?
                }
                Owned::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Whether `key` is written `.key` in a path: an ASCII identifier.
fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Allowance {
    /// Reads an allowance; `None` when it is no path of the grammar above.
    pub(crate) fn parse(path: &str) -> Option<Allowance> {
        let (root, mut rest) = match path.find(['.', '[']) {
            Some(at) => path.split_at(at),
            None => (path, ""),
        };
        let mut steps = vec![Allowed::Key(root.to_string())];
        while !rest.is_empty() {
            let (step, after) = next_step(rest)?;
            steps.push(step);
            rest = after;
        }
        let rooted = matches!(
            (root, steps.get(1)),
            ("args", Some(Allowed::Key(_)))
                | ("output", _)
                | ("items", Some(Allowed::Index(_) | Allowed::AnyIndex))
        );
        rooted.then_some(Allowance(steps))
    }

    /// Whether the allowance names `path`; `[*]` names any index.
    pub(crate) fn allows(&self, path: &[Step<'_>]) -> bool {
        self.0.len() == path.len()
            && self.0.iter().zip(path).all(|pair| match pair {
                (Allowed::Key(allowed), Step::Key(key)) => allowed == key,
                (Allowed::Index(allowed), Step::Index(index)) => allowed == index,
                (Allowed::AnyIndex, Step::Index(_)) => true,
                _ => false,
            })
    }
}

/// The first step of `rest` and what follows it.
fn next_step(rest: &str) -> Option<(Allowed, &str)> {
    if let Some(rest) = rest.strip_prefix('.') {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        return is_identifier(key).then(|| (Allowed::Key(key.to_string()), &rest[end..]));
    }
    let rest = rest.strip_prefix('[')?;
    if let Some(rest) = rest.strip_prefix("*]") {
        return Some((Allowed::AnyIndex, rest));
    }
    if rest.starts_with('"') {
        // A JSON string: read as serde_json reads one, to its closing quote.
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        let key = stream.next()?.ok()?;
        let rest = rest[stream.byte_offset()..].strip_prefix(']')?;
        return Some((Allowed::Key(key), rest));
    }
    let end = rest.find(']')?;
    let digits = &rest[..end];
    let canonical = digits == "0" || !digits.starts_with('0');
    let index = digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|_| canonical)?;
    Some((Allowed::Index(index), &rest[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(steps: &[Step<'_>]) -> String {
        JsonPath::of(steps).to_string()
    }

    #[test]
    fn paths_are_written_as_javascript_reads_them() {
        use Step::{Index, Key};
        assert_eq!(
            shown(&[Key("args"), Key("config"), Key("api_key")]),
            "args.config.api_key"
        );
        assert_eq!(
            shown(&[Key("output"), Key("choices"), Index(0), Key("message")]),
            "output.choices[0].message"
        );
        assert_eq!(
            shown(&[Key("items"), Index(3), Key("delta")]),
            "items[3].delta"
        );
        assert_eq!(
            shown(&[Key("args"), Key("#1"), Key("x-api-key"), Key("a\"b")]),
            r##"args["#1"]["x-api-key"]["a\"b"]"##
        );
        assert_eq!(
            JsonPath::of(&[Key("items"), Index(12), Key("delta")]).to_allowance(),
            "items[*].delta"
        );
        assert_eq!(
            JsonPath::of(&[Key("args"), Key("self"), Key("token")]).argument(),
            Some("self")
        );
    }

    #[test]
    fn every_path_written_reads_back_as_an_allowance_of_it() {
        use Step::{Index, Key};
        let paths: [&[Step]; 5] = [
            &[Key("args"), Key("config"), Key("api_key")],
            &[Key("args"), Key("<T>")],
            &[Key("output")],
            &[
                Key("output"),
                Key("héllo wörld"),
                Index(10),
                Key("\n\"]\\"),
                Key("_9"),
            ],
            &[
                Key("items"),
                Index(0),
                Key("choices"),
                Index(2),
                Key("delta"),
            ],
        ];
        for path in paths {
            let written = shown(path);
            let allowance = Allowance::parse(&written);
            assert!(allowance.is_some_and(|it| it.allows(path)), "{written}");
        }
    }

    #[test]
    fn an_allowance_names_one_path_or_any_index() {
        use Step::{Index, Key};
        let delta = Allowance::parse("items[*].delta").unwrap();
        assert!(delta.allows(&[Key("items"), Index(7), Key("delta")]));
        assert!(!delta.allows(&[Key("items"), Index(7), Key("delta"), Key("text")]));
        assert!(!delta.allows(&[Key("items"), Index(7)]));
        let content = Allowance::parse(r#"output["choices"][0].message"#).unwrap();
        assert!(content.allows(&[Key("output"), Key("choices"), Index(0), Key("message")]));
        assert!(!content.allows(&[Key("output"), Key("choices"), Index(1), Key("message")]));
        for broken in [
            "",
            "output.",
            "output..a",
            "outputs",
            "args",
            "items",
            "items.delta",
            "output[01]",
            "output[-1]",
            "output[\"a\"",
            "output.9a",
            "output[*",
            "Output",
        ] {
            assert_eq!(Allowance::parse(broken), None, "{broken}");
        }
    }
}
