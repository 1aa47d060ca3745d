//! `CACHED_STUBS_TIMING`: when set while recording, a stub keeps how long its call took (a
//! value's `elapsed_ms`) or when each item came (a stream's `offsets_ms`, from the first
//! poll); when set while replaying, a replay waits as long again, divided by
//! `CACHED_STUBS_TIMING_SPEED` (2 = twice as fast, 0.5 = half as fast). For demos and load
//! tests that need realistic latency; tests leave it off, and stubs recorded without it carry
//! no timings.
//!
//! Every wait of the process is on one timer: a thread with a heap of deadlines, which wakes
//! each waiting task when its deadline comes. A thousand replayed streams of two hundred
//! items each make two hundred thousand deadlines, and one thread.

use crate::lock::lock;
use crate::mode;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::ffi::OsStr;
use std::sync::{Arc, Condvar, LazyLock, Mutex, Weak};
use std::task::Waker;
use std::time::{Duration, Instant};

/// The variable that turns timings on.
const VARIABLE: &str = "CACHED_STUBS_TIMING";
/// The variable that makes timed replays faster or slower.
const SPEED_VARIABLE: &str = "CACHED_STUBS_TIMING_SPEED";

/// Whether `CACHED_STUBS_TIMING` asks for timings, read once per process.
///
/// # Panics
///
/// When it holds a value that is neither on (`1`, `true`, `yes`, `on`) nor off (unset,
/// empty, `0`, `false`, `no`, `off`).
#[track_caller]
pub(crate) fn enabled() -> bool {
    static TIMING: LazyLock<Result<bool, String>> =
        LazyLock::new(|| parse(crate::env::var(VARIABLE).as_deref()));
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
            "cached-stubs: {VARIABLE}={value:?} is not a value it knows.\n  \
             accepted: 1, true, yes, on (keep and replay timings); \
             unset, empty, 0, false, no, off (don't)"
        )
    })
}

/// How much faster than recorded a timed replay goes: `CACHED_STUBS_TIMING_SPEED`, read once
/// per process; 1 when unset or empty.
///
/// # Panics
///
/// When it holds anything but a finite number above 0.
#[track_caller]
pub(crate) fn speed() -> f64 {
    static SPEED: LazyLock<Result<f64, String>> = LazyLock::new(|| {
        let Some(value) = crate::env::var(SPEED_VARIABLE) else {
            return Ok(1.0);
        };
        parse_speed(&value.to_string_lossy())
            .map_err(|why| format!("cached-stubs: {SPEED_VARIABLE}={value:?} {why}"))
    });
    match &*SPEED {
        Ok(speed) => *speed,
        Err(message) => panic!("{message}"),
    }
}

/// A speed factor as `CACHED_STUBS_TIMING_SPEED` (or the server's `--speed`) gives it: a
/// finite number above 0. `Err` says why it is none.
pub(crate) fn parse_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 => Ok(speed),
        _ => Err(
            "is not a speed: give a number above 0, such as 2 (twice as fast) or 0.5 (half \
             as fast)"
                .to_string(),
        ),
    }
}

/// How long a replay waits for `ms` milliseconds recorded, at `speed`; `Duration::MAX` for a
/// wait longer than that (an hour recorded, at a speed of `1e-300`).
pub(crate) fn scaled(ms: u64, speed: f64) -> Duration {
    Duration::try_from_secs_f64(ms as f64 / 1000.0 / speed).unwrap_or(Duration::MAX)
}

/// How long "never" is for a wait too long for the clock: 30 years.
const NEVER: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// When an item recorded `ms` milliseconds after `start` is due at `speed`: a wait too long
/// for the clock to tell is due in 30 years, never in practice, and panics nowhere.
pub(crate) fn due(start: Instant, ms: u64, speed: f64) -> Instant {
    let wait = scaled(ms, speed);
    start
        .checked_add(wait)
        .or_else(|| start.checked_add(NEVER.min(wait)))
        .unwrap_or(start)
}

/// Milliseconds since `started`, as a stub keeps them.
pub(crate) fn ms_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
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
        ms_since(self.start())
    }

    /// When an item recorded `offset_ms` after the start is due, at the process's speed.
    pub(crate) fn due(&mut self, offset_ms: u64) -> Instant {
        due(self.start(), offset_ms, speed())
    }
}

/// Wakes a task at a deadline: a handle on the process's one timer thread. However often the
/// task is polled before its deadline, the deadline is handed to the thread once.
#[derive(Default)]
pub(crate) struct Timer {
    armed: Option<Instant>,
    /// The waker of the latest poll, taken by the timer thread when it wakes it.
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
        TIMER_THREAD.add(Deadline {
            at: deadline,
            order: 0,
            waker: Arc::downgrade(&self.waker),
        });
    }
}

/// The process's timer thread, started on first use.
static TIMER_THREAD: LazyLock<&'static TimerThread> = LazyLock::new(|| {
    let timers: &'static TimerThread = Box::leak(Box::default());
    std::thread::Builder::new()
        .name("cached-stubs-timer".to_string())
        .spawn(|| timers.run())
        .expect("cached-stubs: can't start its timer thread");
    timers
});

/// The deadlines every [`Timer`] of the process waits for, earliest first.
#[derive(Default)]
struct TimerThread {
    heap: Mutex<Heap>,
    /// Signalled when a deadline earlier than every other is added.
    earlier: Condvar,
}

#[derive(Default)]
struct Heap {
    deadlines: BinaryHeap<Reverse<Deadline>>,
    /// How many deadlines were ever added: equal instants wake in the order they were added.
    added: u64,
}

/// A task to wake at an instant; gone when its [`Timer`] was dropped.
struct Deadline {
    at: Instant,
    order: u64,
    waker: Weak<Mutex<Option<Waker>>>,
}

impl TimerThread {
    fn add(&self, mut deadline: Deadline) {
        let mut heap = lock(&self.heap);
        deadline.order = heap.added;
        heap.added += 1;
        let earliest = heap
            .deadlines
            .peek()
            .is_none_or(|Reverse(first)| deadline.at < first.at);
        heap.deadlines.push(Reverse(deadline));
        drop(heap);
        if earliest {
            self.earlier.notify_one();
        }
    }

    /// Wakes each task when its deadline comes, forever. Wakers are called with the heap
    /// unlocked: waking may poll, and polling may add a deadline.
    fn run(&self) {
        let mut due = Vec::new();
        loop {
            let mut heap = lock(&self.heap);
            loop {
                let now = Instant::now();
                while let Some(Reverse(first)) = heap.deadlines.peek()
                    && first.at <= now
                {
                    let Reverse(deadline) = heap.deadlines.pop().expect("peeked");
                    due.push(deadline.waker);
                }
                if !due.is_empty() {
                    break;
                }
                heap = match heap.deadlines.peek() {
                    Some(Reverse(first)) => {
                        let wait = first.at.saturating_duration_since(now);
                        let (heap, _) = self
                            .earlier
                            .wait_timeout(heap, wait)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        heap
                    }
                    None => self
                        .earlier
                        .wait(heap)
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                };
            }
            drop(heap);
            for waker in due.drain(..) {
                // A task woken since polls again, and leaves its waker again.
                if let Some(waker) = waker.upgrade().and_then(|waker| lock(&waker).take()) {
                    waker.wake();
                }
            }
        }
    }
}

impl PartialEq for Deadline {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Deadline {}

impl PartialOrd for Deadline {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Deadline {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

#[cfg(test)]
mod tests {
    use super::{Clock, NEVER, Timer, due, parse, parse_speed, scaled};
    use std::ffi::OsStr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};
    use std::time::{Duration, Instant};

    #[test]
    fn an_extreme_speed_saturates_the_wait_and_panics_nowhere() {
        assert_eq!(scaled(3_600_000, f64::MIN_POSITIVE), Duration::MAX);
        assert_eq!(scaled(u64::MAX, 1e-300), Duration::MAX);
        assert_eq!(scaled(1500, 2.0), Duration::from_millis(750));
        let start = Instant::now();
        assert_eq!(due(start, 3_600_000, f64::MIN_POSITIVE), start + NEVER);
        assert_eq!(due(start, 3_600_000, f64::MAX), start);
        assert_eq!(due(start, 40, 1.0), start + Duration::from_millis(40));
    }

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
    fn a_speed_is_a_finite_number_above_zero() {
        assert_eq!(parse_speed("2"), Ok(2.0));
        assert_eq!(parse_speed(" 0.5 "), Ok(0.5));
        for wrong in ["0", "-1", "fast", "inf", "NaN", ""] {
            assert!(parse_speed(wrong).is_err(), "{wrong}");
        }
        assert_eq!(scaled(1000, 2.0), Duration::from_millis(500));
        assert_eq!(scaled(1000, 0.5), Duration::from_secs(2));
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
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(wakes.count(1), 1, "woken more than once");
        timer.wake_at(Instant::now(), &waker);
        assert_eq!(wakes.count(2), 2, "a new deadline wakes again");
    }

    #[test]
    fn deadlines_wake_in_their_order_whatever_order_they_come_in() {
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Record(usize, Arc<std::sync::Mutex<Vec<usize>>>);
        impl Wake for Record {
            fn wake(self: Arc<Self>) {
                self.1.lock().unwrap().push(self.0);
            }
        }
        let start = Instant::now() + Duration::from_millis(30);
        let mut timers: Vec<Timer> = (0..5).map(|_| Timer::default()).collect();
        for (at, timer) in [3, 0, 4, 1, 2].into_iter().zip(&mut timers) {
            let waker = Waker::from(Arc::new(Record(at, Arc::clone(&order))));
            timer.wake_at(start + Duration::from_millis(10 * at as u64), &waker);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while order.lock().unwrap().len() < 5 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_dropped_timer_wakes_nothing() {
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut dropped = Timer::default();
        dropped.wake_at(Instant::now() + Duration::from_millis(10), &waker);
        drop(dropped);
        let mut kept = Timer::default();
        kept.wake_at(Instant::now() + Duration::from_millis(30), &waker);
        assert_eq!(wakes.count(1), 1);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(wakes.count(1), 1);
    }
}
