//! Where a function's stubs go, as far as the attribute decides it: the stub root
//! (`dir = "..."`) must stay inside the crate's folder, and the folder's name
//! (`name = "..."`) must be a plain one.

/// What `name = "..."` may be: a plain folder name.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let portable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(portable) {
        let rule = "`name` must be a plain folder name: ASCII letters, digits, `_`, `-` and \
                    `.`, not starting with `.`";
        return Err(rule.into());
    }
    Ok(())
}

/// What `dir = "..."` may be: a path relative to the crate's folder (where its `Cargo.toml`
/// is) that stays inside it. Both `/` and `\` separate folders, so that a crate built on
/// any platform is refused alike.
pub(crate) fn check_dir(dir: &str) -> Result<(), String> {
    const STAY_INSIDE: &str = "`dir` must stay inside the crate's folder (where its \
                               `Cargo.toml` is): give a relative path such as \
                               `\"fixtures/stubs\"`";
    if dir.is_empty() {
        return Err("`dir` must not be empty".into());
    }
    let has_drive = matches!(dir.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic());
    if dir.starts_with(['/', '\\']) || has_drive {
        return Err(format!("{STAY_INSIDE}, not an absolute one"));
    }
    let mut depth = 0usize;
    for component in dir.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("{STAY_INSIDE}; this one's `..` climbs out of it"))?;
            }
            _ => depth += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_dir;

    #[test]
    fn a_dir_inside_the_crates_folder_is_accepted() {
        for dir in [
            "fixtures",
            "fixtures/stubs",
            "./stubs",
            "a/../b",
            "a\\b",
            ".",
            "stubs/",
        ] {
            assert_eq!(check_dir(dir), Ok(()), "{dir}");
        }
    }

    #[test]
    fn an_absolute_dir_is_refused() {
        for dir in [
            "/etc",
            "/",
            "\\tmp",
            "\\\\server\\share",
            "C:\\stubs",
            "c:stubs",
        ] {
            let error = check_dir(dir).unwrap_err();
            assert!(error.ends_with("not an absolute one"), "{dir}: {error}");
            assert!(error.contains("\"fixtures/stubs\""), "{error}");
        }
    }

    #[test]
    fn a_dir_that_climbs_out_of_the_crates_folder_is_refused() {
        for dir in ["..", "../../tmp/x", "a/../..", "stubs\\..\\..\\x", "./../x"] {
            let error = check_dir(dir).unwrap_err();
            assert!(error.ends_with("`..` climbs out of it"), "{dir}: {error}");
        }
        assert_eq!(check_dir("").unwrap_err(), "`dir` must not be empty");
    }
}
