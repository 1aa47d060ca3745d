//! The source hash: a hash of the function's tokens, stored in each stub and compared on
//! replay, so that a changed function makes its stubs stale.
//!
//! The walk is structural: identifiers, literals, punctuation characters and delimiters,
//! each tagged. Spans, whitespace, comments, the spacing of punctuation and the compiler's
//! `to_string()` rendering of a token stream play no part, and doc attributes (`///`, `//!`,
//! `#[doc = ...]`) are left out: documenting a function keeps its stubs.
//!
//! What rustfmt changes besides whitespace is evened out too, so `cargo fmt` keeps stubs:
//! a trailing comma before a closing delimiter is ignored (rustfmt adds one when it breaks a
//! list over lines), and a match arm's body in braces hashes like the bare expression
//! followed by a comma (rustfmt adds braces when the body doesn't fit on the line). The
//! price: `(x,)` and `(x)` hash alike.

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
    let mut at = 0;
    while at < tokens.len() {
        if let Some(length) = doc_attribute(&tokens[at..]) {
            at += length;
            continue;
        }
        let next = tokens.get(at + 1);
        match &tokens[at] {
            TokenTree::Punct(punct) if punct.as_char() == ',' && next.is_none() => {}
            TokenTree::Punct(punct) => {
                text(hasher, tag::PUNCT, punct.as_char().encode_utf8(&mut [0; 4]))
            }
            TokenTree::Ident(ident) => text(hasher, tag::IDENT, &ident.to_string()),
            TokenTree::Literal(literal) => text(hasher, tag::LITERAL, &literal.to_string()),
            // Invisible groups come from `macro_rules!` fragments: only their content counts.
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                walk(group.stream(), hasher)
            }
            TokenTree::Group(group) if is_arm_body(&tokens[..at], group) => {
                walk(group.stream(), hasher);
                if next.is_some_and(|next| !is_punct(next, ',')) {
                    text(hasher, tag::PUNCT, ",");
                }
            }
            TokenTree::Group(group) => {
                let delimiter = match group.delimiter() {
                    Delimiter::Parenthesis => b'(',
                    Delimiter::Brace => b'{',
                    Delimiter::Bracket => b'[',
                    Delimiter::None => unreachable!("handled above"),
                };
                hasher.update(&[tag::OPEN, delimiter]);
                walk(group.stream(), hasher);
                hasher.update(&[tag::CLOSE]);
            }
        }
        at += 1;
    }
}

/// Whether `group` is a braced match arm body: the tokens before it end with `=>`.
fn is_arm_body(before: &[TokenTree], group: &Group) -> bool {
    group.delimiter() == Delimiter::Brace
        && matches!(before, [.., equals, greater] if is_punct(equals, '=') && is_punct(greater, '>'))
}

fn is_punct(token: &TokenTree, char: char) -> bool {
    matches!(token, TokenTree::Punct(punct) if punct.as_char() == char)
}

/// A token: its tag, its length and its text, so that no two sequences hash alike.
fn text(hasher: &mut blake3::Hasher, tag: u8, text: &str) {
    hasher.update(&[tag]);
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// The number of tokens of a doc attribute (`#[doc ...]` or `#![doc ...]`) starting the
/// slice, if one does.
fn doc_attribute(tokens: &[TokenTree]) -> Option<usize> {
    let TokenTree::Punct(pound) = tokens.first()? else {
        return None;
    };
    if pound.as_char() != '#' {
        return None;
    }
    let bang = matches!(tokens.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
    let TokenTree::Group(group) = tokens.get(1 + usize::from(bang))? else {
        return None;
    };
    let is_doc = group.delimiter() == Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(ident)) if ident == "doc");
    is_doc.then_some(2 + usize::from(bang))
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
    fn reformatting_and_comments_keep_the_hash() {
        let reformatted = r#"
            // A new comment.
            #[doc = "Other documentation."]
            pub async fn answer(
                prompt: &str,
            ) -> Result<String, Error> {
                /// A doc comment on a statement.
                /* inline */ let request = Request::new(prompt, 0.5);
                client()
                    .send(&request)
                    .await
            }
        "#;
        assert_eq!(
            hash("skip(client)", ORIGINAL),
            hash("skip( client )", reformatted)
        );
        assert_eq!(hash("", ORIGINAL).len(), 32);
    }

    #[test]
    fn what_rustfmt_changes_keeps_the_hash() {
        let compact =
            "fn f(a: u32) -> u32 { match a { 0 => g(a, 1), _ => h(Config { x: 1, y: 2 }) } }";
        let formatted = "fn f(
            a: u32,
        ) -> u32 {
            match a {
                0 => {
                    g(a, 1)
                }
                _ => h(Config {
                    x: 1,
                    y: 2,
                }),
            }
        }";
        assert_eq!(hash("", compact), hash("", formatted));
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
        ];
        for item in changed {
            assert_ne!(hash("", &item), original, "{item}");
        }
        assert_ne!(hash("skip(prompt)", ORIGINAL), original);
    }

    #[test]
    fn tokens_cannot_run_into_each_other() {
        assert_ne!(hash("", "fn ab() {}"), hash("", "fn a b() {}"));
        assert_ne!(hash("a", "fn f() {}"), hash("", "a fn f() {}"));
    }
}
