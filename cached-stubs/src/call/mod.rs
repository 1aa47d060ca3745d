//! One annotated call, as the expansion drives it: [`lookup`] (or [`lookup_items`]) finds its
//! stub and says, by [`Mode`](crate::Mode), which [`Step`] comes next: replay what the stub
//! holds, or [`Run`] the real function and hand its result to [`Run::finish`] (or its stream
//! to [`Run::tee`]), which records it when the mode says so.
//!
//! - [`find`]: where the call's stub is, and whether it can be replayed;
//! - [`wait`]: a value's lookup, which may wait for an identical call that records it.

mod find;
mod wait;

use crate::args::Arg;
use crate::canonical;
use crate::depends::Dependency;
use crate::failure::Note;
use crate::record::Recording;
use crate::site::Site;
use crate::stored::{Recordable, StoredPart};
use crate::stream::{RecordedItems, StubbedItems};
use crate::stub_file::{self, Body, NewBody};
use crate::timing;
use find::Found;
use std::marker::PhantomData;
use std::time::Instant;

pub use wait::Lookup;

/// One call of an annotated function, as the expansion describes it.
pub struct Call<'a> {
    /// The function.
    pub site: &'static Site,
    /// The type name of a closure in its body, which tells its instances apart.
    pub instance: &'static str,
    /// The arguments that make its key, in order.
    pub args: &'a [Arg<'a>],
    /// What it depends on besides its tokens: `depends(...)` and the files it includes.
    pub depends: &'a [Dependency<'a>],
}

/// What a call does once its stub has been looked for.
pub enum Step<P, R> {
    /// What the stub holds, to return without running the real function.
    Replay(R),
    /// Run the real function, then hand its result to [`Run::finish`] (or [`Run::tee`]).
    Run(Run<P>),
}

/// A real call under way: records its result when the mode says so. `P` is the
/// [`StoredPart`] of what it returns.
pub struct Run<P> {
    /// `None` in passthrough mode.
    recording: Option<Recording>,
    /// When the real call started, if it records with `CACHED_STUBS_TIMING` on.
    started: Option<Instant>,
    part: PhantomData<fn() -> P>,
}

/// Looks for the stub of a call returning a value, and decides, by [`Mode`](crate::Mode),
/// what happens next: `.wait()` (in a sync function) or `.await` (in an async one) says
/// which [`Step`]. The type of `_part` says what of the returned value is recorded (see
/// `PickPart`).
///
/// # Panics
///
/// In replay mode, when the stub is missing or stale; in every mode that reads stubs, when
/// the stub can't be read or parsed. The real function is never called in those cases.
#[track_caller]
pub fn lookup<P: StoredPart<R>, R>(call: Call<'_>, _part: P) -> Lookup<P, R>
where
    P::Stored: Recordable,
{
    let note = P::SKIPS_ERRORS.then_some(Note::ErrNeverRecorded);
    match find::find::<P::Stored>(call, Body::Output, note) {
        Found::Stub(stub, ..) => Lookup::replay_after(P::replayed(stub.body), stub.elapsed_ms),
        Found::Nothing(None) => Lookup::ready(Step::Run(Run::new(None))),
        // Each call of a sequence has an answer of its own: none waits for another.
        Found::Nothing(Some(recording)) if recording.is_in_sequence() => {
            Lookup::ready(Step::Run(Run::new(Some(recording))))
        }
        Found::Nothing(Some(recording)) => wait::lead_or_follow(recording),
    }
}

/// [`lookup`] for a call returning a stream or an iterator; `_part` is its items'. Streams
/// and iterators don't share calls in flight: a follower would wait for another stream's
/// end, which its consumer may never reach first.
///
/// # Panics
///
/// As [`lookup`]; also when the stub's `offsets_ms` are not one per item, in order, within
/// an hour.
#[track_caller]
pub fn lookup_items<P: StoredPart<T>, T>(call: Call<'_>, _part: P) -> Step<P, RecordedItems<T>>
where
    P::Stored: Recordable,
{
    let note = Some(Note::EndedSequencesOnly);
    match find::find::<Vec<P::Stored>>(call, Body::Items, note) {
        Found::Stub(stub, slot) => {
            if let Some(offsets_ms) = &stub.offsets_ms
                && let Err(problem) = stub_file::check_offsets(offsets_ms, stub.body.len())
            {
                slot.instance.unreadable(&slot.path, &problem);
            }
            Step::Replay(RecordedItems {
                items: stub.body.into_iter().map(P::replayed).collect(),
                offsets_ms: stub.offsets_ms,
            })
        }
        Found::Nothing(recording) => Step::Run(Run::new(recording)),
    }
}

impl<P> Run<P> {
    fn new(recording: Option<Recording>) -> Self {
        let timed = recording.is_some() && timing::enabled();
        Run {
            recording,
            started: timed.then(Instant::now),
            part: PhantomData,
        }
    }

    /// Records the real result when this call records and the result is recordable (not an
    /// `Err`), then gives it back.
    ///
    /// # Panics
    ///
    /// When the result can't be written as JSON that reads back as the same value, or the
    /// stub can't be written.
    #[track_caller]
    pub fn finish<R>(self, returned: R) -> R
    where
        P: StoredPart<R>,
        P::Stored: Recordable,
    {
        if let (Some(recording), Some(stored)) = (self.recording, P::stored(&returned)) {
            let output = recording.to_json(stored);
            let expected = canonical::fingerprint(stored).ok();
            let body = NewBody::Output {
                output: &output,
                elapsed_ms: self.started.map(timing::ms_since),
            };
            recording.write(body, |replayed: &P::Stored| {
                canonical::fingerprint(replayed).ok() == expected
            });
        }
        returned
    }

    /// The real stream or iterator, recorded item by item on its way to the caller if this
    /// call records.
    pub fn tee<S, T>(self, real: S) -> StubbedItems<S, P, T> {
        StubbedItems::tee(self.recording, real)
    }
}
