//! A `Result` under an alias is seen by its type: only its `Ok` is recorded, so its `Err`
//! needn't serialize. Run, not only compiled: an `Err` writes nothing, an `Ok` writes its
//! value.
use cached_stubs::cached_stub;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct Answer {
    text: String,
}

/// Not `Serialize`: were the whole `Result` recorded, this wouldn't compile.
#[derive(Debug)]
struct Failure;

type Reply = Result<Answer, Failure>;

#[cached_stub]
fn reply(prompt: &str) -> Reply {
    match prompt {
        "fail" => Err(Failure),
        _ => Ok(Answer { text: prompt.to_uppercase() }),
    }
}

/// The stub files under `folder`, at any depth.
fn stubs(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let paths = entries.map(|entry| entry.unwrap().path());
    paths
        .flat_map(|path| match path.is_dir() {
            true => stubs(&path),
            false => vec![std::fs::read_to_string(path).unwrap()],
        })
        .collect()
}

fn main() {
    let dir = std::env::temp_dir().join(format!("cached-stubs-ui-result-aliases-{}", std::process::id()));
    // SAFETY: no other thread runs yet, and cached-stubs reads both once, at its first call.
    unsafe {
        std::env::set_var("RECORD", "1");
        std::env::set_var("CACHED_STUBS_DIR", &dir);
    }
    assert!(reply("fail").is_err());
    assert!(stubs(&dir).is_empty(), "an `Err` is never recorded");
    assert_eq!(reply("hi").unwrap().text, "HI");
    let stubs = stubs(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(stubs.len(), 1);
    assert!(stubs[0].contains(r#""output": {
    "text": "HI"
  }"#), "only the `Ok` is recorded: {}", stubs[0]);
}
