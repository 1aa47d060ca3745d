//! A value's lookup while recording: the call leads (makes the real call) or follows an
//! identical call in flight (see [`single_flight`](crate::single_flight)), and a follower
//! replays what its leader wrote once the leader is done, blocking a thread or awaiting.

use super::{Run, Step};
use crate::mode::Mode;
use crate::record::Recording;
use crate::single_flight::{self, Finished, Outcome, Role};
use crate::slot::Current;
use crate::stored::{Recordable, StoredPart};
use crate::stub_file::Body;
use crate::timing::{self, Timer};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// A looked-up call returning a value: its [`Step`], or, while an identical call records
/// it in this process, the wait for that call to be done.
pub struct Lookup<P, R> {
    state: Option<State<P, R>>,
}

enum State<P, R> {
    /// Decided.
    Ready(Step<P, R>),
    /// A replay, not before `due`: as long after the lookup as the real call took.
    Due {
        replay: Step<P, R>,
        due: Instant,
        timer: Timer,
    },
    /// An identical call leads; once it is done, `then` replays what it recorded, if it did.
    Follows {
        finished: Finished,
        recording: Recording,
        then: fn(Recording, Outcome) -> Lookup<P, R>,
    },
}

// `Lookup` never pins what it holds.
impl<P, R> Unpin for Lookup<P, R> {}

impl<P, R> Lookup<P, R> {
    pub(super) fn ready(step: Step<P, R>) -> Self {
        Lookup {
            state: Some(State::Ready(step)),
        }
    }

    /// A replay of `output`, which waits as long as the real call took (`elapsed_ms`, if
    /// kept) when `CACHED_STUBS_TIMING` is on.
    pub(super) fn replay_after(output: R, elapsed_ms: Option<u64>) -> Self {
        let replay = Step::Replay(output);
        let state = match elapsed_ms.filter(|_| timing::enabled()) {
            Some(ms) => State::Due {
                replay,
                due: timing::due(Instant::now(), ms, timing::speed()),
                timer: Timer::default(),
            },
            None => State::Ready(replay),
        };
        Lookup { state: Some(state) }
    }

    /// Whether the call replays without waiting for another call: the real function need
    /// not even be started.
    pub fn replays(&self) -> bool {
        matches!(
            self.state,
            Some(State::Ready(Step::Replay(_)) | State::Due { .. })
        )
    }

    /// The step, blocking the thread while an identical call leads. A call made inside the
    /// leading call's own real call, on its thread, runs and records on its own instead:
    /// waiting for its caller would never end.
    #[track_caller]
    pub fn wait(mut self) -> Step<P, R> {
        loop {
            match self.state.take().expect("a lookup is resolved once") {
                State::Ready(step) => return step,
                State::Due { replay, due, .. } => {
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    return replay;
                }
                State::Follows {
                    finished,
                    recording,
                    then,
                } => {
                    let flight = finished.flight();
                    if flight.is_led_by_this_thread() {
                        return Step::Run(Run::new(Some(recording)));
                    }
                    let outcome = flight.wait(recording.slot().instance.function());
                    self = then(recording, outcome);
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
                State::Ready(step) => return Poll::Ready(step),
                State::Due {
                    replay,
                    due,
                    mut timer,
                } => {
                    if due <= Instant::now() {
                        return Poll::Ready(replay);
                    }
                    timer.wake_at(due, cx.waker());
                    this.state = Some(State::Due { replay, due, timer });
                    return Poll::Pending;
                }
                State::Follows {
                    mut finished,
                    recording,
                    then,
                } => match Pin::new(&mut finished).poll(cx) {
                    Poll::Ready(outcome) => *this = then(recording, outcome),
                    Poll::Pending => {
                        this.state = Some(State::Follows {
                            finished,
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

/// Leads the call for `recording`'s stub (and runs), or follows the identical call in
/// flight and, once it is done, replays what it wrote. A call that leads replays instead if
/// an identical call wrote its stub since this one looked.
#[track_caller]
pub(super) fn lead_or_follow<P: StoredPart<R>, R>(mut recording: Recording) -> Lookup<P, R>
where
    P::Stored: Recordable,
{
    let state = match single_flight::join(&recording.slot().path) {
        Role::Leader(leader) => {
            if Mode::current() != Mode::RecordAll
                && let Some(replayed) = replay_current::<P, R>(&recording)
            {
                return Lookup::ready(Step::Replay(replayed));
            }
            recording.lead(leader);
            State::Ready(Step::Run(Run::new(Some(recording))))
        }
        Role::Follower(flight) => State::Follows {
            finished: flight.finished(),
            recording,
            then: after_leader::<P, R>,
        },
    };
    Lookup { state: Some(state) }
}

/// After the leading call is done: the stub it wrote, or, when it wrote none, a lead of our
/// own. Only a stub written by the leader is replayed: under `RECORD=all` an older one on
/// disk is no answer.
#[track_caller]
fn after_leader<P: StoredPart<R>, R>(recording: Recording, outcome: Outcome) -> Lookup<P, R>
where
    P::Stored: Recordable,
{
    if outcome == Outcome::Wrote
        && let Some(replayed) = replay_current::<P, R>(&recording)
    {
        return Lookup::ready(Step::Replay(replayed));
    }
    lead_or_follow(recording)
}

/// What the stub of `recording`'s call replays, if it is current now.
#[track_caller]
fn replay_current<P: StoredPart<R>, R>(recording: &Recording) -> Option<R>
where
    P::Stored: Recordable,
{
    match recording.slot().read::<P::Stored>(Body::Output) {
        Current::Stub(stub) => Some(P::replayed(stub.body)),
        Current::Missing | Current::Stale(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::lead_or_follow;
    use crate::call::{Lookup, Run, Step};
    use crate::mode::Mode;
    use crate::record::Recording;
    use crate::site::{Definition, Site};
    use crate::slot::Slot;
    use crate::stored::Whole;

    /// A site whose stubs live in a folder of their own.
    fn site(dir: &std::path::Path) -> &'static Site {
        let dir = Box::leak(dir.to_string_lossy().into_owned().into_boxed_str());
        Box::leak(Box::new(Site::new(Definition {
            module_path: "call::tests",
            name: "answer",
            source_hash: "0123456789abcdef0123456789abcdef",
            dir: Some(dir),
            manifest_dir: "/",
            package: "cached-stubs",
            sequence: false,
            allow_secret: &[],
        })))
    }

    fn recording(site: &'static Site) -> Recording {
        let instance = site.instance("call::tests::answer::{{closure}}");
        let slot = Slot {
            instance,
            path: instance
                .folder
                .join("0123456789abcdef0123456789abcdef.json"),
            depends: Vec::new(),
        };
        Recording::new(slot, Vec::new())
    }

    #[test]
    fn a_call_that_leads_replays_a_stub_written_since_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(dir.path());
        // This call looked and found nothing; then an identical one recorded.
        let late = recording(site);
        Run::<Whole>::new(Some(recording(site))).finish(String::from("recorded"));
        let lookup: Lookup<Whole, String> = lead_or_follow(late);
        if Mode::current() == Mode::RecordAll {
            return assert!(!lookup.replays(), "RECORD=all records every call");
        }
        match lookup.wait() {
            Step::Replay(answer) => assert_eq!(answer, "recorded"),
            Step::Run(_) => panic!("the stub written since the call looked is called again"),
        }
    }
}
