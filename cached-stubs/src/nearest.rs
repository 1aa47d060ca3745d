//! The recorded call nearest to a missed one, so a miss message can say which argument
//! differs. Only a replay miss looks: a hit never lists a folder.

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
}

/// One argument that differs: absent on one side when the arguments were renamed.
pub(crate) struct Difference {
    pub(crate) name: String,
    pub(crate) recorded: Option<Value>,
    pub(crate) called: Option<Value>,
}

/// Reads the `args` of every stub in `folder` and returns the nearest to `args`; ties go to
/// the first file by name, so the answer doesn't depend on directory order.
pub(crate) fn find(folder: &Path, args: &[(&'static str, Value)]) -> Option<Nearest> {
    let mut stubs: Vec<PathBuf> = fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(Key::is_file_name)
        })
        .collect();
    stubs.sort();
    stubs
        .into_iter()
        .filter_map(|path| {
            // Read as a replay reads: a pipe or a huge file among them is skipped, not waited on.
            let recorded = stub_file::recorded_args(&store::read(&path).ok()??)?;
            let differences = differences(&recorded, args);
            Some(Nearest { path, differences })
        })
        .min_by_key(|nearest| nearest.differences.len())
}

fn differences(recorded: &[(String, Value)], args: &[(&'static str, Value)]) -> Vec<Difference> {
    let recorded_value = |name: &str| {
        recorded
            .iter()
            .find_map(|(recorded, value)| (recorded == name).then_some(value))
    };
    let changed = args
        .iter()
        .filter(|(name, value)| recorded_value(name) != Some(value))
        .map(|(name, value)| Difference {
            name: (*name).to_string(),
            recorded: recorded_value(name).cloned(),
            called: Some(value.clone()),
        });
    let dropped = recorded
        .iter()
        .filter(|(name, _)| !args.iter().any(|(arg, _)| arg == name))
        .map(|(name, value)| Difference {
            name: name.clone(),
            recorded: Some(value.clone()),
            called: None,
        });
    changed.chain(dropped).collect()
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
        assert_eq!(difference.name, "language");
        assert_eq!(difference.recorded, Some(json!("fr")));
        assert_eq!(difference.called, Some(json!("es")));
    }

    #[test]
    fn renamed_arguments_show_on_both_sides() {
        let recorded = [("prompt".to_string(), json!("hi"))];
        let names: Vec<_> = differences(&recorded, &[("question", json!("hi"))])
            .into_iter()
            .map(|d| (d.name, d.recorded.is_some(), d.called.is_some()))
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
    fn no_folder_means_no_nearest() {
        assert!(find(Path::new("/nonexistent/cached-stubs"), &[]).is_none());
    }
}
