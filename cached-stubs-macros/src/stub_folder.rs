//! Where a function's stubs go, as far as the attribute decides it: the stub root
//! (`dir = "..."`) must stay inside the crate's folder, and the folder's name (the
//! function's, or `name = "..."`) must be one that every file system accepts.

use proc_macro2::Ident;
use syn::LitStr;
use syn::ext::IdentExt;

/// The longest folder name accepted, in bytes. Most file systems take names of up to 255
/// bytes (ext4, XFS, Btrfs, ZFS, APFS) or 255 UTF-16 units (NTFS, where a name has no more
/// units than its UTF-8 bytes); 200 leaves room for what tools add to a folder's name when
/// they copy, back up or sync it (`.orig`, `~`, ` (conflicted copy)`).
const MAX_NAME_BYTES: usize = 200;

/// What `name = "..."` may be: a plain folder name, short enough for every file system.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let portable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(portable) {
        let rule = "`name` must be a plain folder name: ASCII letters, digits, `_`, `-` and \
                    `.`, not starting with `.`";
        return Err(rule.into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "`name` is {} bytes long: a folder name must be at most {MAX_NAME_BYTES} bytes, \
             which every file system accepts",
            name.len()
        ));
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

/// The name of the function's stub folder: `name`, checked as it was parsed, else the
/// function's own, which must fit as `name` must.
pub(crate) fn folder_name(function: &Ident, name: Option<&LitStr>) -> syn::Result<String> {
    if let Some(name) = name {
        return Ok(name.value());
    }
    let own = function.unraw().to_string();
    if own.len() > MAX_NAME_BYTES {
        let message = format!(
            "this name is {} bytes long, too long for the folder its stubs go in, which \
             must be at most {MAX_NAME_BYTES} bytes: give a shorter folder name with \
             `#[cached_stub(name = \"...\")]`",
            own.len()
        );
        return Err(syn::Error::new(function.span(), message));
    }
    Ok(own)
}

#[cfg(test)]
mod tests {
    use super::{MAX_NAME_BYTES, check_dir, check_name, folder_name};
    use quote::format_ident;

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

    #[test]
    fn a_name_longer_than_a_folder_name_may_be_is_refused() {
        assert_eq!(check_name(&"a".repeat(MAX_NAME_BYTES)), Ok(()));
        let error = check_name(&"a".repeat(MAX_NAME_BYTES + 1)).unwrap_err();
        assert!(error.starts_with("`name` is 201 bytes long"), "{error}");
    }

    #[test]
    fn a_function_name_too_long_for_a_folder_is_refused_unless_name_is_given() {
        let fits = format_ident!("{}", "f".repeat(MAX_NAME_BYTES));
        assert_eq!(folder_name(&fits, None).unwrap().len(), MAX_NAME_BYTES);
        let long = format_ident!("{}", "f".repeat(MAX_NAME_BYTES + 1));
        let error = folder_name(&long, None).unwrap_err().to_string();
        assert!(error.starts_with("this name is 201 bytes long"), "{error}");
        let name = syn::parse_quote!("short");
        assert_eq!(folder_name(&long, Some(&name)).unwrap(), "short");
    }

    #[test]
    fn a_raw_function_name_names_its_folder_without_its_prefix() {
        let raw = format_ident!("r#match");
        assert_eq!(folder_name(&raw, None).unwrap(), "match");
    }
}
