//! Streams and iterators returned by annotated functions: replayed from their recorded items,
//! or teed while the real one runs, each item reaching the caller as soon as it is yielded.
//! The stub is written when the real sequence ends, and only then: a sequence dropped early
//! or yielding an `Err` item records nothing.

use crate::call::{Items, Recording, Run};
use crate::canonical;
use crate::message;
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

pin_project! {
    /// The stream or iterator an annotated function returns in its record/replay version:
    /// its recorded items, or the real sequence `S`, recorded on its way through if the call
    /// records. `P` is the [`StoredPart`] of its items `T`.
    pub struct StubbedItems<S, P, T> {
        #[pin]
        real: Option<S>,
        flow: Flow<T>,
        part: PhantomData<fn() -> P>,
    }
}

enum Flow<T> {
    /// Yields recorded items; with offsets, each when it is due.
    Replay {
        items: std::vec::IntoIter<T>,
        offsets_ms: Option<std::vec::IntoIter<u64>>,
        clock: Clock,
        timer: Timer,
    },
    /// Passes the real items on, keeping a copy of each (boxed: a replay stays small).
    Record(Box<Tee>),
    /// Passes the real items on: in passthrough mode, or once recording gave up.
    Pass,
}

/// The copy kept of a real sequence while it is recorded.
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
    /// The recorded items, replayed one at a time.
    pub fn replay(items: Items<T>) -> Self {
        let offsets_ms = items.offsets_ms.filter(|_| timing::enabled());
        StubbedItems {
            real: None,
            flow: Flow::Replay {
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
    /// The size hint of the recorded items, or of the real sequence by `real_hint`.
    fn hint(&self, real_hint: impl FnOnce(&S) -> (usize, Option<usize>)) -> (usize, Option<usize>) {
        match (&self.flow, &self.real) {
            (Flow::Replay { items, .. }, _) => items.size_hint(),
            (_, Some(real)) => real_hint(real),
            (_, None) => (0, Some(0)),
        }
    }
}

impl<P> Run<P> {
    /// The real sequence, recorded item by item on its way to the caller if this call
    /// records.
    pub fn tee<S, T>(self, real: S) -> StubbedItems<S, P, T> {
        let flow = match self.recording {
            Some(recording) => Flow::Record(Box::new(Tee {
                recording,
                items: Vec::new(),
                fingerprint: blake3::Hasher::new(),
                offsets_ms: timing::enabled().then(Vec::new),
                clock: Clock::default(),
            })),
            None => Flow::Pass,
        };
        StubbedItems {
            real: Some(real),
            flow,
            part: PhantomData,
        }
    }
}

/// What a replay yields next.
enum Next<T> {
    /// This item, or the end.
    Item(Option<T>),
    /// Nothing before this instant.
    At(Instant),
}

impl<T> Flow<T> {
    /// The next recorded item, or `None` when this is not a replay.
    fn replay_next(&mut self) -> Option<Next<T>> {
        let Flow::Replay {
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
                return Some(Next::At(due));
            }
            offsets_ms.next();
        }
        Some(Next::Item(items.next()))
    }

    /// Wakes the task polled with `waker` when the next recorded item is due.
    fn wake_at(&mut self, due: Instant, waker: &Waker) {
        if let Flow::Replay { timer, .. } = self {
            timer.wake_at(due, waker);
        }
    }

    /// Starts the recording clock at the first poll of the real sequence.
    fn polling(&mut self) {
        if let Flow::Record(tee) = self {
            tee.clock.start();
        }
    }

    /// Sees a real item, or the end (`None`), on its way to the caller.
    #[track_caller]
    fn saw<P: StoredPart<T>>(&mut self, item: Option<&T>)
    where
        P::Stored: Recordable,
    {
        let Flow::Record(tee) = self else {
            return;
        };
        match item.map(P::stored) {
            Some(Some(stored)) => tee.keep(stored),
            // An `Err` item: the sequence is not recorded, but goes on to the caller.
            Some(None) => *self = Flow::Pass,
            None => {
                if let Flow::Record(tee) = std::mem::replace(self, Flow::Pass) {
                    tee.write::<P::Stored>();
                }
            }
        }
    }
}

impl Tee {
    #[track_caller]
    fn keep<V: Serialize>(&mut self, stored: &V) {
        let site = self.recording.site;
        let value = match serde_json::to_value(stored) {
            Ok(value) => value,
            Err(error) => panic!("{}", message::unrecordable(site, &error)),
        };
        if let Err(error) = canonical::add(&mut self.fingerprint, stored) {
            panic!("{}", message::unrecordable(site, &error));
        }
        self.items.push(value);
        if let Some(offsets_ms) = &mut self.offsets_ms {
            offsets_ms.push(self.clock.elapsed_ms());
        }
    }

    #[track_caller]
    fn write<V: DeserializeOwned + Serialize>(self) {
        let body = NewBody::Items {
            items: &self.items,
            offsets_ms: self.offsets_ms.as_deref(),
        };
        let expected = self.fingerprint.finalize();
        self.recording.write(body, |replayed: &Vec<V>| {
            let mut fingerprint = blake3::Hasher::new();
            let read_back = replayed
                .iter()
                .try_for_each(|item| canonical::add(&mut fingerprint, item));
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
        match this.flow.replay_next() {
            Some(Next::Item(item)) => return Poll::Ready(item),
            Some(Next::At(due)) => {
                this.flow.wake_at(due, cx.waker());
                return Poll::Pending;
            }
            None => {}
        }
        let Some(real) = this.real.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        this.flow.polling();
        let item = ready!(real.poll_next(cx));
        this.flow.saw::<P>(item.as_ref());
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
        while let Some(next) = self.flow.replay_next() {
            match next {
                Next::Item(item) => return item,
                Next::At(due) => std::thread::sleep(due.saturating_duration_since(Instant::now())),
            }
        }
        self.flow.polling();
        let item = self.real.as_mut()?.next();
        self.flow.saw::<P>(item.as_ref());
        if item.is_none() {
            self.real = None;
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint(Iterator::size_hint)
    }
}
