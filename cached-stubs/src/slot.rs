//! The stub of one call: where it is, what it must have been recorded from to replay (the
//! function, the version of its tokens, the values it depends on), and reading it.

use crate::depends::DependencyHash;
use crate::failure::Failure;
use crate::report::shown;
use crate::site::Instance;
use crate::stub_file::{self, Body, Expected, Problem, Recorded, Replayed, Staleness};
use crate::{store, usage};
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// Where the stub of a call is, and what it must have been recorded from.
pub(crate) struct Slot {
    pub(crate) instance: &'static Instance,
    pub(crate) path: PathBuf,
    /// What the function depends on, as the call found it.
    pub(crate) depends: Vec<DependencyHash>,
}

/// The stub in a [`Slot`], as it is on disk.
pub(crate) enum Current<B> {
    /// Recorded from the function as it is now.
    Stub(Replayed<B>),
    Missing,
    /// Recorded from another version of the function, or with other dependencies.
    Stale(Staleness),
}

impl Slot {
    /// What this call's stub must have been recorded from.
    pub(crate) fn expected(&self) -> Expected<'_> {
        Expected {
            function: self.instance.function(),
            source_hash: self.instance.site.definition.source_hash,
            depends: &self.depends,
        }
    }

    /// Reads the stub, with a body of kind `body` read as `B`.
    ///
    /// # Panics
    ///
    /// When it can't be read or parsed (a broken stub is never taken for a missing one), or
    /// was recorded by another function, which would take this one's stubs for stale ones.
    #[track_caller]
    pub(crate) fn read<B: DeserializeOwned>(&self, body: Body) -> Current<B> {
        let instance = self.instance;
        let bytes = match store::read(&self.path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Current::Missing,
            Err(error) => instance.unreadable(&self.path, &error),
        };
        let expected = self.expected();
        let recorded = match stub_file::read::<B>(&bytes, expected, body) {
            Ok(stub) if stub.recorded == Recorded::Current => {
                usage::note(&self.path);
                return Current::Stub(stub);
            }
            Ok(stub) => stub.recorded,
            Err(error) => match stub_file::diagnose(&bytes, expected, &error) {
                Problem::Stale(staleness) => Recorded::Stale(staleness),
                Problem::ByAnotherFunction(other) => Recorded::ByAnotherFunction(other),
                problem => instance.unreadable(&self.path, &problem),
            },
        };
        match recorded {
            Recorded::Stale(staleness) => Current::Stale(staleness),
            Recorded::ByAnotherFunction(other) => Failure::SharedFolder {
                first: other,
                second: instance.function().to_string(),
                folder: shown(&instance.folder),
            }
            .raise(),
            Recorded::Current => unreachable!("a current stub is returned above"),
        }
    }
}
