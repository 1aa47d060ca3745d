//! Every kind of function users annotate, recorded and replayed: methods taking `&self`,
//! `&mut self` and `self`, trait impls with native `async fn`, `#[async_trait]` methods,
//! `impl Future`, arguments bound by patterns or typed `impl AsRef`/`impl Into`, `Result`
//! aliases, and the odd signature. Replayed from the stubs committed under `stubs/shapes/`.

use async_trait::async_trait;
use cached_stubs::cached_stub;
use cached_stubs_suite::assert_committed_stubs_are_recorded_again;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// An assistant whose settings are part of every key its methods make.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Persona {
    name: String,
    /// Not a setting: left out of the key.
    #[serde(skip)]
    replies: u32,
}

fn persona() -> Persona {
    Persona {
        name: "Ada".to_string(),
        replies: 0,
    }
}

impl Persona {
    /// `&self`: the persona is part of the key.
    #[cached_stub]
    fn greet(&self, guest: &str) -> String {
        format!("{} greets {guest}.", self.name)
    }

    /// `&mut self`. A replay returns the recorded answer and changes nothing: the body's
    /// side effect (counting replies) only happens when it really runs.
    #[cached_stub]
    fn answer(&mut self, question: &str) -> String {
        self.replies += 1;
        format!("{} answers {question:?}.", self.name)
    }

    /// `self` by value.
    #[cached_stub]
    fn into_card(self) -> String {
        format!("[{}]", self.name)
    }

    /// `skip(self)`: the key is the arguments alone.
    #[cached_stub(skip(self))]
    async fn motto(&self, topic: &str) -> String {
        format!("Always {topic}.")
    }
}

#[test]
fn methods_key_on_self_unless_it_is_skipped() {
    let mut ada = persona();
    assert_eq!(ada.greet("Grace"), "Ada greets Grace.");
    assert_eq!(ada.answer("why?"), "Ada answers \"why?\".");
    assert_eq!(ada.into_card(), "[Ada]");
    let other = Persona {
        name: "Bob".to_string(),
        replies: 7,
    };
    assert_eq!(
        futures::executor::block_on(other.motto("stub")),
        "Always stub."
    );
}

trait Assistant {
    fn reply(&self, prompt: &str) -> String;
    async fn reply_later(&self, prompt: &str) -> String;
}

/// A trait impl, with a native `async fn`.
impl Assistant for Persona {
    #[cached_stub]
    fn reply(&self, prompt: &str) -> String {
        format!("{}: {prompt}", self.name)
    }

    #[cached_stub]
    async fn reply_later(&self, prompt: &str) -> String {
        tokio::task::yield_now().await;
        format!("{}, later: {prompt}", self.name)
    }
}

#[tokio::test]
async fn trait_methods_sync_and_async() {
    let ada = persona();
    assert_eq!(ada.reply("hi"), "Ada: hi");
    assert_eq!(ada.reply_later("hi").await, "Ada, later: hi");
}

#[derive(Debug)]
struct ModelError;

#[async_trait]
trait Model: Send + Sync {
    async fn complete(&self, prompt: &str) -> Result<String, ModelError>;
}

struct Echo;

/// An `#[async_trait]` method: `#[async_trait]` on the impl, `#[cached_stub]` on the method.
/// async-trait rewrites the method first, into one returning a boxed future, which
/// `#[cached_stub]` then records as the future's output.
#[async_trait]
impl Model for Echo {
    #[cached_stub(skip(self))]
    async fn complete(&self, prompt: &str) -> Result<String, ModelError> {
        if prompt.is_empty() {
            return Err(ModelError);
        }
        Ok(prompt.to_uppercase())
    }
}

#[tokio::test]
async fn async_trait_methods_replay_through_a_trait_object() {
    let model: Box<dyn Model> = Box::new(Echo);
    assert_eq!(model.complete("loud").await.unwrap(), "LOUD");
    let spawned = tokio::spawn(async move { model.complete("sent").await.unwrap() });
    assert_eq!(spawned.await.unwrap(), "SENT");
}

/// `fn -> impl Future`: looked up when called, replayed (or run) when awaited.
#[cached_stub]
fn doubled_later(value: u32) -> impl Future<Output = u32> + Send {
    async move {
        tokio::task::yield_now().await;
        value * 2
    }
}

/// A future that outlives the arguments, as spawned work must: the call is looked up
/// when made, so the future holds no borrow of them.
#[cached_stub]
fn echo_later(text: &str) -> impl Future<Output = String> + Send + 'static {
    let owned = text.to_uppercase();
    async move { owned }
}

#[tokio::test]
async fn an_impl_future_replays_its_output() {
    assert_eq!(doubled_later(21).await, 42);
    let spawned = tokio::spawn(echo_later(&String::from("spawned")));
    assert_eq!(spawned.await.unwrap(), "SPAWNED");
}

/// Arguments bound by patterns are part of the key whole, named by position (`#1`); `_`
/// can't change the result and is left out.
#[cached_stub]
fn span_length((start, end): (u32, u32), _: &str) -> u32 {
    end - start
}

/// Every instance of a generic `impl` shares one function: its `Self` type (`Named<u8>`,
/// `Named<String>`) is part of the key.
struct Named<T>(std::marker::PhantomData<T>);

impl<T> Named<T> {
    #[cached_stub]
    fn describe(prefix: &str) -> String {
        format!("{prefix} {}", std::any::type_name::<T>())
    }
}

#[test]
fn instances_of_a_generic_impl_have_stubs_of_their_own() {
    assert_eq!(Named::<u8>::describe("a"), "a u8");
    assert_eq!(Named::<String>::describe("a"), "a alloc::string::String");
}

/// `impl AsRef<str>` is hashed as the `str` it refers to; `impl Into<String>` as the
/// `String` it becomes.
#[cached_stub]
fn shout(text: impl AsRef<str>, suffix: impl Into<String>) -> String {
    text.as_ref().to_uppercase() + &suffix.into()
}

#[test]
fn patterns_and_impl_arguments_make_keys() {
    // One stub: the `_` argument is not part of the key.
    assert_eq!(span_length((3, 10), "ignored"), 7);
    assert_eq!(span_length((3, 10), "anything"), 7);
    assert_eq!(shout("hey", "!"), "HEY!");
    // A `String` and a `&str` of the same text make the same key: one stub serves both.
    assert_eq!(shout(String::from("hey"), String::from("!")), "HEY!");
}

type Checked<T> = Result<T, String>;

/// A `Result` alias of one's own is a `Result`: its `Err` isn't recorded.
#[cached_stub]
fn halve(value: u32) -> Checked<u32> {
    if value % 2 == 1 {
        return Err(format!("{value} is odd"));
    }
    Ok(value / 2)
}

#[cached_stub]
fn parse_count(text: &str) -> anyhow::Result<u32> {
    Ok(text.trim().parse()?)
}

#[test]
fn result_aliases_are_results() {
    assert_eq!(halve(10), Ok(5));
    assert_eq!(parse_count(" 12 ").unwrap(), 12);
}

/// Lifetimes, a `where` clause, `unsafe`, `pub(crate)`, an attribute on an argument.
#[cached_stub]
pub(crate) unsafe fn longest<'a, T>(
    first: &'a str,
    second: &'a str,
    #[allow(unused_variables)] tag: T,
) -> String
where
    T: Serialize + Copy,
{
    if first.len() >= second.len() {
        first
    } else {
        second
    }
    .to_string()
}

#[test]
fn lifetimes_where_clauses_unsafe_and_visibility() {
    // SAFETY: `longest` has no safety requirements; it is `unsafe` to show that it can be.
    let longest = unsafe { longest("stub", "stubs", 1u8) };
    assert_eq!(longest, "stubs");
}

#[test]
fn committed_stubs_match_a_fresh_recording() {
    assert_committed_stubs_are_recorded_again("committed_stubs_match_a_fresh_recording", "shapes");
}
