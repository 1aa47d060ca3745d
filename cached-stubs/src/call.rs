//! One annotated call: find its stub, then replay it, or run the real function and record.

use crate::args::{self, Arg};
use crate::canonical;
use crate::key::Key;
use crate::message::{self, Miss};
use crate::mode::Mode;
use crate::nearest;
use crate::shape::Shape;
use crate::site::Site;
use crate::store;
use crate::stub_file::{self, NewStub, Problem, Replayed};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::marker::PhantomData;
use std::path::PathBuf;

/// What a call does once its stub has been looked for.
pub enum Step<S, R> {
    /// The stub's output, to return without running the real function.
    Replay(R),
    /// Run the real function, then hand its result to [`Run::finish`].
    Run(Run<S>),
}

/// A real call under way: records its result when the mode says so.
pub struct Run<S> {
    recording: Option<Recording>,
    shape: PhantomData<fn() -> S>,
}

/// Everything needed to write a stub once the real result is known; owns its data, so the
/// real function can take its arguments by value while it runs.
struct Recording {
    site: &'static Site,
    path: PathBuf,
    args: Vec<(&'static str, Value)>,
}

/// Looks for the stub of a call and decides, by [`Mode`], what happens next.
///
/// # Panics
///
/// In replay mode, when the stub is missing or stale; in every mode that reads stubs, when
/// the stub can't be read or parsed. The real function is never called in those cases.
#[track_caller]
pub fn lookup<S: Shape<R>, R>(site: &'static Site, args: &[Arg<'_>]) -> Step<S, R> {
    let mode = Mode::current();
    if mode == Mode::Passthrough {
        return Step::Run(Run::new(None));
    }
    let key = match Key::of(args) {
        Ok(key) => key,
        Err(error) => panic!("{}", message::unhashable(site, &error)),
    };
    let path = site.stub_path(key);
    if mode != Mode::RecordAll {
        let stale = match store::read(&path) {
            Err(error) => panic!("{}", message::unreadable(site, &path, &error)),
            Ok(None) => false,
            Ok(Some(bytes)) => match stub_file::read::<S::Stored>(&bytes, site.source_hash) {
                Ok(Replayed {
                    output,
                    current: true,
                }) => return Step::Replay(S::replayed(output)),
                Ok(Replayed { current: false, .. }) => true,
                Err(error) => match stub_file::diagnose(&bytes, site.source_hash, &error) {
                    Problem::Stale => true,
                    problem => panic!("{}", message::unreadable(site, &path, &problem)),
                },
            },
        };
        if mode == Mode::Replay {
            let args = args::to_json(args);
            let miss = if stale {
                Miss::Stale
            } else {
                Miss::NoStub(nearest::find(site.folder(), &args))
            };
            panic!(
                "{}",
                message::miss(site, &path, &args, &miss, S::SKIPS_ERRORS)
            );
        }
    }
    let args = args::to_json(args);
    Step::Run(Run::new(Some(Recording { site, path, args })))
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
    /// When the result can't be written as JSON that reads back as its type, or the stub
    /// can't be written.
    #[track_caller]
    pub fn finish<R>(self, returned: R) -> R
    where
        S: Shape<R>,
    {
        if let (Some(recording), Some(stored)) = (self.recording, S::stored(&returned)) {
            recording.write(stored);
        }
        returned
    }
}

impl Recording {
    #[track_caller]
    fn write<T: Serialize + DeserializeOwned>(self, stored: &T) {
        let site = self.site;
        // `match`, not closures, so that panics point at the caller (`#[track_caller]`).
        let output = match serde_json::to_value(stored) {
            Ok(output) => output,
            Err(error) => panic!("{}", message::unrecordable(site, &error)),
        };
        let bytes = NewStub {
            function: site.function,
            source_hash: site.source_hash,
            args: &self.args,
            output: &output,
        }
        .to_bytes();
        // A stub that would not replay the same value is worse than none: check first.
        match stub_file::read::<T>(&bytes, site.source_hash) {
            Ok(replayed) if canonical::same(stored, &replayed.output) => {}
            Ok(_) => panic!(
                "{}",
                message::unrecordable(site, &"it reads back as another value")
            ),
            Err(error) => panic!("{}", message::unrecordable(site, &error)),
        }
        if let Err(error) = store::write(&self.path, &bytes) {
            panic!("{}", message::unwritable(site, &self.path, &error));
        }
    }
}
