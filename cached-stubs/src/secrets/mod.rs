//! No secret reaches a stub: before one is written, the JSON it would hold (its arguments,
//! and its output or items) is scanned, and a secret found stops the recording. The same
//! scan serves `cargo stubs check`. A replay scans nothing.
//!
//! A string, or an object's key, is a secret when it holds
//! - the value of a secret-named environment variable of this process ([`environment`]);
//! - a string shaped like a well-known credential ([`shapes`]).
//!
//! What is found is named by its [`JsonPath`] and the rule that matched, never by its value.
//! A function's `allow_secret("path", ...)` allows the values at those paths, for that
//! function alone (see [`json_path`] for how paths are written).

mod environment;
mod json_path;
mod shapes;

use crate::failure::Failure;
use crate::stub_file::{Answer, NewBody};
use environment::EnvSecret;
use json_path::{Allowance, Step};
use serde_json::Value;
use std::fmt;

pub use json_path::JsonPath;
pub use shapes::Credential;

/// What a stub records besides its arguments.
#[derive(Clone, Copy)]
pub(crate) enum Returned<'a> {
    Output(&'a Value),
    Items(&'a [Value]),
    /// The answers of a sequence, each scanned as a stub of one answer is.
    Answers(&'a [Returned<'a>]),
}

impl<'a> Returned<'a> {
    /// What `answer` records.
    pub(crate) fn of_answer(answer: &'a Answer) -> Returned<'a> {
        match answer.items_or_output() {
            Ok(items) => Returned::Items(items),
            Err(output) => Returned::Output(output),
        }
    }
}

/// Why a string is taken for a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// It holds the value of the environment variable of this name.
    Environment(String),
    /// It holds a string of this shape.
    Credential(Credential),
}

/// A secret found in a stub: where, and by which rule; never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Where the string is; for a key, the object whose key it is.
    pub(crate) path: JsonPath,
    /// Whether it is a key of the object at `path`, rather than the string at `path`.
    pub(crate) in_key: bool,
    pub(crate) rule: Rule,
}

impl Found {
    /// The path as `allow_secret(...)` would allow it.
    pub fn allowance(&self) -> String {
        self.path.to_allowance()
    }

    /// The argument it is in, if it is in one.
    pub(crate) fn argument(&self) -> Option<&str> {
        self.path.argument()
    }

    /// The environment variable whose value it holds, if that is the rule that matched.
    pub(crate) fn variable(&self) -> Option<&str> {
        match &self.rule {
            Rule::Environment(name) => Some(name),
            Rule::Credential(_) => None,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Environment(name) => write!(f, "the value of the environment variable `{name}`"),
            Rule::Credential(credential) => credential.fmt(f),
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Found { path, in_key, rule } = self;
        if *in_key {
            write!(f, "a key of `{path}` is {rule}")
        } else {
            write!(f, "`{path}` holds {rule}")
        }
    }
}

/// Panics, naming what was found, when the stub of `function` about to be written, with
/// `args` and `body`, holds a secret that `allow_secret` doesn't allow.
#[track_caller]
pub(crate) fn refuse_secrets(
    function: &'static str,
    args: &[(&'static str, Value)],
    body: &NewBody<'_>,
    allow_secret: &[&str],
) {
    let answers: Vec<Returned<'_>>;
    let returned = match *body {
        NewBody::Output { output, .. } => Returned::Output(output),
        NewBody::Items { items, .. } => Returned::Items(items),
        NewBody::Sequence(list) => {
            answers = list.iter().map(Returned::of_answer).collect();
            Returned::Answers(&answers)
        }
    };
    let found = find(args, returned, allow_secret);
    if !found.is_empty() {
        Failure::Secret { function, found }.raise();
    }
}

/// The secrets in a stub's `args` and `returned` that no path of `allow_secret` allows,
/// by path; the environment is this process's.
pub(crate) fn find<N: AsRef<str>, A: AsRef<str>>(
    args: &[(N, Value)],
    returned: Returned<'_>,
    allow_secret: &[A],
) -> Vec<Found> {
    find_with(environment::secrets(), args, returned, allow_secret)
}

fn find_with<N: AsRef<str>, A: AsRef<str>>(
    env: &[EnvSecret],
    args: &[(N, Value)],
    returned: Returned<'_>,
    allow_secret: &[A],
) -> Vec<Found> {
    let mut scan = Scan {
        env,
        allowances: (allow_secret.iter())
            .filter_map(|path| Allowance::parse(path.as_ref()))
            .collect(),
        path: Vec::new(),
        found: Vec::new(),
    };
    for (name, value) in args {
        scan.walk(&[Step::Key("args"), Step::Key(name.as_ref())], value);
    }
    scan.returned(returned);
    let mut found = scan.found;
    found.sort_by(|a, b| (&a.path, a.in_key).cmp(&(&b.path, b.in_key)));
    found
}

/// A scan under way.
struct Scan<'v, 'e> {
    env: &'e [EnvSecret],
    allowances: Vec<Allowance>,
    /// Where the walk is.
    path: Vec<Step<'v>>,
    found: Vec<Found>,
}

impl<'v> Scan<'v, '_> {
    /// Scans what a stub records: at `output`, or at `items[i]`, for each answer of a
    /// sequence alike.
    fn returned(&mut self, returned: Returned<'v>) {
        match returned {
            Returned::Output(output) => self.walk(&[Step::Key("output")], output),
            Returned::Items(items) => {
                for (at, item) in items.iter().enumerate() {
                    self.walk(&[Step::Key("items"), Step::Index(at)], item);
                }
            }
            Returned::Answers(answers) => answers.iter().for_each(|answer| self.returned(*answer)),
        }
    }

    /// Scans `value`, found at `root`, without recursion: a value nested deeper than the
    /// stack allows is walked all the same.
    fn walk(&mut self, root: &[Step<'v>], value: &'v Value) {
        self.path.clear();
        self.path.extend_from_slice(root);
        // What is left to scan: the depth of its parent's path, its step, the value.
        let mut left: Vec<(usize, Option<Step<'v>>, &'v Value)> = vec![(root.len(), None, value)];
        while let Some((depth, step, value)) = left.pop() {
            self.path.truncate(depth);
            self.path.extend(step);
            let depth = self.path.len();
            match value {
                Value::String(text) => {
                    self.check(text, false);
                }
                Value::Array(items) => left.extend(
                    (items.iter().enumerate().rev())
                        .map(|(at, item)| (depth, Some(Step::Index(at)), item)),
                ),
                Value::Object(object) => {
                    for (key, value) in object.iter().rev() {
                        // A secret key is reported at its object, and not walked into: the
                        // paths below it would show it.
                        if !self.check(key, true) {
                            left.push((depth, Some(Step::Key(key)), value));
                        }
                    }
                }
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
    }

    /// Checks `text`, at the current path (a key of the object there when `in_key`), and
    /// notes it if it is a secret not allowed; says whether it is a secret.
    fn check(&mut self, text: &str, in_key: bool) -> bool {
        let Some(rule) = self.rule(text) else {
            return false;
        };
        if !self
            .allowances
            .iter()
            .any(|allowed| allowed.allows(&self.path))
        {
            self.found.push(Found {
                path: JsonPath::of(&self.path),
                in_key,
                rule,
            });
        }
        true
    }

    /// The rule by which `text` is a secret, if any: an environment variable's value first,
    /// the more telling.
    fn rule(&self, text: &str) -> Option<Rule> {
        let variable = self.env.iter().find(|secret| secret.is_in(text));
        match variable {
            Some(secret) => Some(Rule::Environment(secret.name.clone())),
            None => shapes::credential_in(text).map(Rule::Credential),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shapes::tests::{BASE62, random};
    use super::*;
    use serde_json::json;

    fn env(name: &str, value: &str) -> Vec<EnvSecret> {
        environment::secret_named([(name.to_string(), value.to_string())])
    }

    fn found(
        env: &[EnvSecret],
        args: &[(&str, Value)],
        returned: Returned<'_>,
        allow: &[&str],
    ) -> Vec<String> {
        let found = find_with(env, args, returned, allow);
        found.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_secret_is_named_by_its_path_and_rule_never_its_value() {
        let token = random(BASE62, 24, 1);
        let key = format!("sk-{}-{}", "proj", random(BASE62, 60, 2));
        let env = env("SERVICE_TOKEN", &token);
        let args = [
            (
                "config",
                json!({"model": "m", "api_key": format!("  {token}  ")}),
            ),
            ("prompt", json!("hello")),
        ];
        let output = json!({"choices": [{"message": {"content": format!("Your key is {key}.")}}]});
        let found = found(&env, &args, Returned::Output(&output), &[] as &[&str]);
        assert_eq!(
            found,
            [
                "`args.config.api_key` holds the value of the environment variable `SERVICE_TOKEN`",
                "`output.choices[0].message.content` holds an OpenAI API key (`sk-…`)",
            ]
        );
        assert!(!found.concat().contains(&token) && !found.concat().contains(&key));
    }

    #[test]
    fn a_secret_key_is_reported_at_its_object_and_not_walked_into() {
        let key = format!("{}_{}", "ghp", random(BASE62, 36, 3));
        let output = json!({"tokens": {key.clone(): {"note": format!("also {key}")}}});
        let found = found(
            &[],
            &[] as &[(&str, Value)],
            Returned::Output(&output),
            &[] as &[&str],
        );
        assert_eq!(
            found,
            ["a key of `output.tokens` is a GitHub token (`ghp_…`, `github_pat_…`)"]
        );
    }

    #[test]
    fn items_are_scanned_each_at_its_index_and_an_allowance_takes_any_index() {
        let bearer = format!("Bearer {}", random(BASE62, 32, 4));
        let items: Vec<Value> = (0..5)
            .map(|at| match at {
                3 => json!({"delta": bearer}),
                _ => json!({"delta": "word "}),
            })
            .collect();
        let none: [&str; 0] = [];
        let no_args: [(&str, Value); 0] = [];
        let found_in = |allow: &[&str]| found(&[], &no_args, Returned::Items(&items), allow);
        assert_eq!(
            found_in(&none),
            ["`items[3].delta` holds a bearer token (`Bearer …`)"]
        );
        assert!(found_in(&["items[3].delta"]).is_empty());
        assert!(found_in(&["items[*].delta"]).is_empty());
        assert_eq!(found_in(&["items[2].delta", "items[*]"]).len(), 1);
        let found = find_with(&[], &no_args, Returned::Items(&items), &none);
        assert_eq!(found[0].allowance(), "items[*].delta");
    }

    #[test]
    fn findings_come_in_path_order_whatever_the_map_order() {
        let key = |seed| format!("sk-{}", random(BASE62, 40, seed));
        let output = json!({"b": [key(1), "x", key(2)], "a": key(3), "c": {"d": key(4)}});
        let found = find_with(
            &[],
            &[] as &[(&str, Value)],
            Returned::Output(&output),
            &[] as &[&str],
        );
        let paths: Vec<String> = found.iter().map(|found| found.path.to_string()).collect();
        assert_eq!(
            paths,
            ["output.a", "output.b[0]", "output.b[2]", "output.c.d"]
        );
    }

    #[test]
    fn deeply_nested_values_are_scanned_without_recursion() {
        let mut value = json!(format!("AIza{}", random(BASE62, 35, 5)));
        for _ in 0..200_000 {
            value = Value::Array(vec![value]);
        }
        let found = find_with(
            &[],
            &[] as &[(&str, Value)],
            Returned::Output(&value),
            &[] as &[&str],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, Rule::Credential(Credential::GoogleApiKey));
        // Dropping it would recurse: serde_json's `Value` has no iterative drop.
        std::mem::forget(value);
    }
}
