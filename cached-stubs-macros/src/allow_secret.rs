//! `allow_secret("path", ...)`: the JSON paths of a function's stubs whose values are no
//! secrets, though the runtime's guard would take them for some. Each path is checked here,
//! spanned at its literal: written by the grammar the runtime reads (its
//! `secrets/json_path.rs`), and naming a part that the function's stubs have.
//!
//! A path starts at `args` (then an argument's name), `output` or `items` (then an index);
//! each further step is `.name`, `["any key"]` (a JSON string), `[3]`, or `[*]` for any
//! index.

use crate::params::Params;
use crate::returns::Returns;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};

/// How a path is written, for the messages that refuse one.
const GRAMMAR: &str = "a path starts with `args.<argument>`, `output` or `items[<index>]`, \
                       then goes on with `.field`, `[\"any key\"]`, `[3]` or `[*]` (any index), \
                       as in `output.choices[*].message.content`";

/// One step of a path, its key unescaped.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index,
}

/// A path of `allow_secret(...)`: its literal, as the stubs keep it, and its steps.
pub(crate) struct AllowedPath {
    pub(crate) literal: LitStr,
    steps: Vec<Step>,
}

/// Reads `allow_secret("path", ...)`, each path checked by the grammar.
pub(crate) fn parse(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<AllowedPath>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let paths = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    if paths.is_empty() {
        return Err(meta.error(
            "`allow_secret` names the JSON paths it allows, as a refused recording shows \
             them: `allow_secret(\"output.example_key\")`",
        ));
    }
    let mut allowed: Vec<AllowedPath> = Vec::new();
    for literal in paths {
        let steps = steps(&literal.value()).map_err(|why| syn::Error::new(literal.span(), why))?;
        if allowed
            .iter()
            .any(|path| path.literal.value() == literal.value())
        {
            return Err(syn::Error::new(
                literal.span(),
                "this path is allowed twice",
            ));
        }
        allowed.push(AllowedPath { literal, steps });
    }
    Ok(allowed)
}

/// Checks that each path names a part of the function's stubs: an argument in its key (not a
/// skipped one), its `output` for a value, its `items` for a stream or an iterator.
pub(crate) fn check(paths: &[AllowedPath], params: &Params, returns: &Returns) -> syn::Result<()> {
    let items = matches!(returns, Returns::Items(_));
    let in_key = |name: &str| params.key.iter().any(|arg| arg.name == name);
    for path in paths {
        let why = match path.steps.as_slice() {
            [Step::Key(root), Step::Key(name), ..] if root == "args" && !in_key(name) => {
                let names: Vec<&str> = params.key.iter().map(|arg| arg.name.as_str()).collect();
                format!(
                    "`{name}` is no argument in the stubs of this function (a skipped one \
                     never is); those in them are: {}",
                    names.join(", ")
                )
            }
            [Step::Key(root), ..] if root == "output" && items => {
                "this function returns a stream or an iterator: its stubs hold `items`, not \
                 `output`; write `items[*]...`"
                    .to_string()
            }
            [Step::Key(root), ..] if root == "items" && !items => {
                "this function returns a value: its stubs hold `output`, not `items`".to_string()
            }
            _ => continue,
        };
        return Err(syn::Error::new(path.literal.span(), why));
    }
    Ok(())
}

/// The steps of `path`, or why it is no path.
fn steps(path: &str) -> Result<Vec<Step>, String> {
    let no_path = |why: &str| format!("{why}: {GRAMMAR}");
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (root, mut rest) = path.split_at(end);
    let mut steps = vec![Step::Key(root.to_string())];
    while !rest.is_empty() {
        let (step, after) = next_step(rest).map_err(|why| no_path(&why))?;
        steps.push(step);
        rest = after;
    }
    match (root, steps.get(1)) {
        ("args", Some(Step::Key(_))) | ("output", _) | ("items", Some(Step::Index)) => Ok(steps),
        ("args", _) => Err(no_path(
            "`args` is followed by the argument's name: `args.config`",
        )),
        ("items", _) => Err(no_path("`items` is followed by an index: `items[*]`")),
        _ => Err(no_path(&format!("`{root}` is no part of a stub"))),
    }
}

/// The first step of `rest` and what follows it, or why there is none.
fn next_step(rest: &str) -> Result<(Step, &str), String> {
    if let Some(rest) = rest.strip_prefix('.') {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        if key.is_empty() {
            return Err("a `.` is followed by no field name".into());
        }
        if !is_identifier(key) {
            return Err(format!(
                "`.{key}` is no field name; write a key that is not an identifier as \
                 `[\"{key}\"]`"
            ));
        }
        return Ok((Step::Key(key.to_string()), &rest[end..]));
    }
    let Some(rest) = rest.strip_prefix('[') else {
        return Err(format!("`{rest}` is no step"));
    };
    if let Some(rest) = rest.strip_prefix("*]") {
        return Ok((Step::Index, rest));
    }
    if let Some(quoted) = rest.strip_prefix('"') {
        let (key, after) = json_string(quoted)?;
        let after = after.strip_prefix(']').ok_or("a key's `]` is missing")?;
        return Ok((Step::Key(key), after));
    }
    let end = rest.find(']').ok_or("a `]` is missing")?;
    let digits = &rest[..end];
    let canonical = digits == "0" || !digits.starts_with('0');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !canonical {
        return Err(format!(
            "`[{digits}]` is no index: write `[0]`, `[12]` or `[*]`"
        ));
    }
    if digits.parse::<usize>().is_err() {
        return Err(format!("`[{digits}]` is too large an index"));
    }
    Ok((Step::Index, &rest[end + 1..]))
}

/// The JSON string whose opening quote is just before `text`, unescaped, and what follows its
/// closing quote. Stricter than JSON: a `\u` escape of a surrogate is refused (write the
/// character itself), so that every path accepted here reads as JSON at run time.
fn json_string(text: &str) -> Result<(String, &str), String> {
    let mut key = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((key, &text[at + 1..])),
            '\\' => {
                let escaped = match chars.next().map(|(_, c)| c) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('/') => '/',
                    Some('b') => '\u{8}',
                    Some('f') => '\u{c}',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('t') => '\t',
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| {
                                hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit())
                            })
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("`\\u{hex}` is no character's escape"))?
                    }
                    _ => return Err("a key holds an escape JSON doesn't have".into()),
                };
                key.push(escaped);
            }
            c if u32::from(c) < 0x20 => {
                return Err("a key holds a control character: write it escaped, as `\\n`".into());
            }
            c => key.push(c),
        }
    }
    Err("a key's closing `\"` is missing".into())
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_every_root_and_step_are_read() {
        let key = |key: &str| Step::Key(key.to_string());
        assert_eq!(
            steps("args.config.api_key").unwrap(),
            [key("args"), key("config"), key("api_key")]
        );
        assert_eq!(
            steps(r#"output.choices[*]["x-api-key"][10]["a\"\u00e9\n"]"#).unwrap(),
            [
                key("output"),
                key("choices"),
                Step::Index,
                key("x-api-key"),
                Step::Index,
                key("a\"é\n")
            ]
        );
        assert_eq!(steps("output").unwrap(), [key("output")]);
        assert_eq!(
            steps("items[3].delta").unwrap(),
            [key("items"), Step::Index, key("delta")]
        );
        assert_eq!(steps(r##"args["#2"]"##).unwrap(), [key("args"), key("#2")]);
    }

    #[test]
    fn malformed_paths_say_what_is_wrong_and_how_paths_are_written() {
        for (path, why) in [
            ("token", "`token` is no part of a stub"),
            ("", "`` is no part of a stub"),
            ("args", "`args` is followed by the argument's name"),
            ("items.delta", "`items` is followed by an index"),
            ("output..a", "a `.` is followed by no field name"),
            ("output.", "a `.` is followed by no field name"),
            ("output.x-api-key", "`.x-api-key` is no field name"),
            ("output[01]", "`[01]` is no index"),
            ("output[]", "`[]` is no index"),
            ("output[99999999999999999999999]", "too large an index"),
            ("output[\"a\"", "a key's `]` is missing"),
            ("output[\"a", "a key's closing `\"` is missing"),
            ("output[\"\\ud800\"]", "is no character's escape"),
            ("output[\"\\x\"]", "an escape JSON doesn't have"),
            ("output[\"\n\"]", "a control character"),
            ("output[*]x", "`x` is no step"),
        ] {
            let error = steps(path).unwrap_err();
            assert!(error.contains(why), "{path:?}: {error}");
            assert!(error.ends_with(GRAMMAR), "{path:?}: {error}");
        }
    }
}
