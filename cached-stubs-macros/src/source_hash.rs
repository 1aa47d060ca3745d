//! The source hash: a hash of the function's tokens, stored in each stub and compared on
//! replay, so that a changed function makes its stubs stale.
//!
//! The walk is structural: identifiers, literals, punctuation characters and delimiters,
//! each tagged. Spans, whitespace, comments, the spacing of punctuation and the compiler's
//! `to_string()` rendering of a token stream play no part, and doc attributes (`///`, `//!`,
//! `#[doc = ...]`) are left out: documenting a function keeps its stubs.
//!
//! What rustfmt changes besides whitespace is evened out too, so `cargo fmt` keeps stubs:
//! - a trailing comma is ignored: before a closing delimiter, a `>` or the `{` after a
//!   `where` clause (rustfmt adds one when it breaks a list over lines), at the price of
//!   hashing `(x,)` like `(x)`;
//! - braces around a single-expression body of a match arm, or of a closure that ends
//!   there, are ignored (rustfmt adds them when the body spans lines), an arm's body
//!   counting as followed by a comma; the comma after a braced arm body is ignored;
//! - the semicolon after a block's final `return`, `break` or `continue` is ignored;
//! - nested parentheses count once: `((x))` is `(x)`, but `f((a, b))` stays a call with
//!   one tuple argument.
//!
//! Not evened out, as rare in function bodies: the order of names in a `use` list.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

const CONTEXT: &str = "cached-stubs 2026-11-20 source hash v1";

mod tag {
    pub const IDENT: u8 = 1;
    pub const PUNCT: u8 = 2;
    pub const LITERAL: u8 = 3;
    pub const OPEN: u8 = 4;
    pub const CLOSE: u8 = 5;
    pub const ITEM: u8 = 6;
}

/// 32 hex digits of blake3 over the attribute's arguments, then the item.
pub(crate) fn source_hash(attr: &TokenStream, item: &TokenStream) -> String {
    let mut hasher = blake3::Hasher::new_derive_key(CONTEXT);
    walk(attr.clone(), &mut hasher);
    hasher.update(&[tag::ITEM]);
    walk(item.clone(), &mut hasher);
    hasher.finalize().to_hex()[..32].to_string()
}

fn walk(tokens: TokenStream, hasher: &mut blake3::Hasher) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
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
                let closes = next.is_none_or(|next| {
                    is_punct(next, '>') || (in_where_clause && is_brace_group(next))
                });
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
                walk(group.stream(), hasher)
            }
            TokenTree::Group(group) if is_arm_body(before, group) => {
                after_arm_body = true;
                if is_single_expression(group) {
                    walk(group.stream(), hasher);
                    let more = tokens[at + 1..].iter().any(|token| !is_punct(token, ','));
                    if more {
                        punct_text(hasher, ',');
                    }
                } else {
                    delimited(group, hasher);
                }
            }
            TokenTree::Group(group)
                if closure_bodies.contains(&at)
                    && is_single_expression(group)
                    && next.is_none_or(|next| is_punct(next, ',') || is_punct(next, ';')) =>
            {
                walk(group.stream(), hasher);
            }
            TokenTree::Group(group) => {
                in_where_clause &= group.delimiter() != Delimiter::Brace;
                // After an operand, parentheses are a call's: `f((a, b))` is not `f(a, b)`.
                if before.last().is_some_and(ends_operand) {
                    delimited(group, hasher);
                } else {
                    delimited(&innermost_parens(group), hasher);
                }
            }
        }
        at += 1;
    }
}

/// A delimited group: its delimiter, its content, its end.
fn delimited(group: &Group, hasher: &mut blake3::Hasher) {
    let delimiter = match group.delimiter() {
        Delimiter::Parenthesis => b'(',
        Delimiter::Brace => b'{',
        Delimiter::Bracket => b'[',
        Delimiter::None => b' ',
    };
    hasher.update(&[tag::OPEN, delimiter]);
    walk(group.stream(), hasher);
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

/// A token: its tag, its length and its text, so that no two sequences hash alike.
fn text(hasher: &mut blake3::Hasher, tag: u8, text: &str) {
    hasher.update(&[tag]);
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

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
        TokenTree::Ident(ident) => !["move", "async", "return", "break", "in"]
            .iter()
            .any(|keyword| ident == keyword),
        TokenTree::Literal(_) | TokenTree::Group(_) => true,
        TokenTree::Punct(punct) => punct.as_char() == '?',
    }
}

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

    #[test]
    fn only_what_rustfmt_adds_is_evened_out() {
        let distinct = [
            // Braces around statements are a block, not a body's formatting.
            (
                "fn f() { let g = || { a(); }; }",
                "fn f() { let g = || a(); }",
            ),
            // A `|` after an operand is an operator: its right side keeps its braces.
            ("fn f() -> bool { a || { b } }", "fn f() -> bool { a || b }"),
            ("fn f() -> u32 { x | { 1 } }", "fn f() -> u32 { x | 1 }"),
            // Only the last statement's semicolon, and only after return, break, continue.
            ("fn f() { g(); }", "fn f() { g() }"),
            (
                "fn f() -> u32 { return 1; g() }",
                "fn f() -> u32 { return 1 g() }",
            ),
            // Braces change precedence when more follows the closure body.
            (
                "fn f() { g(|| { a || b } && c) }",
                "fn f() { g(|| a || b && c) }",
            ),
            // A call's parentheses hold arguments: a tuple argument is not two arguments.
            ("fn f() { g((a, b)) }", "fn f() { g(a, b) }"),
        ];
        for (a, b) in distinct {
            assert_ne!(hash("", a), hash("", b), "{a} ~ {b}");
        }
    }

    #[test]
    fn tokens_cannot_run_into_each_other() {
        assert_ne!(hash("", "fn ab() {}"), hash("", "fn a b() {}"));
        assert_ne!(hash("a", "fn f() {}"), hash("", "a fn f() {}"));
    }
}
