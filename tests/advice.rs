//! What a message advises works when pasted: a user's crate (`tests/fixtures/forecast-crate`)
//! is built with cargo, its stubs go missing or stop fitting its types, and the test runs
//! each command a failure suggests, as written, in a shell in the crate's folder.

use cached_stubs_suite::UserCrate;

const MANIFEST: &str = "[dependencies]\n\
    cached-stubs = { path = {cached_stubs} }\n\
    serde = { version = \"1\", features = [\"derive\"] }\n\n\
    [dev-dependencies]\n\
    cached-stubs = { path = {cached_stubs}, features = [\"record-replay\"] }";

/// The commands a test run's failures suggest, each once, sorted: tests run in parallel.
fn suggested(output: &str) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if line.ends_with(", run:")
            && let Some(command) = lines.next()
            && !commands.iter().any(|seen| seen == command.trim())
        {
            commands.push(command.trim().to_string());
        }
    }
    commands.sort();
    commands
}

#[test]
fn every_command_a_failure_suggests_works_when_pasted() {
    let user = UserCrate::new("forecast-crate", MANIFEST);

    // No stubs yet: the test named records alone; without a name, every test records.
    let output = user.cargo(&["test"], None).failure();
    let record_paris = "RECORD=1 cargo test -- --exact forecasts_paris";
    let record_all_tests = "RECORD=1 cargo test --no-fail-fast";
    assert_eq!(
        suggested(&output),
        [record_paris, record_all_tests],
        "{output}"
    );
    user.shell(record_paris).success();
    assert_eq!(user.real_calls(), ["Paris"]);
    user.shell(record_all_tests).success();
    assert_eq!(user.real_calls(), ["Paris", "Rome"]);
    user.cargo(&["test"], None).success();

    // A field added to the returned type: the stubs no longer fit, and `RECORD=1` would
    // replay them and fail again; what is advised records over them.
    user.edit(
        "src/lib.rs",
        "pub city: String,",
        "pub city: String,\n    pub wind_kmh: u32,",
    );
    user.edit(
        "src/lib.rs",
        "city: city.to_string(),",
        "city: city.to_string(),\n            wind_kmh: 12,",
    );
    let output = user.cargo(&["test"], None).failure();
    assert!(output.contains("missing field `wind_kmh`"), "{output}");
    let advice = suggested(&output);
    assert_eq!(
        advice,
        [
            "RECORD=all cargo test -- --exact forecasts_paris",
            "RECORD=all cargo test --no-fail-fast"
        ],
        "{output}"
    );
    user.cargo(&["test"], Some("1")).failure();
    for command in advice {
        user.shell(&command).success();
    }
    user.cargo(&["test"], None).success();
    assert_eq!(
        user.real_calls(),
        ["Paris", "Paris", "Paris", "Rome", "Rome"]
    );
}
