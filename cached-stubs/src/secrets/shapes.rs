//! Strings shaped like well-known credentials, found by a hand-written matcher: a fixed
//! prefix at the start of a word, then enough characters of the credential's alphabet.
//!
//! Weak prefixes (`sk-`, `Bearer `) also ask for a random-looking run: at least two of
//! upper-case letters, lower-case letters and digits, which a generated key of 20 characters
//! has but prose such as `sk-learn-compatible-estimators` doesn't. Distinctive prefixes
//! (`ghp_`, `AKIA`, `AIza`, ...) ask for nothing more, since a real key may, by chance, be of
//! one class.

use std::fmt;

/// A kind of credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `sk-`, `sk-proj-`, ... and 20 or more key characters.
    OpenAi,
    /// `sk-ant-` and 20 or more key characters.
    Anthropic,
    /// `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_` and 20 or more.
    GitHub,
    /// `AKIA` or `ASIA` and 16 upper-case letters or digits.
    AwsAccessKeyId,
    /// `xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-` and 10 or more.
    Slack,
    /// `AIza` and 35 or more.
    GoogleApiKey,
    /// `Bearer ` and a JWT or a token of 20 or more characters.
    Bearer,
    /// `-----BEGIN ... PRIVATE KEY-----`.
    PemPrivateKey,
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Credential::OpenAi => "an OpenAI API key (`sk-…`)",
            Credential::Anthropic => "an Anthropic API key (`sk-ant-…`)",
            Credential::GitHub => "a GitHub token (`ghp_…`, `github_pat_…`)",
            Credential::AwsAccessKeyId => "an AWS access key id (`AKIA…`)",
            Credential::Slack => "a Slack token (`xox…-`)",
            Credential::GoogleApiKey => "a Google API key (`AIza…`)",
            Credential::Bearer => "a bearer token (`Bearer …`)",
            Credential::PemPrivateKey => "a PEM private key block",
        })
    }
}

/// The first credential-shaped string in `text`, if any.
pub(crate) fn credential_in(text: &str) -> Option<Credential> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| MAY_START[usize::from(b)]) {
        at += offset;
        let starts_word = at == 0 || !is_word(bytes[at - 1]);
        if let Some(found) = credential_at(&bytes[at..], starts_word) {
            return Some(found);
        }
        at += 1;
    }
    None
}

/// Bytes a credential can start with: most text is skipped without a look.
const MAY_START: [bool; 256] = {
    let mut table = [false; 256];
    let starts = b"sgAxBb-";
    let mut at = 0;
    while at < starts.len() {
        table[starts[at] as usize] = true;
        at += 1;
    }
    table
};

/// The credential that `rest` starts with, if any; `starts_word` when nothing of a word is
/// before it.
fn credential_at(rest: &[u8], starts_word: bool) -> Option<Credential> {
    if rest.starts_with(b"-----BEGIN ") {
        return pem_private_key(&rest[b"-----BEGIN ".len()..]);
    }
    if !starts_word {
        return None;
    }
    let run = |after: &[u8], alphabet: fn(u8) -> bool| {
        rest.get(after.len()..)
            .map_or(0, |tail| tail.iter().take_while(|&&b| alphabet(b)).count())
    };
    if rest.starts_with(b"sk-ant-") {
        return (run(b"sk-ant-", is_key) >= 20).then_some(Credential::Anthropic);
    }
    if rest.starts_with(b"sk-") {
        let body = &rest[3..3 + run(b"sk-", is_key)];
        return (body.len() >= 20 && looks_random(body)).then_some(Credential::OpenAi);
    }
    for prefix in [&b"ghp_"[..], b"gho_", b"ghu_", b"ghs_", b"ghr_"] {
        if rest.starts_with(prefix) {
            return (run(prefix, is_alphanumeric) >= 20).then_some(Credential::GitHub);
        }
    }
    if rest.starts_with(b"github_pat_") {
        return (run(b"github_pat_", is_word) >= 20).then_some(Credential::GitHub);
    }
    if rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA") {
        let upper = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        // Exactly 16: a longer run is some other upper-case word or hash.
        return (run(b"AKIA", upper) == 16 && run(b"AKIA", is_alphanumeric) == 16)
            .then_some(Credential::AwsAccessKeyId);
    }
    if rest.len() > 4 && rest.starts_with(b"xox") && b"abprs".contains(&rest[3]) && rest[4] == b'-'
    {
        let slack = |b: u8| is_alphanumeric(b) || b == b'-';
        return (run(b"xoxb-", slack) >= 10).then_some(Credential::Slack);
    }
    if rest.starts_with(b"AIza") {
        return (run(b"AIza", is_key) >= 35).then_some(Credential::GoogleApiKey);
    }
    if rest.len() > 6 && rest[..6].eq_ignore_ascii_case(b"bearer") {
        let spaces = rest[6..].iter().take_while(|&&b| b == b' ').count();
        let token = &rest[6 + spaces..];
        let token = &token[..token.iter().take_while(|&&b| is_token(b)).count()];
        return (spaces > 0 && token.len() >= 20 && looks_random(token))
            .then_some(Credential::Bearer);
    }
    None
}

/// After `-----BEGIN `: a label naming a private key, then `-----`.
fn pem_private_key(label: &[u8]) -> Option<Credential> {
    let label = &label[..label.len().min(40)];
    let end = label.windows(5).position(|dashes| dashes == b"-----")?;
    let label = &label[..end];
    let private = label.windows(11).any(|words| words == b"PRIVATE KEY");
    private.then_some(Credential::PemPrivateKey)
}

/// A letter, digit or `_`: what a credential's prefix must not follow.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_alphanumeric(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// What API keys are made of: letters, digits, `_` and `-`.
fn is_key(b: u8) -> bool {
    is_word(b) || b == b'-'
}

/// What a bearer token is made of (RFC 6750's `b64token`), a JWT's dots included.
fn is_token(b: u8) -> bool {
    is_key(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Whether `run` mixes at least two of upper-case letters, lower-case letters and digits.
fn looks_random(run: &[u8]) -> bool {
    let has = |class: fn(&u8) -> bool| usize::from(run.iter().any(class));
    has(u8::is_ascii_uppercase) + has(u8::is_ascii_lowercase) + has(u8::is_ascii_digit) >= 2
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `length` characters of `alphabet`, different for each `seed`: test keys are made when
    /// the tests run, never written in the source.
    pub(crate) fn random(alphabet: &str, length: usize, seed: u64) -> String {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (0..length)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                alphabet[(state >> 33) as usize % alphabet.len()]
            })
            .collect()
    }

    pub(crate) const BASE62: &str =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const KEY: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    /// A credential of each kind, as it would sit in a longer text.
    fn examples(seed: u64) -> Vec<(String, Credential)> {
        let key = |length| random(KEY, length, seed);
        let upper = random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, seed);
        let pem = ["-----BEGIN", "RSA PRIVATE", "KEY-----"].join(" ");
        vec![
            (
                format!("sk-{}", random(BASE62, 48, seed)),
                Credential::OpenAi,
            ),
            (format!("sk-{}-{}", "proj", key(100)), Credential::OpenAi),
            (format!("sk-{}-{}", "ant", key(90)), Credential::Anthropic),
            (
                format!("{}_{}", "ghp", random(BASE62, 36, seed)),
                Credential::GitHub,
            ),
            (
                format!("{}_{}", "gho", random(BASE62, 36, seed)),
                Credential::GitHub,
            ),
            (
                format!("{}_pat_{}", "github", random(BASE62, 82, seed)),
                Credential::GitHub,
            ),
            (format!("{}{upper}", "AKIA"), Credential::AwsAccessKeyId),
            (
                format!("{}-{}-{}", "xoxb", random("0123456789", 12, seed), key(24)),
                Credential::Slack,
            ),
            (format!("{}{}", "AIza", key(35)), Credential::GoogleApiKey),
            (format!("Bearer {}", key(40)), Credential::Bearer),
            (
                format!("bearer  eyJ{}.eyJ{}.{}", key(20), key(30), key(43)),
                Credential::Bearer,
            ),
            (
                format!("{pem}\nMIIEow{}\n", key(60)),
                Credential::PemPrivateKey,
            ),
        ]
    }

    #[test]
    fn every_kind_is_found_alone_and_inside_a_text() {
        for seed in 0..50 {
            for (credential, kind) in examples(seed) {
                assert_eq!(credential_in(&credential), Some(kind), "{credential}");
                let quoted = format!("Use \"{credential}\", then");
                assert_eq!(credential_in(&quoted), Some(kind), "{quoted}");
                let in_json = format!("{{\"key\":\"{credential}\"}}");
                assert_eq!(credential_in(&in_json), Some(kind), "{in_json}");
            }
        }
    }

    #[test]
    fn prose_code_and_short_or_glued_prefixes_are_not_credentials() {
        let key = random(KEY, 40, 7);
        for text in [
            "Ask for a disk-partitioning-utility-for-linux, then a task-management-system.",
            "scikit-learn is imported as sklearn, sk-learn-compatible-estimators-and-pipelines",
            "sk-short1A",
            &format!("mask-{key}"),
            &format!("{}_{}", "xghp", random(BASE62, 36, 1)),
            &format!("{}{}", "AKIA", "SHORT12"),
            &format!(
                "{}{}",
                "AKIA",
                random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 24, 3)
            ),
            "AKIA is how AWS key ids start",
            "Authorization: Bearer <token>",
            "Authorization: Bearer YOUR_API_KEY_GOES_HERE",
            "the bearer of good news-and-other-stories-2024",
            "xoxb-12",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----",
            "",
            "s",
            "-----BEGIN ",
        ] {
            assert_eq!(credential_in(text), None, "{text}");
        }
    }

    #[test]
    fn a_text_of_any_characters_is_scanned_without_panicking() {
        for text in [
            "é sk-",
            "sk-ant-",
            "Bearer",
            "bearer ",
            "AIza",
            "xoxb",
            "xoxb-",
            "日本 ghp_",
        ] {
            assert_eq!(credential_in(text), None, "{text}");
        }
    }
}
