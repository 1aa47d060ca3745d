//! `CACHED_STUBS_TIMING`: when set while recording, a stream's stub keeps when each item came;
//! when set while replaying, each item waits as long again. For demos that need a realistic
//! stream; tests leave it off, and files recorded without it carry no timings.

use crate::lock::lock;
use crate::mode;
use std::ffi::OsStr;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::Waker;
use std::time::{Duration, Instant};

/// Whether `CACHED_STUBS_TIMING` asks for timings, read once per process.
///
/// # Panics
///
/// When it holds a value that is neither on (`1`, `true`, `yes`, `on`) nor off (unset,
/// empty, `0`, `false`, `no`, `off`).
#[track_caller]
pub(crate) fn enabled() -> bool {
    static TIMING: LazyLock<Result<bool, String>> =
        LazyLock::new(|| parse(crate::env::var("CACHED_STUBS_TIMING").as_deref()));
    match &*TIMING {
        Ok(enabled) => *enabled,
        Err(message) => panic!("{message}"),
    }
}

fn parse(value: Option<&OsStr>) -> Result<bool, String> {
    let Some(value) = value else {
        return Ok(false);
    };
    mode::switch(value).ok_or_else(|| {
        format!(
            "cached-stubs: CACHED_STUBS_TIMING={value:?} is not a value it knows.\n  \
             accepted: 1, true, yes, on (keep and replay item timings); \
             unset, empty, 0, false, no, off (don't)"
        )
    })
}

/// Milliseconds since a sequence was first polled.
#[derive(Default)]
pub(crate) struct Clock {
    started: Option<Instant>,
}

impl Clock {
    /// Starts the clock, if it hasn't started yet.
    pub(crate) fn start(&mut self) -> Instant {
        *self.started.get_or_insert_with(Instant::now)
    }

    pub(crate) fn elapsed_ms(&mut self) -> u64 {
        let elapsed = self.start().elapsed().as_millis();
        u64::try_from(elapsed).unwrap_or(u64::MAX)
    }

    /// When an item recorded `offset_ms` after the start is due.
    pub(crate) fn due(&mut self, offset_ms: u64) -> Instant {
        self.start() + Duration::from_millis(offset_ms)
    }
}

/// Wakes a task when a replayed item is due, from a thread of its own: a timer that needs no
/// runtime. One thread per deadline, however often the task is polled before it.
#[derive(Default)]
pub(crate) struct Timer {
    armed: Option<Instant>,
    /// The waker of the latest poll, taken by the thread when it wakes it.
    waker: Arc<Mutex<Option<Waker>>>,
}

impl Timer {
    /// Wakes the task polled with `waker` at `deadline`.
    pub(crate) fn wake_at(&mut self, deadline: Instant, waker: &Waker) {
        let mut latest = lock(&self.waker);
        match &mut *latest {
            Some(latest) => latest.clone_from(waker),
            None => *latest = Some(waker.clone()),
        }
        drop(latest);
        if self.armed == Some(deadline) {
            return;
        }
        self.armed = Some(deadline);
        let latest = Arc::clone(&self.waker);
        std::thread::spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            // A task woken since polls again, and leaves its waker again.
            if let Some(waker) = lock(&latest).take() {
                waker.wake();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{Clock, Timer, parse};
    use std::ffi::OsStr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};
    use std::time::{Duration, Instant};

    #[test]
    fn the_flag_is_off_unless_asked_for() {
        assert_eq!(parse(None), Ok(false));
        for off in ["", "0", "false", "no", "off", " OFF "] {
            assert_eq!(parse(Some(OsStr::new(off))), Ok(false), "{off}");
        }
        for on in ["1", "true", "yes", "on", "True"] {
            assert_eq!(parse(Some(OsStr::new(on))), Ok(true), "{on}");
        }
        let message = parse(Some(OsStr::new("slow"))).unwrap_err();
        assert!(message.contains("CACHED_STUBS_TIMING=\"slow\"") && message.contains("accepted"));
    }

    #[test]
    fn offsets_count_from_the_start() {
        let mut clock = Clock::default();
        let start = clock.start();
        assert_eq!(clock.due(250), start + Duration::from_millis(250));
        assert!(clock.elapsed_ms() < 250);
    }

    /// Counts its wakes.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl Wakes {
        /// The wakes so far, once there are at least `at_least`, or after ten seconds.
        fn count(&self, at_least: usize) -> usize {
            let start = Instant::now();
            while self.0.load(Ordering::SeqCst) < at_least && start.elapsed().as_secs() < 10 {
                std::thread::sleep(Duration::from_millis(5));
            }
            self.0.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn a_timer_wakes_once_per_deadline_however_often_it_is_polled() {
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut timer = Timer::default();
        let deadline = Instant::now() + Duration::from_millis(20);
        for _ in 0..100 {
            timer.wake_at(deadline, &waker);
        }
        assert_eq!(wakes.count(1), 1);
        // Any other thread would have woken it by now, at the same deadline.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(wakes.count(1), 1, "woken more than once");
        timer.wake_at(Instant::now(), &waker);
        assert_eq!(wakes.count(2), 2, "a new deadline wakes again");
    }
}
