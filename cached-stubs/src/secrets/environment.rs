//! The values of the secret-named environment variables of this process, read once: those
//! a stub must not hold.

use std::sync::LazyLock;

/// The words that make a variable's name secret, matched case-insensitively anywhere in it.
const SECRET_WORDS: [&str; 7] = [
    "KEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "AUTH",
];

/// The shortest value looked for, in characters, spaces around it left out: a shorter one
/// (`1`, `true`, a port) would be found everywhere.
const MIN_CHARS: usize = 8;

/// A secret-named variable, with its value as looked for.
#[derive(Debug, PartialEq)]
pub(crate) struct EnvSecret {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// The longest needle `str::contains` looks for with SIMD on x86-64; a longer one goes
/// through the slower Two-Way search, which a key of 50 to 200 characters would.
const FAST_NEEDLE: usize = 32;

impl EnvSecret {
    /// Whether `text` holds the value: none shorter does; then its head, found fast and
    /// almost never by chance, then the whole value.
    pub(crate) fn is_in(&self, text: &str) -> bool {
        if text.len() < self.value.len() {
            return false;
        }
        let mut head = self.value.len().min(FAST_NEEDLE);
        while !self.value.is_char_boundary(head) {
            head -= 1;
        }
        text.contains(&self.value[..head]) && text.contains(&self.value)
    }
}

/// The secret-named variables of this process, with a value of [`MIN_CHARS`] or more, read
/// on first use and kept.
pub(crate) fn secrets() -> &'static [EnvSecret] {
    static SECRETS: LazyLock<Vec<EnvSecret>> = LazyLock::new(|| {
        let vars = std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        });
        secret_named(vars)
    });
    &SECRETS
}

/// Those of `vars` whose name is secret and whose value is long enough to look for; a value
/// that is not UTF-8 can't be in a JSON string, and is left out.
pub(crate) fn secret_named(vars: impl IntoIterator<Item = (String, String)>) -> Vec<EnvSecret> {
    let mut secrets: Vec<EnvSecret> = vars
        .into_iter()
        .filter(|(name, _)| is_secret_name(name))
        .filter_map(|(name, value)| {
            let value = value.trim();
            (value.chars().count() >= MIN_CHARS).then(|| EnvSecret {
                name,
                value: value.to_string(),
            })
        })
        .collect();
    // Reported by name, the same one on every run.
    secrets.sort_by(|a, b| a.name.cmp(&b.name));
    secrets
}

/// Whether a variable's name holds one of [`SECRET_WORDS`]. `AUTH` doesn't count inside
/// `AUTHOR` (`GIT_AUTHOR_NAME`, cargo's `CARGO_PKG_AUTHORS`, GitLab's `CI_COMMIT_AUTHOR`,
/// which hold names and e-mail addresses), but does inside `AUTHORIZATION`.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|word| match *word {
        "AUTH" => name.match_indices("AUTH").any(|(at, _)| {
            let rest = &name[at..];
            !rest.starts_with("AUTHOR")
                || rest.starts_with("AUTHORIZ")
                || rest.starts_with("AUTHORIS")
        }),
        word => name.contains(word),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_holding_a_secret_word_in_any_case_are_secret() {
        for name in [
            "OPENAI_API_KEY",
            "openai_api_key",
            "GITHUB_TOKEN",
            "CI_JOB_TOKEN",
            "client_secret",
            "DB_PASSWORD",
            "MYSQL_PASSWD",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "AUTH",
            "BASIC_AUTH",
            "HTTP_AUTHORIZATION",
            "SSH_AUTH_SOCK",
            "KEYCHAIN",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "HOME",
            "PATH",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "CARGO_PKG_AUTHORS",
            "CI_COMMIT_AUTHOR",
            "RECORD",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_value_is_found_inside_a_text_whatever_its_length() {
        for value in ["a1b2c3d4", &"é-long-value-".repeat(10)] {
            let secret = EnvSecret {
                name: "SERVICE_TOKEN".into(),
                value: value.to_string(),
            };
            assert!(secret.is_in(&format!("before {value} after")));
            assert!(!secret.is_in(&format!("before {} after", &value[..value.len() - 1])));
            assert!(!secret.is_in(""));
        }
    }

    #[test]
    fn values_shorter_than_eight_characters_or_of_other_names_are_left_out() {
        let vars = [
            ("SERVICE_TOKEN", "  a1b2c3d4e5  "),
            ("SHORT_KEY", "1234567"),
            ("ACCENTED_SECRET", "éééééééé"),
            ("BLANK_PASSWORD", "           "),
            ("HOME", "/home/someone/projects"),
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()));
        let names = secret_named(vars);
        assert_eq!(
            names,
            [
                EnvSecret {
                    name: "ACCENTED_SECRET".into(),
                    value: "éééééééé".into()
                },
                EnvSecret {
                    name: "SERVICE_TOKEN".into(),
                    value: "a1b2c3d4e5".into()
                },
            ]
        );
    }
}
