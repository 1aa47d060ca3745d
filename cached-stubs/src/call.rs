//! One annotated call: find its stub, then replay it, or run the real function and record.

use crate::args::{self, Arg};
use crate::canonical;
use crate::flight::{self, Landed, Landing, Leader, Seat};
use crate::key::Key;
use crate::message::{self, Miss, Note};
use crate::mode::Mode;
use crate::nearest;
use crate::site::Site;
use crate::store;
use crate::stored::{Recordable, StoredPart};
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
pub enum Step<P, R> {
    /// What the stub holds, to return without running the real function.
    Replay(R),
    /// Run the real function, then hand its result to [`Run::finish`] (or [`Run::tee`]).
    Run(Run<P>),
}

/// A real call under way: records its result when the mode says so.
pub struct Run<P> {
    /// `None` in passthrough mode.
    pub(crate) recording: Option<Recording>,
    part: PhantomData<fn() -> P>,
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
/// `part` says what of the returned value is recorded (see `PickPart`).
///
/// # Panics
///
/// In replay mode, when the stub is missing or stale; in every mode that reads stubs, when
/// the stub can't be read or parsed. The real function is never called in those cases.
#[track_caller]
pub fn lookup<P: StoredPart<R>, R>(
    site: &'static Site,
    instance: &'static str,
    args: &[Arg<'_>],
    _part: P,
) -> Lookup<P, R>
where
    P::Stored: Recordable,
{
    let note = P::SKIPS_ERRORS.then_some(Note::ErrNeverRecorded);
    match look::<P::Stored>(site, instance, args, Body::Output, note) {
        Found::Stub(stub, _) => Lookup::ready(Step::Replay(P::replayed(stub.body))),
        Found::Nothing(None) => Lookup::ready(Step::Run(Run::new(None))),
        Found::Nothing(Some(recording)) => recording.board(),
    }
}

/// [`lookup`] for a call returning a stream or an iterator; `part` is its items'. Streams
/// and iterators don't share flights: a follower would wait for another sequence's end,
/// which its consumer may never reach first.
///
/// # Panics
///
/// As [`lookup`]; also when the stub's `offsets_ms` are not one per item, in order, within
/// an hour.
#[track_caller]
pub fn lookup_items<P: StoredPart<T>, T>(
    site: &'static Site,
    instance: &'static str,
    args: &[Arg<'_>],
    _part: P,
) -> Step<P, Items<T>>
where
    P::Stored: Recordable,
{
    let note = Some(Note::EndedSequencesOnly);
    match look::<Vec<P::Stored>>(site, instance, args, Body::Items, note) {
        Found::Stub(stub, path) => {
            if let Some(offsets_ms) = &stub.offsets_ms
                && let Err(problem) = stub_file::check_offsets(offsets_ms, stub.body.len())
            {
                panic!("{}", message::unreadable(site, &path, &problem));
            }
            Step::Replay(Items {
                items: stub.body.into_iter().map(P::replayed).collect(),
                offsets_ms: stub.offsets_ms,
            })
        }
        Found::Nothing(recording) => Step::Run(Run::new(recording)),
    }
}

/// A looked-up call returning a value: its [`Step`], or, while an identical call records
/// it in this process, the wait for that call to land.
pub struct Lookup<P, R> {
    state: Option<Waiting<P, R>>,
}

enum Waiting<P, R> {
    /// Decided.
    Ready(Step<P, R>),
    /// An identical call leads; once it lands, `then` replays what it recorded, if it did.
    Follows {
        landing: Landing,
        recording: Recording,
        then: fn(Recording, Landed) -> Lookup<P, R>,
    },
}

// `Lookup` never pins what it holds.
impl<P, R> Unpin for Lookup<P, R> {}

impl<P, R> Lookup<P, R> {
    fn ready(step: Step<P, R>) -> Self {
        Lookup {
            state: Some(Waiting::Ready(step)),
        }
    }

    /// Whether the call replays without waiting for anything: the real function need not
    /// even be started.
    pub fn replays(&self) -> bool {
        matches!(self.state, Some(Waiting::Ready(Step::Replay(_))))
    }

    /// The step, blocking the thread while an identical call leads. A call made inside the
    /// leading call's own real call, on its thread, runs and records on its own instead:
    /// waiting for its caller would never end.
    #[track_caller]
    pub fn wait(mut self) -> Step<P, R> {
        loop {
            match self.state.take().expect("a lookup is resolved once") {
                Waiting::Ready(step) => return step,
                Waiting::Follows {
                    landing,
                    recording,
                    then,
                } => {
                    let flight = landing.flight();
                    if flight.is_led_by_this_thread() {
                        return Step::Run(Run::new(Some(recording)));
                    }
                    let landed = flight.wait();
                    self = then(recording, landed);
                }
            }
        }
    }
}

impl<P, R> Future for Lookup<P, R> {
    type Output = Step<P, R>;

    /// The step, waiting without blocking while an identical call leads.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Step<P, R>> {
        let this = self.get_mut();
        loop {
            match this.state.take().expect("a lookup is resolved once") {
                Waiting::Ready(step) => return Poll::Ready(step),
                Waiting::Follows {
                    mut landing,
                    recording,
                    then,
                } => match Pin::new(&mut landing).poll(cx) {
                    Poll::Ready(landed) => *this = then(recording, landed),
                    Poll::Pending => {
                        this.state = Some(Waiting::Follows {
                            landing,
                            recording,
                            then,
                        });
                        return Poll::Pending;
                    }
                },
            }
        }
    }
}

/// After the leading call landed: the stub it wrote, or, when it wrote none, a flight of
/// our own. Only a stub written by the leader is replayed: under `RECORD=all` an older one
/// on disk is no answer.
#[track_caller]
fn landed<P: StoredPart<R>, R>(recording: Recording, landed: Landed) -> Lookup<P, R>
where
    P::Stored: Recordable,
{
    if landed == Landed::Wrote
        && let Some(replayed) = recording.replay_current::<P, R>()
    {
        return Lookup::ready(Step::Replay(replayed));
    }
    recording.board()
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
    instance: &'static str,
    args: &[Arg<'_>],
    body: Body,
    note: Option<Note>,
) -> Found<B> {
    let mode = Mode::current();
    if mode == Mode::Passthrough {
        return Found::Nothing(None);
    }
    // In a generic `impl`, its `Self` type is part of the key, as a generic parameter is.
    let self_type = args::self_type(instance);
    let self_arg = self_type.as_ref().map(|name| args::arg("<Self>", name));
    let args = || args.iter().chain(&self_arg);
    let key = match Key::of(args()) {
        Ok(key) => key,
        Err(error) => panic!("{}", message::unhashable(site, &error)),
    };
    let path = site.stub_path(key);
    let stale = mode != Mode::RecordAll
        && match read_current::<B>(site, &path, body) {
            Current::Stub(stub) => return Found::Stub(stub, path),
            Current::Missing => false,
            Current::Stale => true,
        };
    let args = args::to_json(args());
    if mode == Mode::Replay {
        let miss = if stale {
            Miss::Stale
        } else {
            Miss::NoStub(nearest::find(site.folder(), &args))
        };
        panic!("{}", message::miss(site, &path, &args, &miss, note));
    }
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
    match stub_file::read::<B>(&bytes, site.definition.source_hash, body) {
        Ok(stub) if stub.current => {
            usage::note(path);
            Current::Stub(stub)
        }
        Ok(_) => Current::Stale,
        Err(error) => match stub_file::diagnose(&bytes, site.definition.source_hash, &error) {
            Problem::Stale => Current::Stale,
            problem => panic!("{}", message::unreadable(site, path, &problem)),
        },
    }
}

impl<P> Run<P> {
    fn new(recording: Option<Recording>) -> Self {
        Run {
            recording,
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
            let output = match serde_json::to_value(stored) {
                Ok(output) => output,
                Err(error) => panic!("{}", message::unrecordable(recording.site, &error)),
            };
            let expected = canonical::fingerprint(stored).ok();
            recording.write(NewBody::Output(&output), |replayed: &P::Stored| {
                canonical::fingerprint(replayed).ok() == expected
            });
        }
        returned
    }
}

impl Recording {
    /// Boards the flight of this call's stub: leads it (and runs), or follows it and, once
    /// it lands, replays what it wrote. A call that leads replays instead if an identical
    /// call landed its stub since this one looked.
    #[track_caller]
    fn board<P: StoredPart<R>, R>(mut self) -> Lookup<P, R>
    where
        P::Stored: Recordable,
    {
        let state = match flight::board(&self.path) {
            Seat::Leader(leader) => {
                if Mode::current() != Mode::RecordAll
                    && let Some(replayed) = self.replay_current::<P, R>()
                {
                    return Lookup::ready(Step::Replay(replayed));
                }
                self.leader = Some(leader);
                Waiting::Ready(Step::Run(Run::new(Some(self))))
            }
            Seat::Follower(flight) => Waiting::Follows {
                landing: flight.landing(),
                recording: self,
                then: landed::<P, R>,
            },
        };
        Lookup { state: Some(state) }
    }

    /// What the stub of this call replays, if it is current now.
    #[track_caller]
    fn replay_current<P: StoredPart<R>, R>(&self) -> Option<R>
    where
        P::Stored: Recordable,
    {
        match read_current::<P::Stored>(self.site, &self.path, Body::Output) {
            Current::Stub(stub) => Some(P::replayed(stub.body)),
            Current::Missing | Current::Stale => None,
        }
    }

    /// Writes the stub, after checking that it reads back as `B` and `matches` the real
    /// result: a stub that would not replay the same value is worse than none.
    #[track_caller]
    pub(crate) fn write<B: DeserializeOwned>(
        mut self,
        body: NewBody<'_>,
        matches: impl FnOnce(&B) -> bool,
    ) {
        let site = self.site;
        let kind = body.kind();
        let bytes = NewStub {
            function: site.definition.function,
            source_hash: site.definition.source_hash,
            args: &self.args,
            body,
        }
        .to_bytes();
        // `match`, not closures, so that panics point at the caller (`#[track_caller]`).
        match stub_file::read::<B>(&bytes, site.definition.source_hash, kind) {
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
        if let Some(leader) = &mut self.leader {
            leader.wrote();
        }
        usage::note(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::{Lookup, Recording, Run, Step};
    use crate::mode::Mode;
    use crate::site::{Definition, Site};
    use crate::stored::Whole;

    /// A site whose stubs live in a folder of their own.
    fn site(dir: &std::path::Path) -> &'static Site {
        let dir = Box::leak(dir.to_string_lossy().into_owned().into_boxed_str());
        Box::leak(Box::new(Site::new(Definition {
            function: "call::tests::answer",
            module_path: "call::tests",
            name: "answer",
            source_hash: "0123456789abcdef0123456789abcdef",
            dir: Some(dir),
            manifest_dir: "/",
        })))
    }

    fn recording(site: &'static Site) -> Recording {
        Recording {
            site,
            path: site.folder().join("0123456789abcdef0123456789abcdef.json"),
            args: Vec::new(),
            leader: None,
        }
    }

    #[test]
    fn a_call_that_leads_replays_a_stub_landed_since_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(dir.path());
        // This call looked and found nothing; then an identical one recorded.
        let late = recording(site);
        Run::<Whole>::new(Some(recording(site))).finish(String::from("recorded"));
        let lookup: Lookup<Whole, String> = late.board();
        if Mode::current() == Mode::RecordAll {
            return assert!(!lookup.replays(), "RECORD=all records every call");
        }
        match lookup.wait() {
            Step::Replay(answer) => assert_eq!(answer, "recorded"),
            Step::Run(_) => panic!("the stub landed since the call looked is called again"),
        }
    }
}
