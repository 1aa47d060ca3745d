//! What the function depends on besides its own tokens: the expressions of `depends(...)`,
//! and the files its body includes with `include_str!` or `include_bytes!`, whose content
//! counts, not only their path.
//!
//! Each is named by its tokens as written (whitespace aside): `SYSTEM_PROMPT`,
//! `prompts::system()`, `include_str!("prompts/classify.txt")`. One whose value can't change
//! in a process is hashed once: a literal, a file included, or a path whose last part is in
//! upper case (`SYSTEM_PROMPT`, `config::MODEL`), as Rust names constants and statics; any
//! other expression is hashed at each call. This goes by names: a `static` with interior
//! mutability named in upper case is taken for a constant.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprPath, ExprReference};

/// One dependency, as the expansion hands it to the runtime.
pub(crate) struct Dependency {
    /// Its tokens as written: its key in the stub's `depends`.
    pub(crate) name: String,
    /// The expression whose value is hashed.
    pub(crate) value: TokenStream,
    /// Whether its value can't change in a process: hashed once.
    pub(crate) constant: bool,
    /// Where errors about it point.
    pub(crate) span: Span,
}

/// The dependencies of a function: those of `depends(...)` in order, then the files its
/// `body` includes that `depends(...)` doesn't name, in the order they appear.
///
/// # Errors
///
/// When `depends(...)` names one twice.
pub(crate) fn dependencies(declared: &[Expr], body: TokenStream) -> syn::Result<Vec<Dependency>> {
    let mut dependencies: Vec<Dependency> = Vec::new();
    for expr in declared {
        let name = rendered(expr.to_token_stream());
        if dependencies.iter().any(|known| known.name == name) {
            return Err(syn::Error::new_spanned(
                expr,
                "this dependency is given twice",
            ));
        }
        let value = match expr {
            Expr::Macro(call) if is_include(&call.mac.path) => as_slice(expr.to_token_stream()),
            _ => expr.to_token_stream(),
        };
        dependencies.push(Dependency {
            name,
            value,
            constant: is_constant(expr),
            span: expr.span(),
        });
    }
    let mut included = Vec::new();
    includes(body, &mut included);
    for include in included {
        let name = rendered(include.clone());
        if !dependencies.iter().any(|known| known.name == name) {
            dependencies.push(Dependency {
                name,
                span: include.span(),
                value: as_slice(include),
                constant: true,
            });
        }
    }
    Ok(dependencies)
}

/// Whether `expr`'s value can't change in a process, by what it is written as.
fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit { .. }) => true,
        Expr::Reference(ExprReference { expr, .. }) | Expr::Paren(syn::ExprParen { expr, .. }) => {
            is_constant(expr)
        }
        Expr::Path(ExprPath {
            path, qself: None, ..
        }) => path.segments.last().is_some_and(|last| {
            let name = last.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }),
        Expr::Macro(call) => is_include(&call.mac.path),
        _ => false,
    }
}

/// An included file's content as a slice (`&str`, `&[u8]`): arrays longer than 32 don't
/// serialize.
fn as_slice(include: TokenStream) -> TokenStream {
    quote::quote!(&#include[..])
}

/// Whether a macro's path is `include_str` or `include_bytes`.
fn is_include(path: &syn::Path) -> bool {
    path.is_ident("include_str") || path.is_ident("include_bytes")
}

/// Adds each `include_str!(..)` and `include_bytes!(..)` in `tokens`, at any depth, to
/// `found`, in order (repeats are dropped where they join the dependencies).
fn includes(tokens: TokenStream, found: &mut Vec<TokenStream>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (at, token) in tokens.iter().enumerate() {
        match (token, tokens.get(at + 1), tokens.get(at + 2)) {
            (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_)))
                if (name == "include_str" || name == "include_bytes") && bang.as_char() == '!' =>
            {
                found.push(tokens[at..at + 3].iter().cloned().collect());
            }
            (TokenTree::Group(group), _, _) => includes(group.stream(), found),
            _ => {}
        }
    }
}

/// Tokens as written, whitespace aside: a space only between two words (`a as b`), so that
/// neither reformatting nor the compiler's printing changes a name.
fn rendered(tokens: TokenStream) -> String {
    let mut text = String::new();
    let mut after_word = false;
    for token in tokens {
        let word = matches!(token, TokenTree::Ident(_) | TokenTree::Literal(_));
        if word && after_word {
            text.push(' ');
        }
        match &token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                text.push_str(open);
                text.push_str(&rendered(group.stream()));
                text.push_str(close);
            }
            TokenTree::Ident(ident) => text.push_str(&ident.to_string()),
            TokenTree::Punct(punct) => text.push(punct.as_char()),
            TokenTree::Literal(literal) => text.push_str(&literal.to_string()),
        }
        after_word = word;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn names(declared: TokenStream, body: TokenStream) -> Vec<(String, bool)> {
        let declared: syn::punctuated::Punctuated<Expr, syn::Token![,]> =
            syn::parse::Parser::parse2(syn::punctuated::Punctuated::parse_terminated, declared)
                .unwrap();
        let declared: Vec<Expr> = declared.into_iter().collect();
        dependencies(&declared, body)
            .unwrap()
            .into_iter()
            .map(|dependency| (dependency.name, dependency.constant))
            .collect()
    }

    #[test]
    fn declared_ones_come_first_then_the_files_included_named_as_written() {
        let body = quote! {
            let prompt = format!("{}{}", include_str!("prompts/classify.txt"), include_str!( "prompts/classify.txt" ));
            { let bytes = include_bytes!("logo.png"); }
            include_str!("a.txt")
        };
        let declared = quote!(
            SYSTEM_PROMPT,
            prompts::system(),
            "v2",
            config.model,
            &MODELS[0],
            include_str!("a.txt")
        );
        assert_eq!(
            names(declared, body),
            [
                ("SYSTEM_PROMPT".to_string(), true),
                ("prompts::system()".to_string(), false),
                ("\"v2\"".to_string(), true),
                ("config.model".to_string(), false),
                ("&MODELS[0]".to_string(), false),
                ("include_str!(\"a.txt\")".to_string(), true),
                ("include_str!(\"prompts/classify.txt\")".to_string(), true),
                ("include_bytes!(\"logo.png\")".to_string(), true),
            ]
        );
    }

    #[test]
    fn a_dependency_given_twice_is_an_error() {
        let declared: Expr = syn::parse_quote!(PROMPT);
        let error = dependencies(&[declared.clone(), declared], quote!())
            .err()
            .unwrap();
        assert_eq!(error.to_string(), "this dependency is given twice");
    }

    #[test]
    fn names_are_the_tokens_whitespace_aside() {
        assert_eq!(rendered(quote!(a as u8 + b::c(1, 2))), "a as u8+b::c(1,2)");
    }
}
