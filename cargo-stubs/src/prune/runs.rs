//! The runs of the tests prune makes, and the arguments each accepts: `cargo test
//! --workspace`, then one run for each configuration named with `--run`, every run followed
//! by the arguments given after `--`.

use crate::Stop;

/// Arguments of `cargo test` that change neither which tests run nor what they run, alone or
/// with a value: accepted after `--` and in a `--run`. Not `-p` or `--exclude`: a package's
/// stubs may be used by another's tests. Not `--config` or `--all-targets`: the one may set
/// the environment the tests log under, the other leaves doc tests out.
const CARGO_FLAGS: &[&str] = &[
    "--workspace",
    "--locked",
    "--offline",
    "--frozen",
    "--no-fail-fast",
    "-v",
    "--verbose",
    "-q",
    "--quiet",
];
/// The same, with a value.
const CARGO_OPTIONS: &[&str] = &["-j", "--jobs", "--color"];

/// Arguments of `cargo test` that choose a configuration, what is compiled (and so which
/// `#[cfg(feature = "...")]` tests exist): accepted in a `--run`, which names one
/// configuration; after `--` they would apply to every run, and leave the plain one out.
const CONFIGURATION_FLAGS: &[&str] = &["--all-features", "--no-default-features", "--release"];
/// The same, with a value.
const CONFIGURATION_OPTIONS: &[&str] = &["--features", "-F", "--profile", "--target"];

/// Arguments of the test harness (after a second `--`) that leave no test out.
const TEST_FLAGS: &[&str] = &[
    "--include-ignored",
    "--nocapture",
    "--no-capture",
    "--show-output",
    "-q",
    "--quiet",
];
/// The same, with a value.
const TEST_OPTIONS: &[&str] = &["--test-threads", "--color", "--format"];

/// The arguments of cargo that make `cargo metadata` resolve as `cargo test` does, without
/// the network when the tests run without it.
const RESOLVE_FLAGS: &[&str] = &["--offline", "--locked", "--frozen"];

/// One run of the tests.
pub struct Run {
    /// What follows `cargo test --workspace`: the configuration's arguments, then the ones
    /// given after `--`.
    pub args: Vec<String>,
    /// The arguments with which `cargo metadata` resolves the features this run enables:
    /// the configuration's choice of features, and `--offline`, `--locked` or `--frozen`.
    pub features: Vec<String>,
    /// The platform it builds for, when `--target` names one.
    pub target: Option<String>,
}

impl Run {
    /// The command, as it is shown.
    pub fn command(&self) -> String {
        ["cargo", "test", "--workspace"]
            .into_iter()
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The runs: the plain one, then one for each of `configurations` (arguments of `cargo
/// test`, separated by spaces), each followed by `test_args`. Refuses any argument that may
/// leave tests out or change what they run, and a configuration given for every run.
pub fn plan(configurations: &[String], test_args: &[String]) -> Result<Vec<Run>, Stop> {
    let split = test_args
        .iter()
        .position(|arg| arg == "--")
        .unwrap_or(test_args.len());
    let (cargo_args, harness_args) = (
        &test_args[..split],
        test_args.get(split + 1..).unwrap_or_default(),
    );
    let common = options(cargo_args, CARGO_FLAGS, CARGO_OPTIONS).map_err(|arg| {
        let name = arg.split_once('=').map_or(arg, |(name, _)| name);
        if CONFIGURATION_FLAGS.contains(&name) || CONFIGURATION_OPTIONS.contains(&name) {
            for_every_run(arg)
        } else {
            leaves_tests_out(arg)
        }
    })?;
    options(harness_args, TEST_FLAGS, TEST_OPTIONS).map_err(leaves_tests_out)?;
    let resolve: Vec<String> = common
        .iter()
        .filter(|(name, _)| RESOLVE_FLAGS.contains(name))
        .map(|(name, _)| name.to_string())
        .collect();

    let flags = [CARGO_FLAGS, CONFIGURATION_FLAGS].concat();
    let values = [CARGO_OPTIONS, CONFIGURATION_OPTIONS].concat();
    let plain = String::new();
    let mut runs = Vec::new();
    for configuration in std::iter::once(&plain).chain(configurations) {
        let words: Vec<String> = configuration.split_whitespace().map(String::from).collect();
        let chosen = options(&words, &flags, &values).map_err(|arg| {
            if arg == "--" {
                Stop::Message(format!(
                    "`--run '{configuration}'`: a run takes arguments of cargo that choose a \
                     configuration; the test harness's go after prune's own `--`, for every run"
                ))
            } else {
                leaves_tests_out(arg)
            }
        })?;
        let mut features = resolve.clone();
        let mut target = None;
        for (name, value) in chosen {
            match (name, value) {
                ("--all-features" | "--no-default-features", _) => features.push(name.into()),
                ("--features" | "-F", Some(value)) => {
                    features.extend(["--features".to_string(), value.to_string()]);
                }
                ("--target", Some(value)) => target = Some(value.to_string()),
                _ => {}
            }
        }
        let args = words.iter().chain(test_args).cloned().collect();
        runs.push(Run {
            args,
            features,
            target,
        });
    }
    Ok(runs)
}

/// `args` read as `flags`, alone, and `options`, each with its value (`--jobs 2`,
/// `--jobs=2`), in order; `Err` holds the first argument that is neither.
fn options<'a>(
    args: &'a [String],
    flags: &[&str],
    options: &[&str],
) -> Result<Vec<(&'a str, Option<&'a str>)>, &'a str> {
    let mut read = Vec::new();
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        if flags.contains(&arg) {
            read.push((arg, None));
        } else if options.contains(&arg) {
            read.push((arg, args.next()));
        } else {
            match arg.split_once('=') {
                Some((name, value)) if options.contains(&name) => read.push((name, Some(value))),
                _ => return Err(arg),
            }
        }
    }
    Ok(read)
}

/// The refusal of `arg`, which may leave tests out or change what they run.
fn leaves_tests_out(arg: &str) -> Stop {
    Stop::Message(format!(
        "`{arg}` may leave tests out or change what they run, and the stubs only those tests \
         use would look unused: prune runs every test as `cargo test --workspace` runs it, or \
         deletes nothing"
    ))
}

/// The refusal of `arg`, which chooses a configuration, given for every run.
fn for_every_run(arg: &str) -> Stop {
    Stop::Message(format!(
        "`{arg}` chooses what is compiled, and given after `--` it would apply to every run, \
         leaving the plain `cargo test --workspace` out: name each configuration the tests run \
         under with `--run` instead (`--run '--features extra'`, `--run --all-features`); \
         prune runs the tests under each, and keeps the stubs any run used"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` split at spaces, as a shell would pass it.
    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn every_run_gets_the_arguments_after_the_double_dash_and_metadata_the_features_chosen() {
        let configurations = [
            "--features a,b --target x86_64-pc-windows-gnu",
            "--all-features",
        ];
        let runs = plan(
            &configurations.map(String::from),
            &words("--offline -j 2 -- --nocapture"),
        )
        .unwrap_or_else(|_| panic!("refused"));
        let commands: Vec<_> = runs.iter().map(Run::command).collect();
        assert_eq!(
            commands,
            [
                "cargo test --workspace --offline -j 2 -- --nocapture",
                "cargo test --workspace --features a,b --target x86_64-pc-windows-gnu --offline -j 2 -- --nocapture",
                "cargo test --workspace --all-features --offline -j 2 -- --nocapture",
            ]
        );
        assert_eq!(runs[0].features, ["--offline"]);
        assert_eq!(runs[1].features, ["--offline", "--features", "a,b"]);
        assert_eq!(runs[1].target.as_deref(), Some("x86_64-pc-windows-gnu"));
        assert_eq!(runs[2].features, ["--offline", "--all-features"]);
        assert_eq!(runs[2].target, None);
    }

    #[test]
    fn an_option_takes_its_value_after_a_space_or_an_equals_sign() {
        let args = words("--jobs 2 --color=never --offline");
        assert_eq!(
            options(&args, CARGO_FLAGS, CARGO_OPTIONS),
            Ok(vec![
                ("--jobs", Some("2")),
                ("--color", Some("never")),
                ("--offline", None)
            ])
        );
        assert_eq!(
            options(&words("--jobs=2 --test x"), CARGO_FLAGS, CARGO_OPTIONS),
            Err("--test")
        );
    }
}
