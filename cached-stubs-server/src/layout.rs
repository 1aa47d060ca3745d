//! Where a request's stubs are filed: under `--dir`, a folder per method and path, named as
//! the stub's `function` says, so that `cargo stubs` finds each stub in its function's folder.
//!
//! `POST /v1/chat/completions?x=1` is the function `POST::v1::chat::completions`, whose stubs
//! are in `DIR/POST/v1/chat/completions/`, one file per distinct request (its key hashes the
//! method, the path with its query and the JSON body). Path segments keep letters, digits
//! and `-._~%`; any other byte is written `%XX` (`gemini-pro:generateContent` is
//! `gemini-pro%3AgenerateContent`), and so are segments `.` and `..`, so a folder never
//! leaves `DIR`. Empty segments are left out. A segment longer than 200 bytes once escaped,
//! or a folder below `DIR` longer than 1,024 bytes (well under any system's longest path, so
//! that `DIR` may be long too), can't be filed: the request is a 400.

use std::path::{Path, PathBuf};

/// The longest path segment a folder is made of, in bytes once escaped.
const LONGEST_SEGMENT: usize = 200;

/// The longest folder below `DIR`, in bytes once escaped: the method and every segment, with
/// a separator each.
const LONGEST_FOLDER: usize = 1024;

/// Where the stubs of a method and path go.
#[derive(Debug, PartialEq)]
pub struct Place {
    /// The stubs' `function`: `POST::v1::chat::completions`.
    pub function: String,
    /// Their folder: `DIR/POST/v1/chat/completions`.
    pub folder: PathBuf,
}

/// The place of the stubs of `method` and `path` (without its query) below `dir`; `Err` says
/// why a request can have none.
pub fn place(dir: &Path, method: &str, path: &str) -> Result<Place, String> {
    let mut parts = vec![escape(method)];
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        let escaped = escape(segment);
        if escaped.len() > LONGEST_SEGMENT {
            return Err(format!(
                "the path segment `{}…` is longer than the {LONGEST_SEGMENT} bytes a stub \
                 folder's name may be",
                &escaped[..40]
            ));
        }
        parts.push(escaped);
    }
    let length: usize = parts.iter().map(|part| part.len() + 1).sum();
    if length > LONGEST_FOLDER {
        return Err(format!(
            "the path is too long for a stub's folder: {length} bytes once escaped, more than \
             the {LONGEST_FOLDER} a folder below the stub folder may be"
        ));
    }
    Ok(Place {
        function: parts.join("::"),
        folder: parts
            .iter()
            .fold(dir.to_path_buf(), |folder, part| folder.join(part)),
    })
}

/// A path segment as a folder name.
fn escape(segment: &str) -> String {
    if segment == "." || segment == ".." {
        return "%2E".repeat(segment.len());
    }
    let mut escaped = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'%' => {
                escaped.push(char::from(byte))
            }
            byte => escaped.push_str(&format!("%{byte:02X}")),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::{Place, place};
    use std::path::Path;

    #[test]
    fn a_request_is_filed_under_its_method_and_path() {
        let dir = Path::new("stubs-http");
        assert_eq!(
            place(dir, "POST", "/v1/chat/completions").unwrap(),
            Place {
                function: "POST::v1::chat::completions".into(),
                folder: dir.join("POST/v1/chat/completions"),
            }
        );
        assert_eq!(place(dir, "GET", "/").unwrap().folder, dir.join("GET"));
        let gemini = place(dir, "POST", "/v1beta/models/gemini-pro:generateContent").unwrap();
        assert_eq!(
            gemini.function,
            "POST::v1beta::models::gemini-pro%3AgenerateContent"
        );
    }

    #[test]
    fn no_folder_leaves_the_stub_folder() {
        let dir = Path::new("d");
        let place = place(dir, "GET", "/a/../../b/./c//d%2F..").unwrap();
        assert_eq!(place.function, "GET::a::%2E%2E::%2E%2E::b::%2E::c::d%2F..");
        assert!(
            place
                .folder
                .components()
                .all(|part| part.as_os_str() != "..")
        );
        let long = format!("/{}", "x".repeat(201));
        assert!(
            super::place(dir, "GET", &long)
                .unwrap_err()
                .contains("longer than")
        );
        let longest = format!("/{}", "x".repeat(99)).repeat(10);
        assert!(super::place(dir, "POST", &longest).is_ok());
        assert!(
            super::place(dir, "POST", &longest.repeat(2))
                .unwrap_err()
                .contains("too long for a stub's folder")
        );
        assert_eq!(
            super::place(dir, "..", "/").unwrap().folder,
            dir.join("%2E%2E")
        );
    }
}
