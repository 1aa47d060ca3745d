//! The features of the workspace's members that no run of the tests enables: the tests
//! compiled only with one of them never run, so the stubs only they use would look unused.

use super::runs::Run;
use crate::workspace::{cargo, metadata};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// A feature of a member of the workspace: its package's name, and its own.
pub type Feature = (String, String);

/// The features a member declares and none of `runs` enables, as `cargo metadata` resolves
/// each run's choice of features (with those that members' dependencies on each other turn
/// on) for the platform the run builds for.
pub fn unrun(runs: &[Run]) -> Result<BTreeSet<Feature>, String> {
    let host = host()?;
    let mut declared = BTreeSet::new();
    let mut enabled = BTreeSet::new();
    for run in runs {
        let platform = run.target.clone().unwrap_or_else(|| host.clone());
        let mut args = vec!["--filter-platform".to_string(), platform];
        args.extend(run.features.iter().cloned());
        let metadata = metadata(&args)?;
        let members: Vec<&str> = strings(&metadata["workspace_members"]).collect();
        let mut names = HashMap::new();
        for package in metadata["packages"].as_array().into_iter().flatten() {
            let (Some(id), Some(name)) = (package["id"].as_str(), package["name"].as_str()) else {
                continue;
            };
            if members.contains(&id) {
                names.insert(id, name);
                let features = package["features"].as_object().into_iter().flatten();
                declared.extend(features.map(|(feature, _)| (name.to_string(), feature.clone())));
            }
        }
        for node in metadata["resolve"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(name) = node["id"].as_str().and_then(|id| names.get(id)) {
                let features = strings(&node["features"]);
                enabled.extend(features.map(|feature| (name.to_string(), feature.to_string())));
            }
        }
    }
    Ok(&declared - &enabled)
}

/// The strings of a JSON array.
fn strings(array: &Value) -> impl Iterator<Item = &str> {
    array
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The platform cargo builds for when no `--target` is given: the host's, as `cargo -vV`
/// names it.
fn host() -> Result<String, String> {
    let output = Command::new(cargo())
        .arg("-vV")
        .output()
        .map_err(|error| format!("can't run `cargo -vV`: {error}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| format!("`cargo -vV` names no host:\n{text}"))
}
