//! What can go wrong in an annotated call, as data. Call sites build a [`Failure`] and
//! panic with it; its `Display` is the message, written for the person whose test just
//! failed: what happened, to which function and file, and the command that fixes it. It
//! depends on nothing but the failure's fields: paths and commands are worked out where the
//! failure is built.

use crate::nearest::Difference;
use crate::report::{cut, cut_around};
use crate::secrets::Found;
use serde_json::Value;
use std::fmt::{self, Display, Write};

/// Something that stops an annotated call; see the module doc.
pub(crate) enum Failure {
    /// Replay found no current stub for the call.
    Miss(Box<Miss>),
    /// The stub of the call can't be read or used.
    Unreadable {
        function: &'static str,
        /// The stub file, as shown.
        file: String,
        error: String,
        /// The command that records the call over the file.
        command: String,
    },
    /// An argument's or a dependency's `Serialize` implementation failed while it was hashed.
    Unhashable {
        function: &'static str,
        name: &'static str,
        /// Whether it is one of `depends(...)`, not an argument.
        dependency: bool,
        error: String,
    },
    /// The real result can't be written as JSON that reads back as the same value.
    Unrecordable {
        function: &'static str,
        error: String,
    },
    /// The stub would be larger than a replay reads.
    TooLarge {
        function: &'static str,
        bytes: usize,
        limit: u64,
    },
    /// The stub file can't be written.
    Unwritable {
        function: &'static str,
        file: String,
        error: String,
    },
    /// Replay asked a sequence for more answers than were recorded.
    RanOut {
        function: &'static str,
        args: Vec<(&'static str, Value)>,
        /// The stub, as shown.
        file: String,
        recorded: usize,
        /// Which call this is, counting from 1.
        call: usize,
        command: String,
    },
    /// A `sequence` call made on a thread of no test, outside any scope.
    NoTest { function: &'static str },
    /// The crate that defines the function is no longer where it was built, nor anywhere
    /// near the package running.
    CrateMoved {
        package: &'static str,
        compiled_at: &'static str,
    },
    /// The stub would hold secrets, each named by where it is and the rule that found it.
    Secret {
        function: &'static str,
        found: Vec<Found>,
    },
    /// Two functions of one process would share a stub folder.
    SharedFolder {
        first: String,
        second: String,
        folder: String,
    },
}

/// A replay that found no stub to use.
pub(crate) struct Miss {
    pub(crate) function: &'static str,
    /// The call's arguments as JSON, in declaration order.
    pub(crate) args: Vec<(&'static str, Value)>,
    /// Where the stub was looked for, as shown.
    pub(crate) expected: String,
    pub(crate) why: Why,
    pub(crate) note: Option<Note>,
    /// The command that records the call.
    pub(crate) command: String,
}

/// Why there was no stub to replay.
pub(crate) enum Why {
    /// The function has no stub at all.
    NoStubYet,
    /// Stubs exist for other arguments; `nearest` (as shown) differs from the call in
    /// `differences`, none when JSON shows both alike.
    OtherArguments {
        nearest: String,
        differences: Vec<Difference>,
        /// Whether they differ only in the order of a sequence's items.
        only_order: bool,
    },
    /// The file was recorded from another version of the function (`source`), or with
    /// other values of what it depends on (`depends`, as described to the reader).
    Stale { source: bool, depends: Vec<String> },
    /// The stub is where cached-stubs 0.1 kept it, at `old` (as shown).
    In01Layout { old: String },
}

impl Why {
    /// Why a call with `args` has no stub in `folder`: the stub of other arguments nearest
    /// to them, if there is one.
    pub(crate) fn nearest(folder: &std::path::Path, args: &[(&'static str, Value)]) -> Why {
        match crate::nearest::find(folder, args) {
            Some(nearest) => Why::OtherArguments {
                nearest: crate::report::shown(&nearest.path),
                differences: nearest.differences,
                only_order: nearest.only_order,
            },
            None => Why::NoStubYet,
        }
    }
}

/// Something about the function that explains why a call may have no stub.
#[derive(Clone, Copy)]
pub(crate) enum Note {
    /// It returns a `Result`, and an `Err` is never recorded.
    ErrNeverRecorded,
    /// It returns a stream or an iterator, recorded only once consumed to its end.
    EndedSequencesOnly,
}

/// Longest rendering of all arguments, and of one differing value, in a message.
pub(crate) const ARGS_WIDTH: usize = 300;
const VALUE_WIDTH: usize = 120;

/// What a call whose arguments differ from a stub's only in order is told.
pub(crate) const ONLY_ORDER: &str = "they differ only in the order of a sequence's items: a \
    `HashSet`, whose order changes in every process? Use a `BTreeSet`, or `skip` it";

/// How many differing values a miss shows.
const SHOWN_DIFFERENCES: usize = 3;

/// How many secrets a refused recording lists.
const SHOWN_SECRETS: usize = 10;

/// Where the lines under `why:` start.
const INDENT: &str = "              ";

impl Failure {
    /// Panics with this failure as the message, at the caller's location.
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        panic!("{self}")
    }
}

impl Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Miss(miss) => miss.fmt(f),
            Failure::Unreadable {
                function,
                file,
                error,
                command,
            } => write!(
                f,
                "cached-stubs: can't replay `{function}`: its stub can't be read\n  \
                 file:  {file}\n  \
                 error: {error}\n\
                 The file was left as it is and the real function was not called. Fix the \
                 file, or, to record over it (`RECORD=all` doesn't read it), run:\n    \
                 {command}"
            ),
            Failure::Unhashable {
                function,
                name,
                dependency,
                error,
            } => {
                writeln!(
                    f,
                    "cached-stubs: can't hash `{name}` for `{function}`: serializing it \
                     failed: {error}"
                )?;
                if *dependency {
                    write!(f, "Name a value in `depends(...)` that serializes.")
                } else {
                    write!(
                        f,
                        "Add `{name}` to `skip(...)` if it doesn't change the result."
                    )
                }
            }
            Failure::Unrecordable { function, error } => write!(
                f,
                "cached-stubs: can't record `{function}`: its result would not replay as the \
                 same value\n  \
                 error: {error}\n\
                 No stub was written. A result must go to JSON and come back equal: map keys \
                 must be strings or numbers, integers fit in 64 bits, and a NaN float or a \
                 `Some(())` comes back as null or `None`."
            ),
            Failure::TooLarge {
                function,
                bytes,
                limit,
            } => write!(
                f,
                "cached-stubs: can't record `{function}`: its stub would be {bytes} bytes, more \
                 than the {limit} bytes a replay reads\n\
                 No stub was written. Keep the bulk out of it: `skip(...)` large arguments, or \
                 record a smaller result (a digest, a summary, the part the test needs) and \
                 keep the large one outside the annotated function."
            ),
            Failure::Unwritable {
                function,
                file,
                error,
            } => write!(
                f,
                "cached-stubs: can't write the stub of `{function}`\n  \
                 file:  {file}\n  \
                 error: {error}\n\
                 The real function ran, but its result was not recorded."
            ),
            Failure::RanOut {
                function,
                args,
                file,
                recorded,
                call,
                command,
            } => {
                let answers = if *recorded == 1 { "answer" } else { "answers" };
                write!(
                    f,
                    "cached-stubs: the recorded sequence of `{function}` for these arguments \
                     has {recorded} {answers}; this is call {call}\n  \
                     args: {args}\n  \
                     file: {file}\n\
                     The real function was not called. To record the calls the sequence \
                     lacks, run:\n    {command}",
                    args = cut(&render_args(args), ARGS_WIDTH),
                )
            }
            Failure::NoTest { function } => write!(
                f,
                "cached-stubs: `{function}` keeps a `sequence` per test, and this call is made \
                 on a thread of no test (a task spawned on a runtime's worker, a thread \
                 pool): which test's sequence it continues can't be told.\n\
                 Run the code that makes it in a scope that names the test: \
                 `cached_stubs::scope(\"my_test\", future)`, or `cached_stubs::scope_fn` for a \
                 thread."
            ),
            Failure::CrateMoved {
                package,
                compiled_at,
            } => write!(
                f,
                "cached-stubs: the crate `{package}` was built in {compiled_at}, which holds \
                 its Cargo.toml no more, and can't be found from the package running: it \
                 moved since this binary was built, and cargo ran it again as it was.\n\
                 No stub was read or written. Build it where it is now:\n    \
                 cargo clean -p {package}"
            ),
            Failure::Secret { function, found } => write_secrets(f, function, found),
            Failure::SharedFolder {
                first,
                second,
                folder,
            } => {
                f.write_str("cached-stubs: ")?;
                if first == second {
                    write!(
                        f,
                        "two functions named `{first}` (methods of two types, or functions \
                         nested in two others)"
                    )?;
                } else {
                    write!(f, "`{first}` and `{second}`")?;
                }
                write!(
                    f,
                    " would share the stub folder {folder}, and take each other's stubs for \
                     stale ones.\n\
                     Give one a folder of its own with `#[cached_stub(name = \"...\")]`."
                )
            }
        }
    }
}

impl Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Miss {
            function,
            args,
            expected,
            why,
            note,
            command,
        } = self;
        write!(
            f,
            "cached-stubs: no stub to replay for `{function}`\n  \
             args:     {args}\n  \
             expected: {expected}\n  \
             why:      ",
            args = cut(&render_args(args), ARGS_WIDTH),
        )?;
        match why {
            Why::Stale { source, depends } => {
                let depends = depends.join(", ");
                match (source, depends.is_empty()) {
                    (true, true) => write!(
                        f,
                        "the stub was recorded from another version of `{function}`: its \
                         body, signature or attribute changed since"
                    )?,
                    (true, false) => write!(
                        f,
                        "the stub was recorded from another version of `{function}`: its \
                         body, signature or attribute changed since, and so did what it \
                         depends on: {depends}"
                    )?,
                    (false, _) => write!(
                        f,
                        "the stub was recorded when what `{function}` depends on was \
                         different: {depends} changed since"
                    )?,
                }
            }
            Why::NoStubYet => write!(f, "no stub has been recorded for `{function}` yet")?,
            Why::In01Layout { old } => write!(
                f,
                "its stub is where cached-stubs 0.1 kept it:\n              {old}\n              \
                 0.2 files a method's stubs under its type, and a nested function's under \
                 the function it is in"
            )?,
            Why::OtherArguments {
                nearest,
                differences,
                only_order,
            } => write_nearest(f, "these arguments", nearest, differences, *only_order)?,
        }
        match note {
            Some(Note::ErrNeverRecorded) => write!(
                f,
                "\n  note:     `{function}` returns a `Result`, whose `Err` is recorded only \
                 with `record_err` (how a test of an error path, or of a retry, gets its stub)"
            )?,
            Some(Note::EndedSequencesOnly) => write!(
                f,
                "\n  note:     `{function}` returns a stream or an iterator: it is recorded \
                 only when consumed to its end, without an `Err` item"
            )?,
            None => {}
        }
        let what = match why {
            Why::In01Layout { .. } => {
                "move it there (`RECORD=1` moves stubs of the 0.1 layout without calling the \
                 real function)"
            }
            _ => "record it",
        };
        write!(
            f,
            "\nThe real function was not called. To {what}, run:\n    {command}"
        )
    }
}

/// A recording refused for the secrets `found` in its stub: where each is and why it was
/// taken for one, never its value; then the ways to keep each out, or to allow it.
fn write_secrets(f: &mut fmt::Formatter<'_>, function: &str, found: &[Found]) -> fmt::Result {
    write!(
        f,
        "cached-stubs: can't record `{function}`: its stub would hold a secret"
    )?;
    for secret in found.iter().take(SHOWN_SECRETS) {
        write!(f, "\n  {secret}")?;
    }
    if found.len() > SHOWN_SECRETS {
        write!(f, "\n  and {} more", found.len() - SHOWN_SECRETS)?;
    }
    // Those `skip(...)` can name: not `#2`, an argument bound by a pattern.
    let skippable = |name: &&str| name.chars().all(|c| c == '_' || c.is_alphanumeric());
    let arguments = sorted_once(found.iter().filter_map(Found::argument).filter(skippable));
    let variables = sorted_once(found.iter().filter_map(Found::variable));
    let allowances = sorted_once(
        found
            .iter()
            .map(|secret| format!("{:?}", secret.allowance())),
    );
    f.write_str("\nNothing was written (the value is not shown here). Keep it out of the stub:")?;
    if !arguments.is_empty() {
        write!(
            f,
            "\n  - leave the argument out with `skip({})`, or the field that holds it with \
             `#[serde(skip_serializing)]`;",
            arguments.join(", ")
        )?;
    }
    if found.iter().any(|secret| secret.argument().is_none()) {
        f.write_str(
            "\n  - leave a field of the result out with `#[serde(skip_serializing, default)]` \
             (it replays as its default), or return the result without it;",
        )?;
    }
    if !variables.is_empty() {
        let names: Vec<String> = variables.iter().map(|name| format!("`{name}`")).collect();
        let (holds, has, it) = match names.len() {
            1 => ("holds", "has", "it"),
            _ => ("hold", "have", "them"),
        };
        write!(
            f,
            "\n  - if {} {holds} no secret, only {has} a name that looks like one, record with \
             {it} unset;",
            names.join(", ")
        )?;
    }
    write!(
        f,
        "\n  - if it is no secret (an example key, a placeholder), allow it for this function \
         alone with `#[cached_stub(allow_secret({}))]`.",
        allowances.join(", ")
    )
}

/// `items` sorted, each once.
fn sorted_once<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// Why a call (or a request) missed when stubs of others exist: `nearest` (as shown) is the
/// stub nearest to `these` ("these arguments"), and differs from them in `differences`, or,
/// if `only_order`, only in the order of a sequence's items.
pub(crate) fn write_nearest(
    f: &mut fmt::Formatter<'_>,
    these: &str,
    nearest: &str,
    differences: &[Difference],
    only_order: bool,
) -> fmt::Result {
    if differences.is_empty() {
        return write!(
            f,
            "no stub for {these}; {nearest} has the same arguments as JSON shows them, so a \
             value differs in what JSON doesn't show (a float's sign or precision, a large \
             integer)"
        );
    }
    let shown = &differences[..differences.len().min(SHOWN_DIFFERENCES)];
    let paths: Vec<_> = shown
        .iter()
        .map(|difference| format!("`{}`", difference.path))
        .collect();
    let more = differences.len() - shown.len();
    let and_more = match more {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    write!(
        f,
        "no stub for {these}; the nearest stub differs in {}{and_more}:\n{INDENT}{nearest}",
        paths.join(", "),
    )?;
    for difference in shown {
        write_difference(f, difference)?;
    }
    if more > 0 {
        write!(f, "\n{INDENT}({more} more not shown)")?;
    }
    if only_order {
        write!(f, "\n{INDENT}{ONLY_ORDER}")?;
    }
    Ok(())
}

/// One differing value, where it is, its recorded value above the called one, each cut to
/// a readable width around where they differ.
fn write_difference(out: &mut impl Write, difference: &Difference) -> fmt::Result {
    let text = |value: &Option<Value>| value.as_ref().map(Value::to_string);
    let (recorded, called) = (text(&difference.recorded), text(&difference.called));
    let at = match (&recorded, &called) {
        (Some(recorded), Some(called)) => recorded
            .chars()
            .zip(called.chars())
            .take_while(|(a, b)| a == b)
            .count(),
        _ => 0,
    };
    let side = |text: Option<String>| match text {
        Some(text) => cut_around(&text, at, VALUE_WIDTH),
        None => "(none)".to_string(),
    };
    let path = &difference.path;
    write!(
        out,
        "\n{INDENT}{path}: recorded {}\n{INDENT}{:width$}  called   {}",
        side(recorded),
        "",
        side(called),
        width = path.chars().count(),
    )
}

/// `{"a": 1, "b": "x"}`: arguments in declaration order, as compact JSON.
pub(crate) fn render_args(args: &[(&str, Value)]) -> String {
    let entries: Vec<_> = args
        .iter()
        .map(|(name, value)| format!("{}: {value}", Value::from(*name)))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_render_in_declaration_order() {
        let args = [
            ("prompt", json!("Hi \"you\"")),
            ("n", json!(2)),
            ("opts", json!({"t": 0.5})),
        ];
        assert_eq!(
            render_args(&args),
            r#"{"prompt": "Hi \"you\"", "n": 2, "opts": {"t":0.5}}"#
        );
    }

    #[test]
    fn a_miss_shows_each_differing_argument_above_its_recorded_value() {
        let miss = Miss {
            function: "geo::capital",
            args: vec![("country", json!("Spain"))],
            expected: "stubs/geo/capital/b.json".into(),
            why: Why::OtherArguments {
                nearest: "stubs/geo/capital/a.json".into(),
                differences: vec![Difference {
                    path: "country".into(),
                    recorded: Some(json!("France")),
                    called: Some(json!("Spain")),
                }],
                only_order: false,
            },
            note: Some(Note::ErrNeverRecorded),
            command: "RECORD=1 cargo test -- --exact spain".into(),
        };
        assert_eq!(
            Failure::Miss(Box::new(miss)).to_string(),
            "cached-stubs: no stub to replay for `geo::capital`
  args:     {\"country\": \"Spain\"}
  expected: stubs/geo/capital/b.json
  why:      no stub for these arguments; the nearest stub differs in `country`:
              stubs/geo/capital/a.json
              country: recorded \"France\"
                       called   \"Spain\"
  note:     `geo::capital` returns a `Result`, whose `Err` is recorded only with `record_err` (how a test of an error path, or of a retry, gets its stub)
The real function was not called. To record it, run:
    RECORD=1 cargo test -- --exact spain"
        );
    }

    #[test]
    fn a_miss_shows_the_first_differing_values_cut_around_where_they_differ() {
        let long = |word: &str| format!("{} {word} {}", "a".repeat(200), "z".repeat(200));
        let differences = (0..5)
            .map(|at| Difference {
                path: format!("request.tools[{at}].description"),
                recorded: Some(json!(long("of"))),
                called: Some(json!(long("in"))),
            })
            .collect();
        let miss = Miss {
            function: "app::chat",
            args: vec![],
            expected: "stubs/app/chat/b.json".into(),
            why: Why::OtherArguments {
                nearest: "stubs/app/chat/a.json".into(),
                differences,
                only_order: false,
            },
            note: None,
            command: "RECORD=1 cargo test".into(),
        };
        let message = Failure::Miss(Box::new(miss)).to_string();
        assert!(
            message.contains(
                "differs in `request.tools[0].description`, `request.tools[1].description`, \
             `request.tools[2].description` and 2 more:"
            ),
            "{message}"
        );
        assert!(message.contains("(2 more not shown)"), "{message}");
        assert!(!message.contains("tools[3]"), "{message}");
        let recorded = message
            .lines()
            .find(|line| line.contains("recorded"))
            .unwrap();
        let called = message
            .lines()
            .find(|line| line.contains("called "))
            .unwrap();
        assert!(
            recorded.contains("a of z") && called.contains("a in z"),
            "{message}"
        );
        assert!(
            recorded.contains('…') && recorded.chars().count() < 200,
            "{recorded}"
        );
    }

    #[test]
    fn a_refused_secret_is_named_by_path_and_rule_with_each_way_to_keep_it_out() {
        use crate::secrets::{Credential, Found, JsonPath, Rule};
        let found = |path: &[&str], rule| Found {
            path: JsonPath::parse_for_tests(path),
            in_key: false,
            rule,
        };
        let message = Failure::Secret {
            function: "app::chat",
            found: vec![
                found(
                    &["args", "config", "api_key"],
                    Rule::Environment("SERVICE_API_KEY".into()),
                ),
                found(
                    &["items", "3", "delta"],
                    Rule::Credential(Credential::OpenAi),
                ),
            ],
        }
        .to_string();
        assert_eq!(
            message,
            "cached-stubs: can't record `app::chat`: its stub would hold a secret
  `args.config.api_key` holds the value of the environment variable `SERVICE_API_KEY`
  `items[3].delta` holds an OpenAI API key (`sk-…`)
Nothing was written (the value is not shown here). Keep it out of the stub:
  - leave the argument out with `skip(config)`, or the field that holds it with `#[serde(skip_serializing)]`;
  - leave a field of the result out with `#[serde(skip_serializing, default)]` (it replays as its default), or return the result without it;
  - if `SERVICE_API_KEY` holds no secret, only has a name that looks like one, record with it unset;
  - if it is no secret (an example key, a placeholder), allow it for this function alone with `#[cached_stub(allow_secret(\"args.config.api_key\", \"items[*].delta\"))]`."
        );
    }

    #[test]
    fn two_functions_of_one_name_sharing_a_folder_are_named_once() {
        let shared = |second: &str| Failure::SharedFolder {
            first: "app::ask".into(),
            second: second.into(),
            folder: "stubs/app/ask".into(),
        };
        assert!(
            shared("app::ask")
                .to_string()
                .contains("two functions named `app::ask`")
        );
        assert!(
            shared("app::tell")
                .to_string()
                .contains("`app::ask` and `app::tell` would share the stub folder stubs/app/ask")
        );
    }
}
