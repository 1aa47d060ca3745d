//! Which function a call is, for its stubs: the path its stub files name, the folder they
//! live in, and, when one function has several instances, which instance.
//!
//! The expansion hands over `module_path!()`, the function's name and its *instance*: the
//! type name of a closure in its body, such as `app::Weather::ask::{{closure}}`,
//! `<app::Radar as app::Ask>::ask::{{closure}}` or `app::Cache<u8>::get::{{closure}}`.
//! Between the module path and the function's name, that path holds the function's
//! *owner*, which the macro can't see from the function alone: the type of its `impl` (of a
//! trait's default method too: `<app::Radar as app::Ask>`), or the function it is nested in.
//!
//! - An owner is a folder of its own, and part of the function's path: the methods of
//!   `Weather` and `Radar` in one module have stubs of their own, in
//!   `app/Weather/ask/` and `app/Radar/ask/`.
//! - When the owner's name alone could stand for several instances of one function (generic
//!   arguments, a trait impl of a type defined elsewhere, a type that is no path, such as
//!   `&str` or `[u8; 5]` of a blanket impl), the owner as Rust prints it is part of the key
//!   too, as the argument `<Self>`.
//!
//! Rust prints raw identifiers without `r#` (`mod r#type` is `type`), and so do stub paths.
//! Type names are Rust's own spelling, which a later release may change: see the README.

use std::path::PathBuf;

/// What a call's stubs are named and filed by.
#[derive(Debug, PartialEq)]
pub(crate) struct Identity {
    /// The stub's `function`: the module path, the owner's name, the function's name.
    pub(crate) function: String,
    /// The folder of its stubs below the stub root: the same parts, a component each.
    pub(crate) folder: PathBuf,
    /// The owner as Rust prints it, when it is part of the key as `<Self>`.
    pub(crate) self_key: Option<&'static str>,
    /// Its `function` and folder in cached-stubs 0.1, which left the owner out, when they
    /// were others: see [`migrate`](crate::migrate).
    pub(crate) in_0_1: Option<(String, PathBuf)>,
}

/// The identity of the function `name` of `module_path`, called as `instance`.
pub(crate) fn identity(module_path: &str, name: &str, instance: &'static str) -> Identity {
    let module: Vec<&str> = module_path
        .split("::")
        .map(|part| part.strip_prefix("r#").unwrap_or(part))
        .collect();
    let owner = owner(&module.join("::"), instance);
    let (names, self_key) = match owner {
        Owner::None => (Vec::new(), None),
        Owner::Plain(names) => (names, None),
        Owner::Instance { names, printed } => (names, Some(printed)),
    };
    let parts: Vec<&str> = module
        .iter()
        .copied()
        .chain(names.iter().map(String::as_str))
        .chain([name])
        .collect();
    let in_0_1 = (!names.is_empty()).then(|| {
        let parts = module.iter().copied().chain([name]);
        (
            parts.clone().collect::<Vec<_>>().join("::"),
            parts.collect(),
        )
    });
    Identity {
        function: parts.join("::"),
        folder: parts.iter().collect(),
        self_key,
        in_0_1,
    }
}

/// What a function's instance path holds between its module path and its name.
#[derive(Debug, PartialEq)]
enum Owner {
    /// Nothing: a function of the module itself.
    None,
    /// A type or function of the module, which its names alone tell apart.
    Plain(Vec<String>),
    /// An owner whose names may stand for several instances: `printed` tells them apart.
    Instance {
        names: Vec<String>,
        printed: &'static str,
    },
}

/// The owner in `instance`, a function of `module` (without `r#`).
fn owner(module: &str, instance: &'static str) -> Owner {
    let mut path = instance;
    while let Some(outer) = path.strip_suffix("::{{closure}}") {
        path = outer;
    }
    // The last `::` outside angle brackets ends the owner and starts the function's name.
    let Some(end) = top_level_separators(path).last() else {
        return Owner::Instance {
            names: Vec::new(),
            printed: path,
        };
    };
    let printed = &path[..end];
    if printed == module {
        return Owner::None;
    }
    if let Some(qualified) = printed.strip_prefix('<').and_then(|p| p.strip_suffix('>')) {
        // A trait's method: `<Self as Trait>`.
        let self_type = qualified
            .split_once(" as ")
            .map_or(qualified, |(self_type, _)| self_type);
        let in_module = self_type
            .strip_prefix(module)
            .and_then(|rest| rest.strip_prefix("::"));
        let plain = |name: &str| is_identifier(name) && !qualified.contains('<');
        return match in_module {
            Some(name) if plain(name) => Owner::Plain(vec![name.to_string()]),
            _ if plain(self_type) => Owner::Plain(vec![self_type.to_string()]),
            _ => Owner::Instance {
                names: vec![type_name_part(self_type)],
                printed,
            },
        };
    }
    match printed
        .strip_prefix(module)
        .and_then(|rest| rest.strip_prefix("::"))
    {
        // A type or function of the module: `Weather`, `outer`, `Cache<u8>`.
        Some(relative) => {
            let names = segments(relative);
            if relative.split("::").all(is_identifier) {
                Owner::Plain(names)
            } else {
                Owner::Instance { names, printed }
            }
        }
        // A type of another module, given an `impl` here.
        None => Owner::Instance {
            names: vec![type_name_part(printed)],
            printed,
        },
    }
}

/// Where `path` has a `::` outside angle brackets (a `->` is no bracket).
fn top_level_separators(path: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = path.as_bytes();
    let mut depth = 0_usize;
    (0..bytes.len()).filter(move |&at| {
        match bytes[at] {
            b'<' => depth += 1,
            b'>' if at == 0 || bytes[at - 1] != b'-' => depth = depth.saturating_sub(1),
            b':' => {
                return depth == 0
                    && bytes.get(at + 1) == Some(&b':')
                    && (at == 0 || bytes[at - 1] != b':');
            }
            _ => {}
        }
        false
    })
}

/// The parts of an owner path, each without generic arguments: `outer<u8>::S` is `outer`, `S`.
fn segments(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut start = 0;
    for end in top_level_separators(path).chain([path.len()]) {
        parts.push(folder_name(without_generics(&path[start..end])));
        start = end + 2;
    }
    parts
}

/// A type's name for a folder: the last part of its path without generic arguments
/// (`app::Cache<u8>` is `Cache`), or, for a type that is no path, its words (`&str` is
/// `str`, `[u8; 5]` is `u8_5`).
fn type_name_part(type_name: &str) -> String {
    let path = type_name.trim_start_matches(['&', '*']);
    let path = ["mut ", "const ", "dyn "]
        .iter()
        .fold(path, |path, word| path.strip_prefix(word).unwrap_or(path));
    let path = without_generics(path);
    let last = match top_level_separators(path).last() {
        Some(end) => &path[end + 2..],
        None => path,
    };
    folder_name(last)
}

/// `text` up to its first `<`.
fn without_generics(text: &str) -> &str {
    text.split('<').next().unwrap_or(text)
}

/// `text` as one portable folder name: its runs of letters, digits and `_`, joined by `_`.
fn folder_name(text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        "_".to_string()
    } else {
        words.join("_")
    }
}

/// Whether `text` is one identifier.
fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_0_1_layout_left_the_owner_out() {
        let method = identity("tn::app", "f", "tn::app::Weather::f::{{closure}}");
        let in_0_1 = ("tn::app::f".to_string(), PathBuf::from("tn/app/f"));
        assert_eq!(method.in_0_1, Some(in_0_1));
        assert_eq!(
            identity("tn::app", "f", "tn::app::f::{{closure}}").in_0_1,
            None
        );
    }

    fn of(instance: &'static str) -> (String, String, Option<&'static str>) {
        let identity = identity("tn::app", "f", instance);
        (
            identity.function,
            identity.folder.display().to_string(),
            identity.self_key,
        )
    }

    #[test]
    fn a_function_of_the_module_is_the_module_and_its_name() {
        for instance in [
            "tn::app::f::{{closure}}",
            "tn::app::f::{{closure}}::{{closure}}",
            "tn::app::f<u8>::{{closure}}",
        ] {
            assert_eq!(of(instance), ("tn::app::f".into(), "tn/app/f".into(), None));
        }
    }

    #[test]
    fn a_method_is_filed_under_its_type() {
        let weather = (
            "tn::app::Weather::f".into(),
            "tn/app/Weather/f".into(),
            None,
        );
        assert_eq!(of("tn::app::Weather::f::{{closure}}"), weather);
        assert_eq!(
            of("<tn::app::Weather as tn::app::Ask>::f::{{closure}}"),
            weather
        );
        // A trait's default method, called on another type of the module.
        assert_eq!(
            of("<tn::app::Radar as tn::app::Ask>::f::{{closure}}"),
            ("tn::app::Radar::f".into(), "tn/app/Radar/f".into(), None)
        );
        // A nested function, under the function it is nested in.
        assert_eq!(
            of("tn::app::outer::S::f::{{closure}}"),
            (
                "tn::app::outer::S::f".into(),
                "tn/app/outer/S/f".into(),
                None
            )
        );
    }

    #[test]
    fn instances_of_one_function_differ_in_their_key() {
        let cases = [
            (
                "tn::app::Cache<u8>::f::{{closure}}",
                "Cache",
                "tn::app::Cache<u8>",
            ),
            (
                "tn::app::Cache<fn() -> u8>::f<alloc::string::String>::{{closure}}::{{closure}}",
                "Cache",
                "tn::app::Cache<fn() -> u8>",
            ),
            (
                "<tn::app::Client as tn::app::Ask<i8>>::f::{{closure}}",
                "Client",
                "<tn::app::Client as tn::app::Ask<i8>>",
            ),
            (
                "<&str as tn::app::Describe>::f::{{closure}}",
                "str",
                "<&str as tn::app::Describe>",
            ),
            (
                "<[u8; 5] as tn::app::Width>::f::{{closure}}",
                "u8_5",
                "<[u8; 5] as tn::app::Width>",
            ),
            (
                "<tn::app::Weather as tn::app::Conv<u8>>::f::{{closure}}",
                "Weather",
                "<tn::app::Weather as tn::app::Conv<u8>>",
            ),
            (
                "<tn::other::French as tn::app::Greet>::f::{{closure}}",
                "French",
                "<tn::other::French as tn::app::Greet>",
            ),
            (
                "tn::other::Moved::f::{{closure}}",
                "Moved",
                "tn::other::Moved",
            ),
        ];
        for (instance, owner, printed) in cases {
            let (function, folder, self_key) = of(instance);
            assert_eq!(function, format!("tn::app::{owner}::f"), "{instance}");
            assert_eq!(folder, format!("tn/app/{owner}/f"), "{instance}");
            assert_eq!(self_key, Some(printed), "{instance}");
        }
        // A primitive of a blanket impl is one type: its name says which.
        assert_eq!(
            of("<u8 as tn::app::Describe>::f::{{closure}}"),
            ("tn::app::u8::f".into(), "tn/app/u8/f".into(), None)
        );
    }

    #[test]
    fn raw_identifiers_lose_their_prefix_as_rust_prints_them() {
        let identity = identity("tn::r#type", "match", "tn::type::match::{{closure}}");
        assert_eq!(identity.function, "tn::type::match");
        assert_eq!(identity.folder, PathBuf::from("tn/type/match"));
    }

    #[test]
    fn a_name_replaces_the_function_name_only() {
        let identity = identity("tn::app", "asked", "tn::app::Weather::ask::{{closure}}");
        assert_eq!(identity.function, "tn::app::Weather::asked");
    }

    #[test]
    fn an_instance_that_does_not_parse_is_all_key() {
        assert_eq!(
            of("main"),
            ("tn::app::f".into(), "tn/app/f".into(), Some("main"))
        );
    }
}
