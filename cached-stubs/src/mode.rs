//! The `RECORD` environment variable: what annotated functions do in this process.

use std::ffi::OsStr;
use std::sync::OnceLock;

/// What an annotated function does with its stubs, chosen once per process by the `RECORD`
/// environment variable.
///
/// | `RECORD` | mode |
/// |---|---|
/// | unset, empty, `0`, `false`, `no`, `off` | [`Mode::Replay`] |
/// | `1`, `true`, `yes`, `on`, `missing` | [`Mode::RecordMissing`] |
/// | `all`, `force` | [`Mode::RecordAll`] |
/// | `passthrough` | [`Mode::Passthrough`] |
///
/// Values are matched case-insensitively after trimming spaces. Any other value makes every
/// annotated call panic with a message that lists the accepted ones.
///
/// ```
/// use cached_stubs::Mode;
///
/// // A test that needs a real client only when a real call can happen:
/// let api_key = match Mode::current() {
///     Mode::Replay => "unused-in-replay".to_string(),
///     _ => std::env::var("OPENAI_API_KEY").unwrap_or_default(),
/// };
/// # let _ = api_key;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Replay stubs; a missing or stale stub panics and the real function is never called.
    Replay,
    /// Replay stubs; call the real function and write its stub when none is current.
    RecordMissing,
    /// Call the real function for every call and overwrite its stub.
    RecordAll,
    /// Call the real function; read and write nothing.
    Passthrough,
}

/// The accepted values of `RECORD`, in the words of the panic that rejects any other.
const ACCEPTED: &str = "unset, empty, 0, false, no, off (replay); \
                        1, true, yes, on, missing (record missing stubs); \
                        all, force (record every call); \
                        passthrough (call the real function, touch no stub)";

impl Mode {
    /// The mode of this process, read from `RECORD` on first use and kept.
    ///
    /// # Panics
    ///
    /// When `RECORD` holds a value outside the table on [`Mode`].
    ///
    /// ```
    /// assert_eq!(cached_stubs::Mode::current(), cached_stubs::Mode::current());
    /// ```
    #[track_caller]
    pub fn current() -> Mode {
        static MODE: OnceLock<Result<Mode, String>> = OnceLock::new();
        match MODE.get_or_init(|| Mode::parse(crate::env::var("RECORD").as_deref())) {
            Ok(mode) => *mode,
            Err(message) => panic!("{message}"),
        }
    }

    fn parse(value: Option<&OsStr>) -> Result<Mode, String> {
        let Some(value) = value else {
            return Ok(Mode::Replay);
        };
        let mode = match switch(value) {
            Some(false) => Some(Mode::Replay),
            Some(true) => Some(Mode::RecordMissing),
            None => match word(value).as_deref() {
                Some("missing") => Some(Mode::RecordMissing),
                Some("all" | "force") => Some(Mode::RecordAll),
                Some("passthrough") => Some(Mode::Passthrough),
                _ => None,
            },
        };
        mode.ok_or_else(|| {
            format!(
                "cached-stubs: RECORD={value:?} is not a value it knows.\n  accepted: {ACCEPTED}"
            )
        })
    }
}

/// Off or on, in the words both `RECORD` and `CACHED_STUBS_TIMING` take for them: empty, `0`,
/// `false`, `no`, `off`, or `1`, `true`, `yes`, `on`, in any case, spaces around ignored.
pub(crate) fn switch(value: &OsStr) -> Option<bool> {
    match word(value).as_deref()? {
        "" | "0" | "false" | "no" | "off" => Some(false),
        "1" | "true" | "yes" | "on" => Some(true),
        _ => None,
    }
}

/// A variable's value as its words are matched: trimmed, in lower case.
fn word(value: &OsStr) -> Option<String> {
    value.to_str().map(|text| text.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::Mode;
    use std::ffi::OsStr;

    fn parse(value: &str) -> Result<Mode, String> {
        Mode::parse(Some(OsStr::new(value)))
    }

    #[test]
    fn unset_replays() {
        assert_eq!(Mode::parse(None), Ok(Mode::Replay));
    }

    #[test]
    fn every_value_of_the_table_maps_to_its_mode() {
        let table = [
            (Mode::Replay, &["", "0", "false", "no", "off"][..]),
            (Mode::RecordMissing, &["1", "true", "yes", "on", "missing"]),
            (Mode::RecordAll, &["all", "force"]),
            (Mode::Passthrough, &["passthrough"]),
        ];
        for (mode, values) in table {
            for value in values {
                assert_eq!(parse(value), Ok(mode), "RECORD={value}");
                assert_eq!(parse(&format!(" {} ", value.to_uppercase())), Ok(mode));
            }
        }
    }

    #[test]
    fn an_unknown_value_names_itself_and_the_accepted_ones() {
        let message = parse("sometimes").unwrap_err();
        assert!(message.contains("RECORD=\"sometimes\""), "{message}");
        for accepted in ["0", "1", "missing", "all", "force", "passthrough"] {
            assert!(message.contains(accepted), "{message} lacks {accepted}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_utf8_is_unknown() {
        use std::os::unix::ffi::OsStrExt;
        assert!(Mode::parse(Some(OsStr::from_bytes(b"\xff"))).is_err());
    }
}
