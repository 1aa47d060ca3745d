//! The options of `#[cached_stub(...)]`.

use crate::{allow_secret, stub_folder};
use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Token};

/// The parsed options, each as written, for spans in later errors.
#[derive(Default)]
pub(crate) struct Options {
    /// `skip(a, b)`: arguments left out of the key and the file.
    pub(crate) skip: Vec<Ident>,
    /// `name = "..."`: the stub folder's name, checked by `stub_folder::check_name`.
    pub(crate) name: Option<LitStr>,
    /// `dir = "..."`: the stub root, relative to the manifest dir, checked by
    /// `stub_folder::check_dir`.
    pub(crate) dir: Option<LitStr>,
    /// `stream` or `iter`: the named return type is a stream or an iterator, whose items are
    /// recorded.
    pub(crate) items: Option<Ident>,
    /// `depends(EXPR, ...)`: values the result depends on besides the function's tokens.
    pub(crate) depends: Vec<Expr>,
    /// `sequence`: identical calls are recorded as a sequence, an answer per call and test.
    pub(crate) sequence: Option<Ident>,
    /// `record_err`: a returned `Result` records its `Err` too.
    pub(crate) record_err: Option<Ident>,
    /// `allow_secret("path", ...)`: JSON paths whose values are no secrets, checked by
    /// `allow_secret`.
    pub(crate) allow_secret: Vec<allow_secret::AllowedPath>,
    seen_skip: bool,
}

const VALID: &str = "`skip(arg, ...)`, `depends(expr, ...)`, `sequence`, `record_err`, \
                     `name = \"...\"`, `dir = \"...\"`, `stream`, `iter`, \
                     `allow_secret(\"path\", ...)`";

impl Options {
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Options> {
        let mut options = Options::default();
        syn::meta::parser(|meta| options.parse_one(&meta)).parse2(tokens)?;
        Ok(options)
    }

    fn parse_one(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let duplicate = || meta.error("this option is given twice");
        if meta.path.is_ident("skip") {
            if std::mem::replace(&mut self.seen_skip, true) {
                return Err(duplicate());
            }
            meta.parse_nested_meta(|arg| {
                let ident = arg.path.require_ident()?;
                if self.skip.contains(ident) {
                    return Err(arg.error("this argument is skipped twice"));
                }
                self.skip.push(ident.clone());
                Ok(())
            })
        } else if meta.path.is_ident("depends") {
            // `depends()` is refused below, so a list is never empty once given.
            if !self.depends.is_empty() {
                return Err(duplicate());
            }
            let content;
            syn::parenthesized!(content in meta.input);
            let depends = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
            if depends.is_empty() {
                return Err(meta.error("`depends(...)` names no value; name one, or leave it out"));
            }
            self.depends.extend(depends);
            Ok(())
        } else if meta.path.is_ident("name") {
            let name = string(meta, stub_folder::check_name)?;
            set(&mut self.name, name).ok_or_else(duplicate)
        } else if meta.path.is_ident("dir") {
            let dir = string(meta, stub_folder::check_dir)?;
            set(&mut self.dir, dir).ok_or_else(duplicate)
        } else if meta.path.is_ident("sequence") {
            set(&mut self.sequence, meta.path.require_ident()?.clone()).ok_or_else(duplicate)
        } else if meta.path.is_ident("record_err") {
            set(&mut self.record_err, meta.path.require_ident()?.clone()).ok_or_else(duplicate)
        } else if meta.path.is_ident("stream") || meta.path.is_ident("iter") {
            if self.items.is_some() {
                return Err(meta.error("`stream` and `iter` are given together or twice; give one"));
            }
            self.items = meta.path.get_ident().cloned();
            Ok(())
        } else if meta.path.is_ident("allow_secret") {
            if !self.allow_secret.is_empty() {
                return Err(duplicate());
            }
            self.allow_secret = allow_secret::parse(meta)?;
            Ok(())
        } else {
            Err(meta.error(format!("unknown option; the options are {VALID}")))
        }
    }
}

/// The string after `=`, checked by `valid`.
fn string(
    meta: &ParseNestedMeta<'_>,
    valid: impl FnOnce(&str) -> Result<(), String>,
) -> syn::Result<LitStr> {
    let lit: LitStr = meta.value()?.parse()?;
    valid(&lit.value()).map_err(|message| syn::Error::new(lit.span(), message))?;
    Ok(lit)
}

/// Sets an option given once; `None` when it was already set.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

#[cfg(test)]
mod tests {
    use super::Options;
    use quote::quote;

    fn error(tokens: proc_macro2::TokenStream) -> String {
        Options::parse(tokens).err().expect("rejected").to_string()
    }

    #[test]
    fn every_option_parses() {
        let options = Options::parse(quote!(
            skip(client, self),
            name = "ask",
            dir = "fixtures",
            stream,
            allow_secret("items[*].delta", "args.client.token"),
        ))
        .unwrap();
        let skipped: Vec<_> = options.skip.iter().map(ToString::to_string).collect();
        assert_eq!(skipped, ["client", "self"]);
        assert_eq!(options.name.unwrap().value(), "ask");
        assert_eq!(options.dir.unwrap().value(), "fixtures");
        assert_eq!(options.items.unwrap(), "stream");
        let allowed: Vec<_> = (options.allow_secret.iter())
            .map(|path| path.literal.value())
            .collect();
        assert_eq!(allowed, ["items[*].delta", "args.client.token"]);
    }

    #[test]
    fn mistakes_are_errors_that_say_what_is_valid() {
        assert!(
            error(quote!(skipp(a))).contains("unknown option; the options are `skip(arg, ...)`")
        );
        assert_eq!(
            error(quote!(name = "a", name = "b")),
            "this option is given twice"
        );
        assert_eq!(
            error(quote!(skip(a), skip(b))),
            "this option is given twice"
        );
        assert_eq!(error(quote!(skip(a, a))), "this argument is skipped twice");
        assert!(error(quote!(name = "a/b")).contains("`name` must be a plain folder name"));
        assert!(error(quote!(name = "..")).contains("`name` must be a plain folder name"));
        assert!(error(quote!(dir = "")).contains("must not be empty"));
        assert!(error(quote!(dir = "/etc")).contains("`dir` must stay inside the crate's folder"));
        assert!(error(quote!(name = 3)).contains("expected string literal"));
        assert_eq!(
            error(quote!(allow_secret("output"), allow_secret("items[*]"))),
            "this option is given twice"
        );
        assert_eq!(
            error(quote!(allow_secret("output", "output"))),
            "this path is allowed twice"
        );
        assert!(error(quote!(allow_secret())).contains("names the JSON paths it allows"));
        assert!(error(quote!(allow_secret(output.token))).contains("expected string literal"));
        assert!(error(quote!(allow_secret = "output")).contains("expected parentheses"));
        assert!(error(quote!(allow_secret("token"))).contains("`token` is no part of a stub"));
    }
}
