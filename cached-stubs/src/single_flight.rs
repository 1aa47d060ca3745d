//! Single flight: while recording, identical calls that overlap in one process make one real
//! call. The first call for a stub path leads and makes the real call; the identical calls
//! that come while it is in flight follow: they wait for it to finish (a thread blocks, a
//! task awaits) and then replay the stub it wrote. A leader that wrote nothing (its call
//! returned an `Err`, or panicked) lets the next one lead.
//!
//! A leading future holds its call in flight until it is dropped: one kept but never polled
//! holds up the identical calls behind it, as a held lock would.

use crate::lock::lock;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Condvar, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;
use std::time::Duration;

/// How long a follower waits before it says what it waits for.
const PATIENCE: Duration = Duration::from_secs(10);

/// The calls in flight, by stub path.
static IN_FLIGHT: LazyLock<Mutex<HashMap<PathBuf, Arc<Flight>>>> = LazyLock::new(Mutex::default);

/// One real call under way, that identical calls may wait for.
pub struct Flight {
    state: Mutex<State>,
    finished: Condvar,
    /// The thread the leader started on.
    leader: ThreadId,
    /// Its name, for a follower that waits long.
    leader_name: String,
}

#[derive(Default)]
struct State {
    outcome: Option<Outcome>,
    /// Tasks waiting for the outcome.
    wakers: Vec<Waker>,
}

/// How the leader's call ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The leader wrote its stub, for the followers to replay.
    Wrote,
    /// The leader wrote nothing: its call returned an `Err`, panicked or was dropped.
    WroteNothing,
}

/// What a call for a stub does: lead or follow.
pub enum Role {
    /// Make the real call; dropping the [`Leader`] lets the followers go on.
    Leader(Leader),
    /// Wait for the leader's call to finish.
    Follower(Arc<Flight>),
}

/// Joins the call in flight for the stub at `path`, as its leader if there is none.
pub fn join(path: &Path) -> Role {
    let mut flights = lock(&IN_FLIGHT);
    if let Some(flight) = flights.get(path) {
        return Role::Follower(Arc::clone(flight));
    }
    let flight = Arc::new(Flight {
        state: Mutex::default(),
        finished: Condvar::new(),
        leader: std::thread::current().id(),
        leader_name: std::thread::current()
            .name()
            .unwrap_or("an unnamed thread")
            .to_string(),
    });
    flights.insert(path.to_path_buf(), Arc::clone(&flight));
    Role::Leader(Leader {
        path: path.to_path_buf(),
        flight,
        outcome: Outcome::WroteNothing,
    })
}

/// The leading call for a stub; dropped when the call is done, stub written or not.
pub struct Leader {
    path: PathBuf,
    flight: Arc<Flight>,
    /// The outcome the followers see when this is dropped.
    outcome: Outcome,
}

impl Leader {
    /// Notes that the stub is written: the followers replay it once this is dropped.
    pub fn wrote(&mut self) {
        self.outcome = Outcome::Wrote;
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        lock(&IN_FLIGHT).remove(&self.path);
        let wakers = {
            let mut state = lock(&self.flight.state);
            state.outcome = Some(self.outcome);
            std::mem::take(&mut state.wakers)
        };
        self.flight.finished.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl Flight {
    /// Blocks the thread until the leader's call of `function` is done. After
    /// [`PATIENCE`], says on stderr what it waits for: a leader that waits for this call
    /// (it made this thread, and joins it) would never be done.
    pub(crate) fn wait(&self, function: &str) -> Outcome {
        let unfinished = |state: &mut State| state.outcome.is_none();
        let state = lock(&self.state);
        let (mut state, waited) = self
            .finished
            .wait_timeout_while(state, PATIENCE, unfinished)
            .unwrap_or_else(PoisonError::into_inner);
        if waited.timed_out() {
            eprintln!(
                "cached-stubs: a call of `{function}` has waited {} s for an identical call, \
                 which `{}` makes, to record its stub. If that call waits for this one (it \
                 started this thread and joins it), neither ends: give the inner call other \
                 arguments, or make it outside the annotated function.",
                PATIENCE.as_secs(),
                self.leader_name,
            );
            state = self
                .finished
                .wait_while(state, unfinished)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.outcome.expect("waited for the outcome")
    }

    /// Whether the leader started on this thread: waiting here for its outcome would block
    /// the call it waits for, if this call is made inside it.
    pub(crate) fn is_led_by_this_thread(&self) -> bool {
        self.leader == std::thread::current().id()
    }

    /// A future that is ready when the leader's call is done.
    pub fn finished(self: Arc<Self>) -> Finished {
        Finished(self)
    }
}

/// Waits for the leader's call to be done without blocking the thread.
pub struct Finished(Arc<Flight>);

impl Finished {
    /// The call in flight, to wait for by blocking instead.
    pub(crate) fn flight(&self) -> &Flight {
        &self.0
    }
}

impl Future for Finished {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut state = lock(&self.0.state);
        if let Some(outcome) = state.outcome {
            return Poll::Ready(outcome);
        }
        if !state.wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, Role, join};
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn the_first_leads_and_the_others_wait_for_its_outcome() {
        let path = Path::new("/flights/one.json");
        let Role::Leader(leader) = join(path) else {
            panic!("the first call leads");
        };
        let Role::Follower(flight) = join(path) else {
            panic!("a second call follows");
        };
        let done = Arc::new(AtomicBool::new(false));
        let waiter = {
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                assert!(!flight.is_led_by_this_thread());
                assert_eq!(flight.wait("f"), Outcome::WroteNothing);
                assert!(
                    done.load(Ordering::SeqCst),
                    "woke before the leader was done"
                );
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        done.store(true, Ordering::SeqCst);
        drop(leader);
        waiter.join().unwrap();
        assert!(
            matches!(join(path), Role::Leader(_)),
            "a finished call is no longer in flight"
        );
    }

    #[test]
    fn a_task_awaits_the_outcome() {
        let path = Path::new("/flights/two.json");
        let Role::Leader(mut leader) = join(path) else {
            panic!("the first call leads");
        };
        let Role::Follower(flight) = join(path) else {
            panic!("a second call follows");
        };
        assert!(flight.is_led_by_this_thread());
        let outcome = std::thread::spawn(move || futures::executor::block_on(flight.finished()));
        std::thread::sleep(Duration::from_millis(20));
        leader.wrote();
        drop(leader);
        assert_eq!(outcome.join().unwrap(), Outcome::Wrote);
    }
}
