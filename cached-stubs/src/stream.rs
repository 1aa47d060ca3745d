//! Streams and iterators returned by annotated functions: replayed from their recorded items,
//! or teed while the real one runs, each item reaching the caller as soon as it is yielded.
//! The stub is written when the real stream ends, and only then: a stream dropped early or
//! yielding an `Err` item records nothing. What is said here of streams holds for iterators.

use crate::canonical;
use crate::record::Recording;
use crate::stored::{Recordable, StoredPart};
use crate::stub_file::NewBody;
use crate::timing::{self, Clock, Timer};
use futures_core::Stream;
use pin_project_lite::pin_project;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};
use std::time::Instant;

/// The recorded items of a stream or iterator, to replay.
pub struct RecordedItems<T> {
    pub(crate) items: Vec<T>,
    /// When each item came, in milliseconds from the first poll, if that was recorded.
    pub(crate) offsets_ms: Option<Vec<u64>>,
}

pin_project! {
    /// The stream or iterator an annotated function returns in its record/replay version:
    /// its recorded items, or the real stream `S`, recorded on its way through if the call
    /// records. `P` is the [`StoredPart`] of its items `T`.
    pub struct StubbedItems<S, P, T> {
        #[pin]
        real: Option<S>,
        source: Source<T>,
        part: PhantomData<fn() -> P>,
    }
}

/// Where the items come from, and what happens to them on their way.
enum Source<T> {
    /// Recorded items; with offsets, each yielded when it is due.
    Recorded {
        items: std::vec::IntoIter<T>,
        offsets_ms: Option<std::vec::IntoIter<u64>>,
        clock: Clock,
        timer: Timer,
    },
    /// The real items, a copy of each kept for the stub (boxed: a replay stays small).
    Teed(Box<Tee>),
    /// The real items, passed on: in passthrough mode, or once recording gave up.
    Real,
}

/// The copy kept of a real stream while it is recorded.
struct Tee {
    recording: Recording,
    items: Vec<Value>,
    /// A running hash of the items' canonical encodings, to check that the stub replays
    /// the same items.
    fingerprint: blake3::Hasher,
    /// When each item came, if `CACHED_STUBS_TIMING` is on.
    offsets_ms: Option<Vec<u64>>,
    clock: Clock,
}

impl<S, P, T> StubbedItems<S, P, T> {
    /// The recorded items, replayed one at a time; each when it is due if `CACHED_STUBS_TIMING`
    /// is on.
    pub fn replay(items: RecordedItems<T>) -> Self {
        Self::paced(items, timing::enabled())
    }

    /// The recorded items, replayed one at a time; each when it is due if `timed`.
    fn paced(items: RecordedItems<T>, timed: bool) -> Self {
        let offsets_ms = items.offsets_ms.filter(|_| timed);
        StubbedItems {
            real: None,
            source: Source::Recorded {
                items: items.items.into_iter(),
                offsets_ms: offsets_ms.map(Vec::into_iter),
                clock: Clock::default(),
                timer: Timer::default(),
            },
            part: PhantomData,
        }
    }
}

impl<S, P, T> StubbedItems<S, P, T> {
    /// The real stream, recorded item by item on its way to the caller if `recording`.
    pub(crate) fn tee(recording: Option<Recording>, real: S) -> Self {
        let source = match recording {
            Some(recording) => Source::Teed(Box::new(Tee {
                recording,
                items: Vec::new(),
                fingerprint: blake3::Hasher::new(),
                offsets_ms: timing::enabled().then(Vec::new),
                clock: Clock::default(),
            })),
            None => Source::Real,
        };
        StubbedItems {
            real: Some(real),
            source,
            part: PhantomData,
        }
    }

    /// The size hint of the recorded items, or of the real stream by `real_hint`.
    fn hint(&self, real_hint: impl FnOnce(&S) -> (usize, Option<usize>)) -> (usize, Option<usize>) {
        match (&self.source, &self.real) {
            (Source::Recorded { items, .. }, _) => items.size_hint(),
            (_, Some(real)) => real_hint(real),
            (_, None) => (0, Some(0)),
        }
    }
}

/// What a replay yields next.
enum Next<T> {
    /// This item, or the end.
    Item(Option<T>),
    /// Nothing before this instant.
    NotBefore(Instant),
}

impl<T> Source<T> {
    /// The next recorded item, or `None` when the items are real ones.
    fn next_recorded(&mut self) -> Option<Next<T>> {
        let Source::Recorded {
            items,
            offsets_ms,
            clock,
            ..
        } = self
        else {
            return None;
        };
        if let Some(offsets_ms) = offsets_ms
            && let Some(&offset_ms) = offsets_ms.as_slice().first()
        {
            let due = clock.due(offset_ms);
            if due > Instant::now() {
                return Some(Next::NotBefore(due));
            }
            offsets_ms.next();
        }
        Some(Next::Item(items.next()))
    }

    /// Wakes the task polled with `waker` when the next recorded item is due.
    fn wake_at(&mut self, due: Instant, waker: &Waker) {
        if let Source::Recorded { timer, .. } = self {
            timer.wake_at(due, waker);
        }
    }

    /// Starts the recording clock, at the first poll of the real stream.
    fn start_clock(&mut self) {
        if let Source::Teed(tee) = self {
            tee.clock.start();
        }
    }

    /// Takes in a real item, or the end (`None`), on its way to the caller: a copy of it
    /// is kept, or, at the end, the stub is written.
    #[track_caller]
    fn on_real_item<P: StoredPart<T>>(&mut self, item: Option<&T>)
    where
        P::Stored: Recordable,
    {
        let Source::Teed(tee) = self else {
            return;
        };
        match item.map(P::stored) {
            Some(Some(stored)) => tee.push(stored),
            // An `Err` item: the stream is not recorded, but goes on to the caller.
            Some(None) => *self = Source::Real,
            None => {
                if let Source::Teed(tee) = std::mem::replace(self, Source::Real) {
                    tee.write::<P::Stored>();
                }
            }
        }
    }
}

impl Tee {
    /// Keeps a copy of a real item, and when it came.
    #[track_caller]
    fn push<V: Serialize>(&mut self, stored: &V) {
        let value = self.recording.to_json(stored);
        if let Err(error) = canonical::add_to_fingerprint(&mut self.fingerprint, stored) {
            self.recording.unrecordable(&error);
        }
        self.items.push(value);
        if let Some(offsets_ms) = &mut self.offsets_ms {
            offsets_ms.push(self.clock.elapsed_ms());
        }
    }

    /// Writes the stub of the stream, which has ended.
    #[track_caller]
    fn write<V: DeserializeOwned + Serialize>(self) {
        let body = NewBody::Items {
            items: &self.items,
            elapsed_ms: None,
            offsets_ms: self.offsets_ms.as_deref(),
        };
        let expected = self.fingerprint.finalize();
        self.recording.write(body, |replayed: &Vec<V>| {
            let mut fingerprint = blake3::Hasher::new();
            let read_back = replayed
                .iter()
                .try_for_each(|item| canonical::add_to_fingerprint(&mut fingerprint, item));
            read_back.is_ok() && fingerprint.finalize() == expected
        });
    }
}

impl<S, P, T> Stream for StubbedItems<S, P, T>
where
    S: Stream<Item = T>,
    P: StoredPart<T>,
    P::Stored: Recordable,
{
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        match this.source.next_recorded() {
            Some(Next::Item(item)) => return Poll::Ready(item),
            Some(Next::NotBefore(due)) => {
                this.source.wake_at(due, cx.waker());
                return Poll::Pending;
            }
            None => {}
        }
        let Some(real) = this.real.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        this.source.start_clock();
        let item = ready!(real.poll_next(cx));
        this.source.on_real_item::<P>(item.as_ref());
        if item.is_none() {
            this.real.set(None);
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint(Stream::size_hint)
    }
}

impl<S, P, T> Iterator for StubbedItems<S, P, T>
where
    S: Iterator<Item = T>,
    P: StoredPart<T>,
    P::Stored: Recordable,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        while let Some(next) = self.source.next_recorded() {
            match next {
                Next::Item(item) => return item,
                Next::NotBefore(due) => {
                    std::thread::sleep(due.saturating_duration_since(Instant::now()))
                }
            }
        }
        self.source.start_clock();
        let item = self.real.as_mut()?.next();
        self.source.on_real_item::<P>(item.as_ref());
        if item.is_none() {
            self.real = None;
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint(Iterator::size_hint)
    }
}

#[cfg(test)]
mod tests {
    use super::{RecordedItems, StubbedItems};
    use crate::stored::Whole;
    use futures::StreamExt;
    use std::time::{Duration, Instant};

    /// The threads of this process, on Linux; `None` elsewhere.
    fn threads() -> Option<usize> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|line| line.starts_with("Threads:"))?;
        line["Threads:".len()..].trim().parse().ok()
    }

    #[test]
    fn a_thousand_timed_streams_of_two_hundred_items_wait_on_one_timer_thread() {
        let streams = (0..1000).map(|_| {
            let items = RecordedItems {
                items: (0..200).collect::<Vec<u32>>(),
                offsets_ms: Some((0..200).collect()),
            };
            StubbedItems::<futures::stream::Empty<u32>, Whole, u32>::paced(items, true).count()
        });
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = {
            let done = std::sync::Arc::clone(&done);
            std::thread::spawn(move || {
                let mut peak = threads();
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    peak = peak.max(threads());
                    std::thread::sleep(Duration::from_millis(2));
                }
                peak
            })
        };
        let before = threads();
        let started = Instant::now();
        let counts = futures::executor::block_on(futures::future::join_all(streams));
        let took = started.elapsed();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let peak = sampler.join().unwrap();
        assert!(counts.iter().all(|count| *count == 200));
        assert!(took >= Duration::from_millis(199), "done in {took:?}");
        assert!(took < Duration::from_secs(20), "took {took:?}");
        // The timer thread, the sampler, and other tests' threads: not one per deadline.
        if let (Some(before), Some(peak)) = (before, peak) {
            assert!(
                peak < before + 40,
                "{before} threads before, {peak} at the peak"
            );
        }
    }
}
