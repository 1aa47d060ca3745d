//! The source hash: a hash of the function's tokens, stored in each stub and compared on
//! replay, so that a changed function makes its stubs stale.
//!
//! The walk is structural: identifiers, literals, punctuation characters and delimiters,
//! each tagged. Spans, whitespace, comments, the spacing of punctuation and the compiler's
//! `to_string()` rendering of a token stream play no part, and doc attributes (`///`, `//!`,
//! `#[doc = ...]`) are left out: documenting a function keeps its stubs.
//!
//! What rustfmt changes besides whitespace is evened out too, so `cargo fmt` keeps stubs; no
//! rule merges two token streams that can mean different things:
//! - a trailing comma is ignored before a closing delimiter, a `>` or the `{` after a `where`
//!   clause (rustfmt adds one when it breaks a list over lines, and removes one from a list
//!   on one line), except in parentheses that hold one element and aren't a list of
//!   arguments or parameters: `(x,)` is a tuple, `(x)` is `x`;
//! - braces around a single-expression body of a match arm, or of a closure that ends
//!   there, are ignored (rustfmt adds them when the body spans lines), an arm's body
//!   counting as followed by a comma; the comma after a braced arm body is ignored;
//! - the semicolon after a block's final `return`, `break` or `continue` is ignored;
//! - nested parentheses count once, `((x))` as `(x)` (rustfmt removes the outer ones),
//!   except those of a list: `f((a, b))` stays a call with one tuple argument.
//!
//! A macro's input means what the macro makes of it (`stringify!((a, b))` is not
//! `stringify!(a, b)`, and a `macro_rules!` arm may or may not take a trailing comma), so it
//! is hashed as written, doc comments aside. Only the standard macros whose arguments are
//! expressions (`EXPRESSION_MACROS`: `format!`, `println!`, `assert_eq!`, `vec!`, ...) have
//! theirs evened out, as a call's.
//!
//! Not evened out, as rare in function bodies: the order of names in a `use` list, and the
//! `vec!(..)` that rustfmt writes `vec![..]`.

use proc_macro2::{Delimiter, Group, Ident, Spacing, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Pat, Token, Type};

const CONTEXT: &str = "cached-stubs 2026-11-20 source hash v1";

/// What each kind of token is tagged with in the hash.
mod tag {
    pub const IDENT: u8 = 1;
    pub const PUNCT: u8 = 2;
    pub const LITERAL: u8 = 3;
    pub const OPEN: u8 = 4;
    pub const CLOSE: u8 = 5;
    pub const ITEM: u8 = 6;
}

/// The standard macros whose arguments are all expressions: their input is evened out as a
/// call's arguments are.
const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "panic",
    "print",
    "println",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Keywords after which an expression, a pattern or a type starts: a `(` after one opens
/// parentheses or a tuple, not a list of arguments, and a `|` opens a closure's parameters.
const KEYWORDS: &[&str] = &[
    "as", "async", "box", "break", "const", "dyn", "for", "if", "impl", "in", "let", "match",
    "move", "mut", "return", "where", "while", "yield",
];

/// 32 hex digits of blake3 over the attribute's arguments, then the item.
pub(crate) fn source_hash(attr: &TokenStream, item: &TokenStream) -> String {
    let mut hasher = blake3::Hasher::new_derive_key(CONTEXT);
    walk(attr.clone(), Content::List, &mut hasher);
    hasher.update(&[tag::ITEM]);
    walk(item.clone(), Content::List, &mut hasher);
    hasher.finalize().to_hex()[..32].to_string()
}

/// What a token stream is, which decides the rules that apply to it.
#[derive(Clone, Copy, PartialEq)]
enum Content {
    /// Code whose trailing comma, if any, ends a list: rustfmt's to add or remove.
    List,
    /// Code in parentheses holding one element, not a list of arguments or parameters: a
    /// trailing comma makes it a tuple.
    OneElement,
    /// A macro's input: hashed as written.
    MacroInput,
}

/// Hashes `tokens` by the rules that apply to `content`.
fn walk(tokens: TokenStream, content: Content, hasher: &mut blake3::Hasher) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    if content == Content::MacroInput {
        return walk_as_written(&tokens, hasher);
    }
    let closure_bodies = closure_bodies(&tokens);
    let mut in_where_clause = false;
    let mut after_arm_body = false;
    let mut at = 0;
    while at < tokens.len() {
        if let Some(length) = doc_attribute(&tokens[at..]) {
            at += length;
            continue;
        }
        let (before, next) = (&tokens[..at], tokens.get(at + 1));
        let follows_arm_body = std::mem::take(&mut after_arm_body);
        match &tokens[at] {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                let closes = match next {
                    None => content == Content::List,
                    Some(next) => is_punct(next, '>') || (in_where_clause && is_brace_group(next)),
                };
                if !(closes || follows_arm_body) {
                    punct_text(hasher, ',');
                }
            }
            TokenTree::Punct(punct)
                if punct.as_char() == ';' && next.is_none() && ends_in_jump(before) => {}
            TokenTree::Punct(punct) => punct_text(hasher, punct.as_char()),
            TokenTree::Ident(ident) => {
                in_where_clause |= ident == "where";
                text(hasher, tag::IDENT, &ident.to_string());
            }
            TokenTree::Literal(literal) => text(hasher, tag::LITERAL, &literal.to_string()),
            // Invisible groups come from `macro_rules!` fragments: only their content counts.
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                walk(group.stream(), Content::List, hasher)
            }
            TokenTree::Group(group) if is_arm_body(before, group) => {
                after_arm_body = true;
                if is_single_expression(group) {
                    walk(group.stream(), Content::List, hasher);
                    let more = tokens[at + 1..].iter().any(|token| !is_punct(token, ','));
                    if more {
                        punct_text(hasher, ',');
                    }
                } else {
                    delimited(group, Content::List, hasher);
                }
            }
            TokenTree::Group(group)
                if closure_bodies.contains(&at)
                    && is_single_expression(group)
                    && next.is_none_or(|next| is_punct(next, ',') || is_punct(next, ';')) =>
            {
                walk(group.stream(), Content::List, hasher);
            }
            TokenTree::Group(group) => {
                in_where_clause &= group.delimiter() != Delimiter::Brace;
                match macro_name(before) {
                    Some(name) if EXPRESSION_MACROS.iter().any(|known| name == known) => {
                        delimited(group, Content::List, hasher)
                    }
                    Some(_) => delimited(group, Content::MacroInput, hasher),
                    None if group.delimiter() != Delimiter::Parenthesis || opens_list(before) => {
                        delimited(group, Content::List, hasher)
                    }
                    None => {
                        let group = innermost_parens(group);
                        let content = match holds_one_element(&group) {
                            true => Content::OneElement,
                            false => Content::List,
                        };
                        delimited(&group, content, hasher)
                    }
                }
            }
        }
        at += 1;
    }
}

/// A macro's input: every token as written, but for doc attributes, which are left out
/// everywhere, and the delimiters of invisible groups.
fn walk_as_written(tokens: &[TokenTree], hasher: &mut blake3::Hasher) {
    let mut at = 0;
    while at < tokens.len() {
        if let Some(length) = doc_attribute(&tokens[at..]) {
            at += length;
            continue;
        }
        match &tokens[at] {
            TokenTree::Punct(punct) => punct_text(hasher, punct.as_char()),
            TokenTree::Ident(ident) => text(hasher, tag::IDENT, &ident.to_string()),
            TokenTree::Literal(literal) => text(hasher, tag::LITERAL, &literal.to_string()),
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                walk(group.stream(), Content::MacroInput, hasher)
            }
            TokenTree::Group(group) => delimited(group, Content::MacroInput, hasher),
        }
        at += 1;
    }
}

/// A delimited group: its delimiter, its content, its end.
fn delimited(group: &Group, content: Content, hasher: &mut blake3::Hasher) {
    let delimiter = match group.delimiter() {
        Delimiter::Parenthesis => b'(',
        Delimiter::Brace => b'{',
        Delimiter::Bracket => b'[',
        Delimiter::None => b' ',
    };
    hasher.update(&[tag::OPEN, delimiter]);
    walk(group.stream(), content, hasher);
    hasher.update(&[tag::CLOSE]);
}

/// `((x))` is `(x)`: rustfmt removes nested parentheses.
fn innermost_parens(group: &Group) -> Group {
    let mut group = group.clone();
    while group.delimiter() == Delimiter::Parenthesis {
        let mut content = group.stream().into_iter();
        match (content.next(), content.next()) {
            (Some(TokenTree::Group(inner)), None)
                if inner.delimiter() == Delimiter::Parenthesis =>
            {
                group = inner;
            }
            _ => break,
        }
    }
    group
}

/// Whether a group ending in a comma holds one element, as an expression, a type or a
/// pattern would read it: then that comma makes a tuple. When no reading parses, the comma
/// is kept, as it may matter.
fn holds_one_element(group: &Group) -> bool {
    let content = group.stream();
    let ends_in_comma =
        (content.clone().into_iter().last()).is_some_and(|last| is_punct(&last, ','));
    if !ends_in_comma {
        return false;
    }
    let lengths = [
        Punctuated::<Expr, Token![,]>::parse_terminated
            .parse2(content.clone())
            .map(|list| list.len()),
        Punctuated::<Type, Token![,]>::parse_terminated
            .parse2(content.clone())
            .map(|list| list.len()),
        (|input: ParseStream<'_>| {
            Punctuated::<Pat, Token![,]>::parse_terminated_with(input, Pat::parse_multi)
        })
        .parse2(content)
        .map(|list| list.len()),
    ];
    lengths.iter().all(Result::is_err) || lengths.iter().any(|length| matches!(length, Ok(1)))
}

/// The name of the macro whose input a group after `before` is: `name!(..)`, `path::name![..]`.
fn macro_name(before: &[TokenTree]) -> Option<&Ident> {
    match before {
        [.., TokenTree::Ident(name), bang] if is_punct(bang, '!') && !is_keyword(name) => {
            Some(name)
        }
        _ => None,
    }
}

/// Whether a `(` after `before` opens a list of arguments or parameters, whose trailing
/// comma rustfmt adds and removes: after a name (`f(..)`, `Some(..)`, `fn f(..)`, `Fn(..)`),
/// a call or an index (`f(a)(..)`, `v[0](..)`), a `?`, a turbofish (`f::<T>(..)`) or a
/// function's generic parameters (`fn f<T>(..)`).
fn opens_list(before: &[TokenTree]) -> bool {
    match before {
        [.., TokenTree::Ident(ident)] => !is_keyword(ident),
        // An attribute's brackets: `#[attr] (a, b): (u8, u8)` is a pattern.
        [.., mark, TokenTree::Group(group)]
            if group.delimiter() == Delimiter::Bracket
                && (is_punct(mark, '#') || is_punct(mark, '!')) =>
        {
            false
        }
        [.., TokenTree::Group(group)] => group.delimiter() != Delimiter::Brace,
        [.., last] if is_punct(last, '?') => true,
        [.., last] if is_punct(last, '>') => closes_generics(before),
        _ => false,
    }
}

/// Whether the `>` that ends `before` closes a turbofish (`f::<T>`) or a function's generic
/// parameters (`fn f<T>`): parentheses after it hold arguments or parameters.
fn closes_generics(before: &[TokenTree]) -> bool {
    // A `>` that isn't the end of `->` or `=>`.
    let closes = |at: usize| {
        is_punct(&before[at], '>')
            && !(at > 0
                && matches!(&before[at - 1], TokenTree::Punct(previous)
                    if previous.spacing() == Spacing::Joint && matches!(previous.as_char(), '-' | '=')))
    };
    if before.is_empty() || !closes(before.len() - 1) {
        return false;
    }
    let mut depth = 0;
    for at in (0..before.len()).rev() {
        if closes(at) {
            depth += 1;
        } else if is_punct(&before[at], '<') {
            depth -= 1;
            if depth == 0 {
                return match &before[..at] {
                    [.., colon, last] => {
                        is_punct(colon, ':') && is_punct(last, ':')
                            || matches!((colon, last), (TokenTree::Ident(fn_), TokenTree::Ident(_)) if fn_ == "fn")
                    }
                    _ => false,
                };
            }
        } else if is_punct(&before[at], ';') || is_brace_group(&before[at]) {
            return false;
        }
    }
    false
}

/// A token: its tag, its length and its text, so that no two sequences hash alike.
fn text(hasher: &mut blake3::Hasher, tag: u8, text: &str) {
    hasher.update(&[tag]);
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// A punctuation character, as a token.
fn punct_text(hasher: &mut blake3::Hasher, punct: char) {
    text(hasher, tag::PUNCT, punct.encode_utf8(&mut [0; 4]));
}

/// The number of tokens of a doc attribute (`#[doc ...]` or `#![doc ...]`) starting the
/// slice, if one does.
fn doc_attribute(tokens: &[TokenTree]) -> Option<usize> {
    if !is_punct(tokens.first()?, '#') {
        return None;
    }
    let bang = tokens.get(1).is_some_and(|token| is_punct(token, '!'));
    let TokenTree::Group(group) = tokens.get(1 + usize::from(bang))? else {
        return None;
    };
    let is_doc = group.delimiter() == Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc");
    is_doc.then_some(2 + usize::from(bang))
}

/// Whether the statement that a final `;` would end is a `return`, `break` or `continue`
/// (rustfmt adds that `;`): one of them starts a statement after the last `;`, at the top
/// level or after a block-like statement such as `if c { .. } return x`.
fn ends_in_jump(before: &[TokenTree]) -> bool {
    let start = before
        .iter()
        .rposition(|token| is_punct(token, ';'))
        .map_or(0, |at| at + 1);
    let statement = &before[start..];
    statement.iter().enumerate().any(|(at, token)| {
        let is_jump = matches!(token, TokenTree::Ident(ident)
            if ident == "return" || ident == "break" || ident == "continue");
        is_jump && (at == 0 || is_brace_group(&statement[at - 1]))
    })
}

/// Whether a token is a `{ .. }` group.
fn is_brace_group(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace)
}

/// A braced group holding one expression: no statement-ending `;` at its top level.
fn is_single_expression(group: &Group) -> bool {
    let mut tokens = group.stream().into_iter().peekable();
    group.delimiter() == Delimiter::Brace
        && tokens.peek().is_some()
        && !tokens.any(|token| is_punct(&token, ';'))
}

/// Whether a group is a match arm's braced body: the tokens before it end with `=>`.
fn is_arm_body(before: &[TokenTree], group: &Group) -> bool {
    group.delimiter() == Delimiter::Brace
        && matches!(before, [.., equals, greater] if is_punct(equals, '=') && is_punct(greater, '>'))
}

/// The positions of the tokens that directly follow a closure's parameters (`|a, b|` or
/// `||`): where its body starts. A `|` opens parameters unless it follows an operand, which
/// makes it a binary or (`a | b`, `f() || g()`) or an or-pattern (`A | B`).
fn closure_bodies(tokens: &[TokenTree]) -> Vec<usize> {
    let mut bodies = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        if !is_punct(&tokens[at], '|') {
            at += 1;
            continue;
        }
        let opens = at == 0 || !ends_operand(&tokens[at - 1]);
        let doubled = tokens.get(at + 1).is_some_and(|token| is_punct(token, '|'));
        let close = match (opens, doubled) {
            (true, true) => Some(at + 1),
            (true, false) => (at + 1..tokens.len())
                .take_while(|&end| !is_punct(&tokens[end], ';'))
                .find(|&end| is_punct(&tokens[end], '|')),
            (false, _) => None,
        };
        if let Some(close) = close {
            bodies.push(close + 1);
        }
        at = close.unwrap_or(at + usize::from(doubled)) + 1;
    }
    bodies
}

/// Whether a token can end an operand, so that a `|` after it is an operator.
fn ends_operand(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(ident) => !is_keyword(ident),
        TokenTree::Literal(_) | TokenTree::Group(_) => true,
        TokenTree::Punct(punct) => punct.as_char() == '?',
    }
}

/// Whether an identifier is one of `KEYWORDS`.
fn is_keyword(ident: &Ident) -> bool {
    KEYWORDS.iter().any(|keyword| ident == keyword)
}

/// Whether a token is the punctuation character `char`.
fn is_punct(token: &TokenTree, char: char) -> bool {
    matches!(token, TokenTree::Punct(punct) if punct.as_char() == char)
}

#[cfg(test)]
mod tests {
    use super::source_hash;
    use proc_macro2::TokenStream;

    fn hash(attr: &str, item: &str) -> String {
        let parse = |text: &str| text.parse::<TokenStream>().unwrap();
        source_hash(&parse(attr), &parse(item))
    }

    const ORIGINAL: &str = r#"
        /// Asks the model.
        pub async fn answer(prompt: &str) -> Result<String, Error> {
            let request = Request::new(prompt, 0.5);
            client().send(&request).await
        }
    "#;

    #[test]
    fn comments_and_documentation_keep_the_hash() {
        let documented = r#"
            // A new comment.
            #[doc = "Other documentation."]
            pub async fn answer(prompt: &str) -> Result<String, Error> {
                /// A doc comment on a statement.
                /* inline */ let request = Request::new(prompt, 0.5);
                client() . send(&request) . await
            }
        "#;
        assert_eq!(
            hash("skip(client)", ORIGINAL),
            hash("skip( client )", documented)
        );
        assert_eq!(hash("", ORIGINAL).len(), 32);
    }

    /// Each pair is a function before and after `rustfmt --edition 2024` (1.95, defaults).
    const RUSTFMT_PAIRS: &[(&str, &str)] = &[
        (
            "fn long_name_function(first_argument_name: SomeLongTypeName, second: AnotherLongTypeName) -> Result<String, Error> { match first_argument_name { SomeLongTypeName::Variant => compute_something_long(second, first_argument_name, 12345, 67890), _ => other() } }",
            "fn long_name_function(
                first_argument_name: SomeLongTypeName,
                second: AnotherLongTypeName,
            ) -> Result<String, Error> {
                match first_argument_name {
                    SomeLongTypeName::Variant => {
                        compute_something_long(second, first_argument_name, 12345, 67890)
                    }
                    _ => other(),
                }
            }",
        ),
        (
            "fn g() { let h = |first_argument_name: u32, second_argument: u32| first_argument_name.checked_add(second_argument).unwrap_or(0).saturating_mul(1000000); }",
            "fn g() {
                let h = |first_argument_name: u32, second_argument: u32| {
                    first_argument_name
                        .checked_add(second_argument)
                        .unwrap_or(0)
                        .saturating_mul(1000000)
                };
            }",
        ),
        (
            "fn f(a: u32) -> u32 { let g = move || a + 1; if a > 2 { return g() } a }",
            "fn f(a: u32) -> u32 {
                let g = move || a + 1;
                if a > 2 {
                    return g();
                }
                a
            }",
        ),
        (
            "fn k() -> u32 { loop { if a() { break } } }",
            "fn k() -> u32 {
                loop {
                    if a() {
                        break;
                    }
                }
            }",
        ),
        (
            "fn wide<T>(x: T) -> u32 where T: Clone + std::fmt::Debug + Send + Sync + 'static + Default + PartialEq { 1 }",
            "fn wide<T>(x: T) -> u32
            where
                T: Clone + std::fmt::Debug + Send + Sync + 'static + Default + PartialEq,
            {
                1
            }",
        ),
        (
            "fn generic_list<FirstLongParameterName: Clone, SecondLongParameterName: Clone, ThirdLongName: Clone>(a: FirstLongParameterName) -> Result<std::collections::HashMap<String, Vec<SecondLongParameterName>>, ThirdLongName> { todo!() }",
            "fn generic_list<
                FirstLongParameterName: Clone,
                SecondLongParameterName: Clone,
                ThirdLongName: Clone,
            >(
                a: FirstLongParameterName,
            ) -> Result<std::collections::HashMap<String, Vec<SecondLongParameterName>>, ThirdLongName> {
                todo!()
            }",
        ),
        (
            "fn arms(x: u32) { match x { 0 => {}, 1 => { g(); h(); }, _ => {} } }",
            "fn arms(x: u32) {
                match x {
                    0 => {}
                    1 => {
                        g();
                        h();
                    }
                    _ => {}
                }
            }",
        ),
        (
            "fn jump(c: bool) -> u32 { if c { g() } return 1 }",
            "fn jump(c: bool) -> u32 {
                if c {
                    g()
                }
                return 1;
            }",
        ),
        (
            "fn nested(x: u32) -> u32 { ((x + 1)) * 2 }",
            "fn nested(x: u32) -> u32 {
                (x + 1) * 2
            }",
        ),
        (
            "fn a() { let x = serde_json::from_str::<Answer>(&some_long_expression_that_goes_on_and_on.and_on_and_on_and_on()).unwrap(); }",
            "fn a() {
                let x = serde_json::from_str::<Answer>(
                    &some_long_expression_that_goes_on_and_on.and_on_and_on_and_on(),
                )
                .unwrap();
            }",
        ),
        (
            "fn b() { let t = (some_long_expression_that_goes_on_and_on_and_on_and_on, another_long_expression_here_too); }",
            "fn b() {
                let t = (
                    some_long_expression_that_goes_on_and_on_and_on_and_on,
                    another_long_expression_here_too,
                );
            }",
        ),
        (
            "fn d() { fff(some_long_expression_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on_and_onnnnnnnnnn); }",
            "fn d() {
                fff(
                    some_long_expression_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on_and_onnnnnnnnnn,
                );
            }",
        ),
        (
            "fn e() { let v = vec![very_long_argument_name_number_one_that_goes_on_and_on_and_on, another_one_for_this]; }",
            "fn e() {
                let v = vec![
                    very_long_argument_name_number_one_that_goes_on_and_on_and_on,
                    another_one_for_this,
                ];
            }",
        ),
        (
            "fn g() { if ((a)) { println!(\"{}\", ((a))); } }",
            "fn g() {
                if (a) {
                    println!(\"{}\", (a));
                }
            }",
        ),
    ];

    #[test]
    fn what_rustfmt_changes_keeps_the_hash() {
        for (compact, formatted) in RUSTFMT_PAIRS {
            assert_eq!(hash("", compact), hash("", formatted), "{compact}");
        }
    }

    #[test]
    fn changes_that_matter_change_the_hash() {
        let original = hash("", ORIGINAL);
        let changed = [
            ORIGINAL.replace("0.5", "0.7"),
            ORIGINAL.replace("prompt: &str", "prompt: &String"),
            ORIGINAL.replace("Result<String, Error>", "Result<Answer, Error>"),
            ORIGINAL.replace("client()", "other_client()"),
            ORIGINAL.replace("(prompt, 0.5)", "[prompt, 0.5]"),
            ORIGINAL.replace("(prompt, 0.5)", "(prompt, 0.5, 1)"),
            ORIGINAL.replace(".await", ".await;"),
        ];
        for item in changed {
            assert_ne!(hash("", &item), original, "{item}");
        }
        assert_ne!(hash("skip(prompt)", ORIGINAL), original);
    }

    /// Asserts that the functions whose bodies each pair holds hash alike.
    fn alike(pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            let (a, b) = (format!("fn f() {{ {a} }}"), format!("fn f() {{ {b} }}"));
            assert_eq!(hash("", &a), hash("", &b), "{a} ~ {b}");
        }
    }

    /// Asserts that the functions whose bodies each pair holds hash apart.
    fn distinct(pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            let (a, b) = (format!("fn f() {{ {a} }}"), format!("fn f() {{ {b} }}"));
            assert_ne!(hash("", &a), hash("", &b), "{a} ~ {b}");
        }
    }

    #[test]
    fn a_trailing_comma_that_ends_a_list_is_ignored_but_not_one_that_makes_a_tuple() {
        alike(&[
            ("g(a, b,)", "g(a, b)"),
            ("g(a,)", "g(a)"),
            ("g::<T>(a,)", "g::<T>(a)"),
            ("let v = [a,];", "let v = [a];"),
            ("let s = S { a, b, };", "let s = S { a, b };"),
            ("let t = (a, b,);", "let t = (a, b);"),
            ("let t: (u8, u8,) = x;", "let t: (u8, u8) = x;"),
            ("fn g<T>(a: T,) {}", "fn g<T>(a: T) {}"),
        ]);
        distinct(&[
            ("let t = (x,);", "let t = (x);"),
            ("let (a,) = t;", "let (a) = t;"),
            ("let t: (u8,) = x;", "let t: (u8) = x;"),
            ("let t: &mut (u8,) = x;", "let t: &mut (u8) = x;"),
            ("g((x,))", "g((x))"),
            (
                "let t: (HashMap<K, V>,) = x;",
                "let t: (HashMap<K, V>) = x;",
            ),
            ("let t = (|a, b| a + b,);", "let t = (|a, b| a + b);"),
            ("for (a,) in t {}", "for (a) in t {}"),
        ]);
    }

    #[test]
    fn a_trailing_comma_before_a_closing_angle_bracket_or_a_where_clauses_body_is_ignored() {
        alike(&[
            ("let v: Vec<u8,> = x;", "let v: Vec<u8> = x;"),
            (
                "fn g<T>() where T: Clone, { }",
                "fn g<T>() where T: Clone { }",
            ),
        ]);
        distinct(&[
            ("let v: Vec<(u8,)> = x;", "let v: Vec<(u8)> = x;"),
            ("g(a, { b })", "g(a { b })"),
        ]);
    }

    #[test]
    fn braces_around_a_match_arms_single_expression_and_the_comma_after_them_are_ignored() {
        alike(&[
            (
                "match x { 0 => { g() } _ => h() }",
                "match x { 0 => g(), _ => h() }",
            ),
            (
                "match x { 0 => {}, _ => {} }",
                "match x { 0 => {} _ => {} }",
            ),
        ]);
        distinct(&[
            (
                "match x { 0 => { g(); } _ => h() }",
                "match x { 0 => g(), _ => h() }",
            ),
            ("g(unsafe { a }, b)", "g(unsafe { a } b)"),
        ]);
    }

    #[test]
    fn braces_around_a_closures_single_expression_are_ignored_where_the_closure_ends() {
        alike(&[
            ("let g = |x| { x + 1 };", "let g = |x| x + 1;"),
            ("h(|x| { x + 1 }, y)", "h(|x| x + 1, y)"),
        ]);
        distinct(&[
            // Braces around statements are a block, not a body's formatting.
            ("let g = || { a(); };", "let g = || a();"),
            // A `|` after an operand is an operator: its right side keeps its braces.
            ("a || { b }", "a || b"),
            ("x | { 1 }", "x | 1"),
            // Braces change precedence when more follows the closure body.
            ("g(|| { a || b } && c)", "g(|| a || b && c)"),
        ]);
    }

    #[test]
    fn the_semicolon_after_a_final_return_break_or_continue_is_ignored() {
        alike(&[
            ("if c { g() } return 1;", "if c { g() } return 1"),
            ("loop { if a() { break; } }", "loop { if a() { break } }"),
        ]);
        distinct(&[
            // Only the last statement's semicolon, and only after return, break, continue.
            ("g();", "g()"),
            ("return 1; g()", "return 1 g()"),
        ]);
    }

    #[test]
    fn nested_parentheses_count_once_but_a_lists_parentheses_are_its_own() {
        alike(&[
            ("((x + 1)) * 2", "(x + 1) * 2"),
            ("if ((a)) {}", "if (a) {}"),
            ("g(((x)))", "g((x))"),
            ("let t = ((((x))));", "let t = (x);"),
        ]);
        distinct(&[
            // A call's parentheses hold arguments: a tuple argument is not two arguments.
            ("g((a, b))", "g(a, b)"),
            ("g::<T>((a, b))", "g::<T>(a, b)"),
            ("Some((a, b))", "Some(a, b)"),
            ("g(a)((b, c))", "g(a)(b, c)"),
        ]);
    }

    #[test]
    fn a_macros_input_is_hashed_as_written_unless_it_is_a_standard_macros_expressions() {
        alike(&[
            ("vec![1, 2,]", "vec![1, 2]"),
            ("assert_eq!(a, b,)", "assert_eq!(a, b)"),
            ("println!(\"{}\", ((a)))", "println!(\"{}\", (a))"),
            ("std::println!(\"{}\", ((a)))", "std::println!(\"{}\", (a))"),
            ("m!(a, /// A doc.\n b)", "m!(a, b)"),
        ]);
        distinct(&[
            ("vec!((1, 2))", "vec!(1, 2)"),
            ("stringify!((a, b))", "stringify!(a, b)"),
            ("stringify!(((a)))", "stringify!((a))"),
            ("m!(a,)", "m!(a)"),
            ("m![a, b,]", "m![a, b]"),
            ("m!(|| { a })", "m!(|| a)"),
            ("m!(x => { a })", "m!(x => a,)"),
            ("println!(\"{:?}\", (a,))", "println!(\"{:?}\", (a))"),
        ]);
    }

    #[test]
    fn attributes_other_than_documentation_count() {
        distinct(&[
            ("#[allow(unused)] let x = 1;", "let x = 1;"),
            (
                "#[doc = \"x\"] #[inline] fn g() {}",
                "#[doc = \"x\"] fn g() {}",
            ),
        ]);
    }

    #[test]
    fn tokens_cannot_run_into_each_other() {
        assert_ne!(hash("", "fn ab() {}"), hash("", "fn a b() {}"));
        assert_ne!(hash("a", "fn f() {}"), hash("", "a fn f() {}"));
    }
}
