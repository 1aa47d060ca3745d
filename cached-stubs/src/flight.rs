//! Single flight: while recording, identical calls that overlap in one process make one real
//! call. The first to board a stub's flight leads and makes the call; the others wait for it
//! to land (a thread blocks, a task awaits) and then replay the stub it wrote. A leader that
//! wrote nothing (its call returned an `Err`, or panicked) lets the next one lead.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// The flights in the air, by stub path.
static FLIGHTS: LazyLock<Mutex<HashMap<PathBuf, Arc<Flight>>>> = LazyLock::new(Mutex::default);

/// One real call under way, that others may wait for.
#[derive(Default)]
pub(crate) struct Flight {
    state: Mutex<State>,
    landed: Condvar,
}

#[derive(Default)]
struct State {
    landed: bool,
    /// Tasks waiting for the landing.
    wakers: Vec<Waker>,
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
    let flight = Arc::new(Flight::default());
    flights.insert(path.to_path_buf(), Arc::clone(&flight));
    Seat::Leader(Leader {
        path: path.to_path_buf(),
        flight,
    })
}

/// The leading call of a flight; dropped when the call is done, stub written or not.
pub(crate) struct Leader {
    path: PathBuf,
    flight: Arc<Flight>,
}

impl Drop for Leader {
    fn drop(&mut self) {
        lock(&FLIGHTS).remove(&self.path);
        let wakers = {
            let mut state = lock(&self.flight.state);
            state.landed = true;
            std::mem::take(&mut state.wakers)
        };
        self.flight.landed.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl Flight {
    /// Blocks the thread until the flight lands.
    pub(crate) fn wait(&self) {
        let state = lock(&self.state);
        let _landed = self
            .landed
            .wait_while(state, |state| !state.landed)
            .unwrap_or_else(PoisonError::into_inner);
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
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.0.state);
        if state.landed {
            return Poll::Ready(());
        }
        if !state.wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Locks a mutex, whatever a panicking holder left: the data here is always consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{Seat, board};
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
                flight.wait();
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
        let leader = board(path);
        let Seat::Follower(flight) = board(path) else {
            panic!("a second call follows");
        };
        let landing = std::thread::spawn(move || futures::executor::block_on(flight.landing()));
        std::thread::sleep(Duration::from_millis(20));
        drop(leader);
        landing.join().unwrap();
    }
}
