//! Single flight: while recording, identical calls that overlap in one process make one real
//! call. The first to board a stub's flight leads and makes the call; the others wait for it
//! to land (a thread blocks, a task awaits) and then replay the stub it wrote. A leader that
//! wrote nothing (its call returned an `Err`, or panicked) lets the next one lead.
//!
//! A leading future holds its flight until it is dropped: one kept but never polled holds up
//! the identical calls behind it, as a held lock would.

use crate::lock::lock;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Condvar, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;

/// The flights in the air, by stub path.
static FLIGHTS: LazyLock<Mutex<HashMap<PathBuf, Arc<Flight>>>> = LazyLock::new(Mutex::default);

/// One real call under way, that others may wait for.
pub(crate) struct Flight {
    state: Mutex<State>,
    landed: Condvar,
    /// The thread the leader boarded on.
    leader: ThreadId,
}

#[derive(Default)]
struct State {
    landed: Option<Landed>,
    /// Tasks waiting for the landing.
    wakers: Vec<Waker>,
}

/// How a flight ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Landed {
    /// The leader wrote its stub, for the others to replay.
    Wrote,
    /// The leader wrote nothing: its call returned an `Err`, panicked or was dropped.
    Empty,
}

/// A seat on the flight of a stub.
pub(crate) enum Seat {
    /// Make the real call; landing (dropping this) lets the others go on.
    Leader(Leader),
    /// Wait for the leader's call to land.
    Follower(Arc<Flight>),
}

/// Boards the flight of the stub at `path`: as its leader if none is in the air.
pub(crate) fn board(path: &Path) -> Seat {
    let mut flights = lock(&FLIGHTS);
    if let Some(flight) = flights.get(path) {
        return Seat::Follower(Arc::clone(flight));
    }
    let flight = Arc::new(Flight {
        state: Mutex::default(),
        landed: Condvar::new(),
        leader: std::thread::current().id(),
    });
    flights.insert(path.to_path_buf(), Arc::clone(&flight));
    Seat::Leader(Leader {
        path: path.to_path_buf(),
        flight,
        outcome: Landed::Empty,
    })
}

/// The leading call of a flight; dropped when the call is done, stub written or not.
pub(crate) struct Leader {
    path: PathBuf,
    flight: Arc<Flight>,
    /// How the flight lands when this is dropped.
    outcome: Landed,
}

impl Leader {
    /// Notes that the stub is written: the others replay it once this lands.
    pub(crate) fn wrote(&mut self) {
        self.outcome = Landed::Wrote;
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        lock(&FLIGHTS).remove(&self.path);
        let wakers = {
            let mut state = lock(&self.flight.state);
            state.landed = Some(self.outcome);
            std::mem::take(&mut state.wakers)
        };
        self.flight.landed.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl Flight {
    /// Blocks the thread until the flight lands.
    pub(crate) fn wait(&self) -> Landed {
        let state = lock(&self.state);
        let state = self
            .landed
            .wait_while(state, |state| state.landed.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        state.landed.expect("waited for the landing")
    }

    /// Whether the leader boarded on this thread: waiting here for its landing would block
    /// the call it waits for, if this call is made inside it.
    pub(crate) fn is_led_by_this_thread(&self) -> bool {
        self.leader == std::thread::current().id()
    }

    /// A future that is ready when the flight lands.
    pub(crate) fn landing(self: Arc<Self>) -> Landing {
        Landing(self)
    }
}

/// Waits for a flight to land without blocking the thread.
pub(crate) struct Landing(Arc<Flight>);

impl Landing {
    /// The flight, to wait for by blocking instead.
    pub(crate) fn flight(&self) -> &Flight {
        &self.0
    }
}

impl Future for Landing {
    type Output = Landed;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Landed> {
        let mut state = lock(&self.0.state);
        if let Some(landed) = state.landed {
            return Poll::Ready(landed);
        }
        if !state.wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::{Landed, Seat, board};
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn the_first_leads_the_others_wait_for_its_landing() {
        let path = Path::new("/flights/one.json");
        let Seat::Leader(leader) = board(path) else {
            panic!("the first call leads");
        };
        let Seat::Follower(flight) = board(path) else {
            panic!("a second call follows");
        };
        let landed = Arc::new(AtomicBool::new(false));
        let waiter = {
            let landed = Arc::clone(&landed);
            std::thread::spawn(move || {
                assert!(!flight.is_led_by_this_thread());
                assert_eq!(flight.wait(), Landed::Empty, "the leader wrote nothing");
                assert!(landed.load(Ordering::SeqCst), "woke before the landing");
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        landed.store(true, Ordering::SeqCst);
        drop(leader);
        waiter.join().unwrap();
        assert!(
            matches!(board(path), Seat::Leader(_)),
            "a landed flight is gone"
        );
    }

    #[test]
    fn a_task_awaits_the_landing() {
        let path = Path::new("/flights/two.json");
        let Seat::Leader(mut leader) = board(path) else {
            panic!("the first call leads");
        };
        let Seat::Follower(flight) = board(path) else {
            panic!("a second call follows");
        };
        assert!(flight.is_led_by_this_thread());
        let landing = std::thread::spawn(move || futures::executor::block_on(flight.landing()));
        std::thread::sleep(Duration::from_millis(20));
        leader.wrote();
        drop(leader);
        assert_eq!(landing.join().unwrap(), Landed::Wrote);
    }
}
