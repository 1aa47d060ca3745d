//! What the person whose test failed reads besides the failure itself: paths as they can open
//! them, long values cut to a readable width, and the command that records what missed.

use std::path::Path;

/// A path that opens from where the user ran cargo: relative to that folder when it lies
/// below it, as cargo prints paths, else absolute.
pub(crate) fn shown(path: &Path) -> String {
    shown_from(path, crate::env::invocation_dir().as_deref())
}

/// `path` relative to `from` when it lies below it, else as it is.
pub(crate) fn shown_from(path: &Path, from: Option<&Path>) -> String {
    let relative = from.and_then(|from| path.strip_prefix(from).ok());
    relative.unwrap_or(path).display().to_string()
}

/// Whether a character could act on a terminal rather than show on it: a control character,
/// or one that reorders the text around it.
pub(crate) fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` cut to at most `width` characters, with `…` where it was cut.
pub(crate) fn cut(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_string(),
    }
}

/// `text` cut to at most `width` characters around the character at `at`, with `…` where
/// it was cut: where two values differ, so that both show the difference.
pub(crate) fn cut_around(text: &str, at: usize, width: usize) -> String {
    let length = text.chars().count();
    if length <= width {
        return text.to_string();
    }
    let start = at.saturating_sub(width / 3).min(length - width);
    let shown: String = text.chars().skip(start).take(width).collect();
    let before = if start > 0 { "…" } else { "" };
    let after = if start + width < length { "…" } else { "" };
    format!("{before}{shown}{after}")
}

/// The command that records what just missed, with `RECORD` set to `record`: the current
/// test by name under `cargo test` or `cargo nextest run` (every test, not stopping at the
/// first binary that fails, when no test is known), the current example, or this program
/// again.
pub(crate) fn record_command(record: &str) -> String {
    let exe = std::env::current_exe().ok();
    let folder = exe
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::file_name);
    let stem = exe.as_deref().and_then(Path::file_stem);
    match (
        folder.and_then(|f| f.to_str()),
        stem.and_then(|s| s.to_str()),
    ) {
        (Some("examples"), Some(example)) => {
            format!("RECORD={record} cargo run --example {example}")
        }
        (Some("deps"), _) => {
            let runner = if std::env::var_os("NEXTEST").is_some() {
                "cargo nextest run"
            } else {
                "cargo test"
            };
            let test = std::thread::current()
                .name()
                .filter(|name| is_test_path(name))
                .map(str::to_string);
            match test {
                Some(test) => format!("RECORD={record} {runner} -- --exact {test}"),
                None => format!("RECORD={record} {runner} --no-fail-fast"),
            }
        }
        _ => {
            let program: Vec<_> = std::env::args().collect();
            format!("RECORD={record} {}", program.join(" "))
        }
    }
}

/// Whether a thread name is a test's path (`module::test`), as libtest names test threads,
/// rather than a runtime's worker (`tokio-runtime-worker`) or `main`.
pub(crate) fn is_test_path(name: &str) -> bool {
    name != "main"
        && name
            .split("::")
            .all(|part| !part.is_empty() && part.chars().all(|c| c == '_' || c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("short", 10), "short");
        let long = "é".repeat(500);
        let shown = cut(&long, 10);
        assert!(shown.starts_with(&"é".repeat(10)));
        assert!(shown.ends_with("… (1000 bytes in all)"), "{shown}");
    }

    #[test]
    fn long_text_is_cut_around_a_place_to_show() {
        let text: String = ('a'..='z').collect();
        assert_eq!(cut_around(&text, 13, 100), text);
        assert_eq!(cut_around(&text, 13, 9), "…klmnopqrs…");
        assert_eq!(cut_around(&text, 0, 9), "abcdefghi…");
        assert_eq!(cut_around(&text, 25, 9), "…rstuvwxyz");
    }

    #[test]
    fn test_paths_are_told_from_other_thread_names() {
        assert!(is_test_path("tests::records_the_answer"));
        assert!(is_test_path("replays"));
        assert!(!is_test_path("main"));
        assert!(!is_test_path("tokio-runtime-worker"));
        assert!(!is_test_path("a::::b"));
    }

    #[test]
    fn the_record_command_names_the_running_test() {
        // This unit test runs in a test binary under `target/*/deps`, on a thread named after it.
        let command = record_command("all");
        assert!(command.starts_with("RECORD=all cargo "), "{command}");
        assert!(
            command
                .ends_with(" -- --exact report::tests::the_record_command_names_the_running_test"),
            "{command}"
        );
    }
}
