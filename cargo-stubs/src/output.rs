//! What people read: counts in words, and text whose control characters are escaped, so
//! that what a stub or a file name holds is shown on the terminal rather than acted on.

use cached_stubs::__cargo_stubs::is_unprintable;
use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::io::{self, Write};

/// `1 stub`, `2 stubs`: a count and its noun, singular for one.
pub fn counted(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

/// `text` with each character a terminal would act on written as JSON escapes it,
/// `\u001b`: JSON printed this way stays JSON.
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unprintable(c) {
            write!(escaped, "\\u{:04x}", u32::from(c)).expect("a String takes any text");
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Writes `text` as one line: escaped, a newline inside it included, then a newline.
pub fn line(out: &mut dyn Write, text: impl Display) -> io::Result<()> {
    writeln!(out, "{}", escaped(&text.to_string()))
}

/// Writes `text` to stderr as a line of `cargo stubs`, escaped as [`line`] escapes it.
pub fn note(text: impl Display) {
    eprintln!("cargo stubs: {}", escaped(&text.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_counted_in_the_singular_and_every_other_count_in_the_plural() {
        assert_eq!(counted(0, "stub"), "0 stubs");
        assert_eq!(counted(1, "stub"), "1 stub");
        assert_eq!(counted(2, "unused stub"), "2 unused stubs");
    }

    #[test]
    fn escape_sequences_newlines_and_reordering_characters_are_escaped_as_json_escapes_them() {
        assert_eq!(
            escaped("\u{1b}]0;title\u{7}\u{1b}[31mred\u{9b}0m\nnext\u{202e}"),
            "\\u001b]0;title\\u0007\\u001b[31mred\\u009b0m\\u000anext\\u202e"
        );
        assert!(matches!(escaped("café, 東京 \"quoted\""), Cow::Borrowed(_)));
        // Inside a JSON string, an escape reads back as the character it stands for.
        let raw = "a\u{7f}\u{85}\u{1b}b";
        let read: String = serde_json::from_str(&format!("\"{}\"", escaped(raw))).unwrap();
        assert_eq!(read, raw);
    }
}
