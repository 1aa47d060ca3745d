//! One annotated call: find its stub, then replay it, or run the real function and record.

use crate::args::{self, Arg};
use crate::canonical;
use crate::flight::{self, Landing, Leader, Seat};
use crate::key::Key;
use crate::message::{self, Miss, Note};
use crate::mode::Mode;
use crate::nearest;
use crate::shape::{Recordable, Shape};
use crate::site::Site;
use crate::store;
use crate::stub_file::{self, Body, NewBody, NewStub, Problem, Replayed};
use crate::usage;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

/// What a call does once its stub has been looked for.
pub enum Step<S, R> {
    /// What the stub holds, to return without running the real function.
    Replay(R),
    /// Run the real function, then hand its result to [`Run::finish`] (or [`Run::tee`]).
    Run(Run<S>),
}

/// A real call under way: records its result when the mode says so.
pub struct Run<S> {
    /// `None` in passthrough mode.
    pub(crate) recording: Option<Recording>,
    shape: PhantomData<fn() -> S>,
}

/// Everything needed to write a stub once the real result is known; owns its data, so the
/// real function can take its arguments by value while it runs.
pub(crate) struct Recording {
    pub(crate) site: &'static Site,
    path: PathBuf,
    args: Vec<(&'static str, Value)>,
    /// The flight this call leads, landed when the recording is done or dropped.
    leader: Option<Leader>,
}

/// The recorded items of a stream or iterator, to replay.
pub struct Items<T> {
    pub(crate) items: Vec<T>,
    /// When each item came, in milliseconds from the first poll, if that was recorded.
    pub(crate) offsets_ms: Option<Vec<u64>>,
}

/// Looks for the stub of a call returning a value, and decides, by [`Mode`], what happens
/// next: `.wait()` (in a sync function) or `.await` (in an async one) says which [`Step`].
/// `shape` says how the return type is recorded (see `ShapeOf`).
///
/// # Panics
///
/// In replay mode, when the stub is missing or stale; in every mode that reads stubs, when
/// the stub can't be read or parsed. The real function is never called in those cases.
#[track_caller]
pub fn lookup<S: Shape<R>, R>(site: &'static Site, args: &[Arg<'_>], shape: S) -> Lookup<S, R>
where
    S::Stored: Recordable,
{
    let _ = shape;
    let note = S::SKIPS_ERRORS.then_some(Note::ErrNeverRecorded);
    match look::<S::Stored>(site, args, Body::Output, note) {
        Found::Stub(stub, _) => Lookup::ready(Step::Replay(S::replayed(stub.body))),
        Found::Nothing(None) => Lookup::ready(Step::Run(Run::new(None))),
        Found::Nothing(Some(recording)) => recording.board(landed::<S, R>),
    }
}

/// [`lookup`] for a call returning a stream or an iterator; `shape` is its items'. Streams
/// and iterators don't share flights: a follower would wait for another sequence's end,
/// which its consumer may never reach first.
///
/// # Panics
///
/// As [`lookup`]; also when the stub's `offsets_ms` don't match its items.
#[track_caller]
pub fn lookup_items<S: Shape<T>, T>(
    site: &'static Site,
    args: &[Arg<'_>],
    shape: S,
) -> Step<S, Items<T>>
where
    S::Stored: Recordable,
{
    let _ = shape;
    match look::<Vec<S::Stored>>(site, args, Body::Items, Some(Note::EndedSequencesOnly)) {
        Found::Stub(stub, path) => {
            if stub
                .offsets_ms
                .as_ref()
                .is_some_and(|offsets| offsets.len() != stub.body.len())
            {
                let problem =
                    Problem::Broken("\"offsets_ms\" must have one offset per item".into());
                panic!("{}", message::unreadable(site, &path, &problem));
            }
            Step::Replay(Items {
                items: stub.body.into_iter().map(S::replayed).collect(),
                offsets_ms: stub.offsets_ms,
            })
        }
        Found::Nothing(recording) => Step::Run(Run::new(recording)),
    }
}

/// A looked-up call returning a value: its [`Step`], or, while an identical call records
/// it in this process, the wait for that call to land.
pub struct Lookup<S, R> {
    state: Option<Waiting<S, R>>,
}

enum Waiting<S, R> {
    /// Decided.
    Ready(Step<S, R>),
    /// An identical call leads; once it lands, `then` replays what it recorded.
    Follows {
        landing: Landing,
        recording: Recording,
        then: fn(Recording) -> Lookup<S, R>,
    },
}

// `Lookup` never pins what it holds.
impl<S, R> Unpin for Lookup<S, R> {}

impl<S, R> Lookup<S, R> {
    fn ready(step: Step<S, R>) -> Self {
        Lookup {
            state: Some(Waiting::Ready(step)),
        }
    }

    /// The step, blocking the thread while an identical call leads.
    #[track_caller]
    pub fn wait(mut self) -> Step<S, R> {
        loop {
            match self.state.take().expect("a lookup is resolved once") {
                Waiting::Ready(step) => return step,
                Waiting::Follows {
                    landing,
                    recording,
                    then,
                } => {
                    landing.flight().wait();
                    self = then(recording);
                }
            }
        }
    }
}

impl<S, R> Future for Lookup<S, R> {
    type Output = Step<S, R>;

    /// The step, waiting without blocking while an identical call leads.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Step<S, R>> {
        let this = self.get_mut();
        loop {
            match this.state.take().expect("a lookup is resolved once") {
                Waiting::Ready(step) => return Poll::Ready(step),
                Waiting::Follows {
                    mut landing,
                    recording,
                    then,
                } => {
                    if Pin::new(&mut landing).poll(cx).is_pending() {
                        this.state = Some(Waiting::Follows {
                            landing,
                            recording,
                            then,
                        });
                        return Poll::Pending;
                    }
                    *this = then(recording);
                }
            }
        }
    }
}

/// After the leading call landed: its stub, or, when it wrote none, a flight of our own.
#[track_caller]
fn landed<S: Shape<R>, R>(recording: Recording) -> Lookup<S, R>
where
    S::Stored: Recordable,
{
    let (site, path) = (recording.site, &recording.path);
    match read_current::<S::Stored>(site, path, Body::Output) {
        Current::Stub(stub) => Lookup::ready(Step::Replay(S::replayed(stub.body))),
        Current::Missing | Current::Stale => recording.board(landed::<S, R>),
    }
}

/// What looking for a stub found.
enum Found<B> {
    /// A current stub, to replay, and its path.
    Stub(Replayed<B>, PathBuf),
    /// None to replay: run the real function, recording it unless in passthrough mode.
    Nothing(Option<Recording>),
}

#[track_caller]
fn look<B: DeserializeOwned>(
    site: &'static Site,
    args: &[Arg<'_>],
    body: Body,
    note: Option<Note>,
) -> Found<B> {
    let mode = Mode::current();
    if mode == Mode::Passthrough {
        return Found::Nothing(None);
    }
    let key = match Key::of(args) {
        Ok(key) => key,
        Err(error) => panic!("{}", message::unhashable(site, &error)),
    };
    let path = site.stub_path(key);
    if mode != Mode::RecordAll {
        let miss = match read_current::<B>(site, &path, body) {
            Current::Stub(stub) => return Found::Stub(stub, path),
            Current::Missing => Miss::NoStub(None),
            Current::Stale => Miss::Stale,
        };
        if mode == Mode::Replay {
            let args = args::to_json(args);
            let miss = match miss {
                Miss::NoStub(_) => Miss::NoStub(nearest::find(site.folder(), &args)),
                stale => stale,
            };
            panic!("{}", message::miss(site, &path, &args, &miss, note));
        }
    }
    let args = args::to_json(args);
    Found::Nothing(Some(Recording {
        site,
        path,
        args,
        leader: None,
    }))
}

/// A stub as it is on disk.
enum Current<B> {
    /// Recorded from the function as it is now.
    Stub(Replayed<B>),
    Missing,
    /// Recorded from another version of the function.
    Stale,
}

/// Reads the stub at `path`.
///
/// # Panics
///
/// When it can't be read or parsed: a broken stub is never taken for a missing one.
#[track_caller]
fn read_current<B: DeserializeOwned>(site: &Site, path: &Path, body: Body) -> Current<B> {
    let bytes = match store::read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Current::Missing,
        Err(error) => panic!("{}", message::unreadable(site, path, &error)),
    };
    match stub_file::read::<B>(&bytes, site.source_hash, body) {
        Ok(stub) if stub.current => {
            usage::note(path);
            Current::Stub(stub)
        }
        Ok(_) => Current::Stale,
        Err(error) => match stub_file::diagnose(&bytes, site.source_hash, &error) {
            Problem::Stale => Current::Stale,
            problem => panic!("{}", message::unreadable(site, path, &problem)),
        },
    }
}

impl<S> Run<S> {
    fn new(recording: Option<Recording>) -> Self {
        Run {
            recording,
            shape: PhantomData,
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
        S: Shape<R>,
        S::Stored: Recordable,
    {
        if let (Some(recording), Some(stored)) = (self.recording, S::stored(&returned)) {
            let output = match serde_json::to_value(stored) {
                Ok(output) => output,
                Err(error) => panic!("{}", message::unrecordable(recording.site, &error)),
            };
            let expected = canonical::fingerprint(stored).ok();
            recording.write(NewBody::Output(&output), |replayed: &S::Stored| {
                canonical::fingerprint(replayed).ok() == expected
            });
        }
        returned
    }
}

impl Recording {
    /// Boards the flight of this call's stub: leads it (and runs), or follows it and, once
    /// it lands, goes on with `then`.
    fn board<S, R>(mut self, then: fn(Recording) -> Lookup<S, R>) -> Lookup<S, R> {
        let state = match flight::board(&self.path) {
            Seat::Leader(leader) => {
                self.leader = Some(leader);
                Waiting::Ready(Step::Run(Run::new(Some(self))))
            }
            Seat::Follower(flight) => Waiting::Follows {
                landing: flight.landing(),
                recording: self,
                then,
            },
        };
        Lookup { state: Some(state) }
    }

    /// Writes the stub, after checking that it reads back as `B` and `matches` the real
    /// result: a stub that would not replay the same value is worse than none.
    #[track_caller]
    pub(crate) fn write<B: DeserializeOwned>(
        self,
        body: NewBody<'_>,
        matches: impl FnOnce(&B) -> bool,
    ) {
        let site = self.site;
        let kind = match body {
            NewBody::Output(_) => Body::Output,
            NewBody::Items { .. } => Body::Items,
        };
        let bytes = NewStub {
            function: site.function,
            source_hash: site.source_hash,
            args: &self.args,
            body,
        }
        .to_bytes();
        // `match`, not closures, so that panics point at the caller (`#[track_caller]`).
        match stub_file::read::<B>(&bytes, site.source_hash, kind) {
            Ok(replayed) if matches(&replayed.body) => {}
            Ok(_) => panic!(
                "{}",
                message::unrecordable(site, &"it reads back as another value")
            ),
            Err(error) => panic!("{}", message::unrecordable(site, &error)),
        }
        if let Err(error) = store::write(&self.path, &bytes) {
            panic!("{}", message::unwritable(site, &self.path, &error));
        }
        usage::note(&self.path);
    }
}
