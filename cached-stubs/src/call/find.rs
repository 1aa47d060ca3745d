//! Finding a call's stub: its key and path, and whether the file there can be replayed, is
//! missing or stale, or can't be used at all. A replay that finds none fails here.

use crate::args::{self, Arg};
use crate::failure::{Failure, Miss, Note, Why};
use crate::key::Key;
use crate::mode::Mode;
use crate::record::Recording;
use crate::report::{record_command, shown};
use crate::site::{Instance, Site};
use crate::stub_file::{self, Body, Problem, Recorded, Replayed};
use crate::{migrate, nearest};
use crate::{store, usage};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// What looking for a stub found.
pub(super) enum Found<B> {
    /// A current stub, to replay, and where it is.
    Stub(Replayed<B>, &'static Instance, PathBuf),
    /// None to replay: run the real function, recording it unless in passthrough mode.
    Nothing(Option<Recording>),
}

/// Looks for the stub of a call with `args` of the function at `site`, whose body is read
/// as `B`; `instance` names the instance called (see [`Site::instance`]).
///
/// # Panics
///
/// In replay mode, when there is no current stub (a [`Miss`], with `note` if given); in every
/// mode that reads stubs, when the stub can't be used.
#[track_caller]
pub(super) fn find<B: DeserializeOwned>(
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
    let instance = site.instance(instance);
    // When one function has several instances, which one is part of the key.
    let self_arg = instance
        .identity
        .self_key
        .as_ref()
        .map(|owner| args::arg("<Self>", owner));
    let args = || args.iter().chain(&self_arg);
    let key = match Key::of(args()) {
        Ok(key) => key,
        Err(error) => Failure::Unhashable {
            function: instance.function(),
            arg: error.arg,
            error: error.error.to_string(),
        }
        .raise(),
    };
    let file_name = key.file_name();
    let path = instance.folder.join(&file_name);
    let mut in_0_1 = None;
    let stale = mode != Mode::RecordAll
        && match read_current::<B>(instance, &path, body) {
            Current::Stub(stub) => return Found::Stub(stub, instance, path),
            Current::Missing => {
                in_0_1 = migrate::old_stub(instance, &file_name, body);
                if let Some(old) = &in_0_1
                    && mode == Mode::RecordMissing
                {
                    if let Err(error) = migrate::move_into_place(instance, old, &path) {
                        instance.unwritable(&path, &error);
                    }
                    if let Current::Stub(stub) = read_current::<B>(instance, &path, body) {
                        return Found::Stub(stub, instance, path);
                    }
                }
                false
            }
            Current::Stale => true,
        };
    let args = args::to_json(args());
    if mode == Mode::Replay {
        let why = if stale {
            Why::Stale
        } else if let Some(old) = in_0_1 {
            Why::In01Layout { old: shown(&old) }
        } else {
            match nearest::find(&instance.folder, &args) {
                Some(nearest) => Why::OtherArguments {
                    nearest: shown(&nearest.path),
                    differences: nearest.differences,
                },
                None => Why::NoStubYet,
            }
        };
        Failure::Miss(Box::new(Miss {
            function: instance.function(),
            args,
            expected: shown(&path),
            why,
            note,
            command: record_command("1"),
        }))
        .raise();
    }
    Found::Nothing(Some(Recording::new(instance, path, args)))
}

/// A stub as it is on disk.
pub(super) enum Current<B> {
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
/// When it can't be read or parsed (a broken stub is never taken for a missing one), or was
/// recorded by another function, which would take this one's stubs for stale ones.
#[track_caller]
pub(super) fn read_current<B: DeserializeOwned>(
    instance: &'static Instance,
    path: &Path,
    body: Body,
) -> Current<B> {
    let bytes = match store::read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Current::Missing,
        Err(error) => instance.unreadable(path, &error),
    };
    let expected = instance.expected();
    let recorded = match stub_file::read::<B>(&bytes, expected, body) {
        Ok(stub) => match stub.recorded {
            Recorded::Current => {
                usage::note(path);
                return Current::Stub(stub);
            }
            recorded => recorded,
        },
        Err(error) => match stub_file::diagnose(&bytes, expected, &error) {
            Problem::Stale => Recorded::Stale,
            Problem::ByAnotherFunction(other) => Recorded::ByAnotherFunction(other),
            problem => instance.unreadable(path, &problem),
        },
    };
    match recorded {
        Recorded::ByAnotherFunction(other) => Failure::SharedFolder {
            first: other,
            second: instance.function().to_string(),
            folder: shown(path.parent().unwrap_or(path)),
        }
        .raise(),
        _ => Current::Stale,
    }
}
