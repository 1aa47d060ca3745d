//! Whose calls a `sequence` counts: a test's. Cargo's test harness runs each test on a
//! thread named after it, as does `cargo nextest run`, and `#[tokio::test]` polls the
//! test's body on that thread; a call made there belongs to that test. A call made on
//! another thread (a task spawned on a multi-thread runtime, a thread pool) belongs to no
//! test unless code is run in a [`scope`] that names one.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// The test named by the [`scope`] this thread runs in, if any.
    static SCOPE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `future` as part of the test `test`: the `sequence` calls it makes, on whatever
/// thread polls it, count among that test's. Wrap what a test spawns, since a spawned task
/// runs on a thread of no test; give the test's own name (as `cargo test` lists it) to count
/// them with the calls the test makes itself.
///
/// ```
/// # async fn poll_job(_: u32) {}
/// # async fn run() {
/// let job = cached_stubs::scope("jobs::polls_until_done", poll_job(7));
/// # let _ = job;
/// // tokio::spawn(job).await
/// # }
/// ```
pub fn scope<F: Future>(test: impl Into<String>, future: F) -> Scoped<F> {
    Scoped {
        test: test.into(),
        future: Box::pin(future),
    }
}

/// Runs `f` on this thread as part of the test `test`: see [`scope`].
///
/// ```
/// let polls = std::thread::spawn(|| cached_stubs::scope_fn("jobs::polls_from_a_thread", || 3));
/// assert_eq!(polls.join().unwrap(), 3);
/// ```
pub fn scope_fn<R>(test: impl Into<String>, f: impl FnOnce() -> R) -> R {
    let _entered = Entered::enter(test.into());
    f()
}

/// A future run as part of a test: what [`scope`] returns, its output the future's.
///
/// ```
/// # async fn run() {
/// let scoped: cached_stubs::Scoped<_> = cached_stubs::scope("jobs::polls", async { 3 });
/// assert_eq!(scoped.await, 3);
/// # }
/// ```
pub struct Scoped<F> {
    test: String,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _entered = Entered::enter(self.test.clone());
        self.future.as_mut().poll(cx)
    }
}

/// The test of this thread's scope, while it lasts; the one before it, after.
struct Entered(Option<String>);

impl Entered {
    fn enter(test: String) -> Entered {
        Entered(SCOPE.with_borrow_mut(|scope| scope.replace(test)))
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        SCOPE.with_borrow_mut(|scope| *scope = self.0.take());
    }
}

/// The test whose calls this thread makes: its scope's, else the thread's name when it is a
/// test's (`main` counts as one: a program's own calls), else none.
#[cfg(feature = "record-replay")]
pub(crate) fn current_test() -> Option<String> {
    if let Some(test) = SCOPE.with_borrow(Clone::clone) {
        return Some(test);
    }
    let thread = std::thread::current();
    let name = thread.name()?;
    (name == "main" || crate::report::is_test_path(name)).then(|| name.to_string())
}
