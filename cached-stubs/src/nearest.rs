//! The recorded call nearest to a missed one, so a miss message can say which argument
//! differs, and a recording whether its arguments are a recorded call's in another order.
//! Only a miss looks: a hit never lists a folder.

use crate::key::Key;
use crate::store;
use crate::stub_file;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The stub whose arguments differ from a call's in the fewest places.
pub(crate) struct Nearest {
    pub(crate) path: PathBuf,
    pub(crate) differences: Vec<Difference>,
    /// Whether they differ only in the order of a sequence's items, as a `HashSet`'s do
    /// from one process to the next.
    pub(crate) only_order: bool,
}

/// One value that differs, at any depth of the arguments: absent on one side when an
/// argument, a field or an item is on the other side only.
#[derive(Debug, PartialEq)]
pub(crate) struct Difference {
    /// Where it is: `request.tools[0].function.description`.
    pub(crate) path: String,
    pub(crate) recorded: Option<Value>,
    pub(crate) called: Option<Value>,
}

/// Reads the `args` of every stub in `folder` and returns the nearest to `args`: one that
/// differs only in order first, then the one that differs in the fewest values. Ties go to
/// the first file by name, so the answer doesn't depend on directory order.
pub(crate) fn find(folder: &Path, args: &[(&'static str, Value)]) -> Option<Nearest> {
    recorded(folder)
        .map(|(path, recorded)| Nearest {
            path,
            differences: differences(&recorded, args),
            only_order: equal_but_for_order(&recorded, args),
        })
        .min_by_key(|nearest| (!nearest.only_order, nearest.differences.len()))
}

/// A stub in `folder` whose arguments are `args` but for the order of a sequence's items,
/// if there is one: a call about to be recorded beside it likely passes a `HashSet`.
pub(crate) fn same_but_for_order(folder: &Path, args: &[(&'static str, Value)]) -> Option<PathBuf> {
    recorded(folder).find_map(|(path, recorded)| {
        let reordered =
            equal_but_for_order(&recorded, args) && !differences(&recorded, args).is_empty();
        reordered.then_some(path)
    })
}

/// The stubs in `folder` (none when it can't be listed), by name, with their arguments in
/// order.
fn recorded(folder: &Path) -> impl Iterator<Item = (PathBuf, Vec<(String, Value)>)> {
    let mut stubs: Vec<PathBuf> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(Key::is_file_name)
        })
        .collect();
    stubs.sort();
    stubs.into_iter().filter_map(|path| {
        // Read as a replay reads: a pipe or a huge file among them is skipped, not waited on.
        let recorded = stub_file::recorded_args(&store::read(&path).ok()??)?;
        Some((path, recorded))
    })
}

/// Whether the recorded arguments are the called ones when every sequence's items may come
/// in any order.
fn equal_but_for_order(recorded: &[(String, Value)], args: &[(&'static str, Value)]) -> bool {
    recorded.len() == args.len()
        && args.iter().all(|(name, value)| {
            recorded.iter().any(|(recorded, recorded_value)| {
                recorded == name && unordered(recorded_value) == unordered(value)
            })
        })
}

/// `value` with the items of every array sorted (by their JSON text), at any depth.
fn unordered(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(unordered).collect();
            items.sort_by_cached_key(Value::to_string);
            Value::Array(items)
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| (key.clone(), unordered(value)))
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// Every leaf that differs between the recorded arguments and the called ones, in the
/// order of the call's arguments, then of the arguments it no longer has.
fn differences(recorded: &[(String, Value)], args: &[(&'static str, Value)]) -> Vec<Difference> {
    let mut found = Vec::new();
    let recorded_value = |name: &str| {
        recorded
            .iter()
            .find_map(|(recorded, value)| (recorded == name).then_some(value))
    };
    for (name, value) in args {
        compare(
            name.to_string(),
            recorded_value(name),
            Some(value),
            &mut found,
        );
    }
    for (name, value) in recorded {
        if !args.iter().any(|(arg, _)| arg == name) {
            compare(name.clone(), Some(value), None, &mut found);
        }
    }
    found
}

/// Adds the leaves below `path` where `recorded` and `called` differ to `found`.
fn compare(
    path: String,
    recorded: Option<&Value>,
    called: Option<&Value>,
    found: &mut Vec<Difference>,
) {
    match (recorded, called) {
        (Some(Value::Object(recorded)), Some(Value::Object(called))) => {
            for (key, value) in called {
                compare(field(&path, key), recorded.get(key), Some(value), found);
            }
            for (key, value) in recorded {
                if !called.contains_key(key) {
                    compare(field(&path, key), Some(value), None, found);
                }
            }
        }
        (Some(Value::Array(recorded)), Some(Value::Array(called))) => {
            for at in 0..recorded.len().max(called.len()) {
                let path = format!("{path}[{at}]");
                compare(path, recorded.get(at), called.get(at), found);
            }
        }
        _ if recorded == called => {}
        _ => found.push(Difference {
            path,
            recorded: recorded.cloned(),
            called: called.cloned(),
        }),
    }
}

/// The path of a field of the value at `path`: `.name`, or `["a key"]` when the key is not
/// an identifier.
fn field(path: &str, key: &str) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    if identifier {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::from(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_stub_differing_in_fewest_arguments_is_nearest() {
        let dir = tempfile::tempdir().unwrap();
        let stub = |name: &str, args: Value| {
            let text = json!({"format": 1, "function": "f", "source_hash": "h", "args": args, "output": null});
            fs::write(dir.path().join(name), text.to_string()).unwrap();
        };
        let (a, b, c) = (
            "a".repeat(32) + ".json",
            "b".repeat(32) + ".json",
            "c".repeat(32) + ".json",
        );
        stub(&a, json!({"country": "France", "language": "fr"}));
        stub(&b, json!({"country": "Spain", "language": "fr"}));
        stub(
            &format!(".{b}.x1.tmp"),
            json!({"country": "Spain", "language": "es"}),
        );
        stub("notes.json", json!({"country": "Spain", "language": "es"}));
        fs::write(dir.path().join(c), "{ broken").unwrap();

        let args = [("country", json!("Spain")), ("language", json!("es"))];
        let nearest = find(dir.path(), &args).unwrap();
        assert_eq!(nearest.path, dir.path().join(b));
        let [difference] = &nearest.differences[..] else {
            panic!("one difference expected");
        };
        assert_eq!(difference.path, "language");
        assert_eq!(difference.recorded, Some(json!("fr")));
        assert_eq!(difference.called, Some(json!("es")));
    }

    #[test]
    fn renamed_arguments_show_on_both_sides() {
        let recorded = [("prompt".to_string(), json!("hi"))];
        let names: Vec<_> = differences(&recorded, &[("question", json!("hi"))])
            .into_iter()
            .map(|d| (d.path, d.recorded.is_some(), d.called.is_some()))
            .collect();
        assert_eq!(
            names,
            [
                ("question".into(), false, true),
                ("prompt".into(), true, false)
            ]
        );
    }

    #[test]
    fn differences_are_found_at_their_leaves_at_any_depth() {
        let tool = |description: &str| json!({"function": {"name": "weather", "description": description}, "type": "function"});
        let recorded = [(
            "request".to_string(),
            json!({"messages": ["hi"], "tools": [tool("Current weather of a city")], "n": 1}),
        )];
        let called = [(
            "request",
            json!({"messages": ["hi", "again"], "tools": [tool("Current weather in a city")], "top p": 1}),
        )];
        let found = differences(&recorded, &called);
        let paths: Vec<_> = found.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "request.messages[1]",
                "request.tools[0].function.description",
                "request[\"top p\"]",
                "request.n"
            ]
        );
        assert_eq!(found[0].recorded, None);
        assert_eq!(found[1].recorded, Some(json!("Current weather of a city")));
        assert_eq!(found[1].called, Some(json!("Current weather in a city")));
        assert_eq!(found[3].called, None);
    }

    #[test]
    fn arguments_that_differ_only_in_order_are_told_from_others() {
        let recorded = [
            ("tags".to_string(), json!({"set": ["b", "a", ["y", "x"]]})),
            ("n".to_string(), json!(1)),
        ];
        let reordered = [
            ("tags", json!({"set": [["x", "y"], "a", "b"]})),
            ("n", json!(1)),
        ];
        let other = [
            ("tags", json!({"set": ["a", "b", ["x", "y"]]})),
            ("n", json!(2)),
        ];
        assert!(equal_but_for_order(&recorded, &reordered));
        assert!(!equal_but_for_order(&recorded, &other));
        assert!(!equal_but_for_order(&recorded, &reordered[..1]));
    }

    #[test]
    fn no_folder_means_no_nearest() {
        assert!(find(Path::new("/nonexistent/cached-stubs"), &[]).is_none());
    }
}
