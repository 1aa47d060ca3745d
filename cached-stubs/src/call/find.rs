//! Finding a call's stub: its key and [`Slot`], and whether the file there can be replayed,
//! is missing or stale, or can't be used at all. A replay that finds none fails here.

use super::Call;
use crate::args;
use crate::depends::{self, described};
use crate::failure::{self, Failure, Miss, Note, Why};
use crate::key::{Key, KeyError};
use crate::mode::Mode;
use crate::record::Recording;
use crate::report::{record_command, shown};
use crate::slot::{Current, Slot};
use crate::stub_file::{Body, Replayed};
use crate::{migrate, nearest};
use serde::de::DeserializeOwned;

/// What looking for a stub found.
pub(super) enum Found<B> {
    /// A current stub, to replay, and where it is.
    Stub(Replayed<B>, Slot),
    /// None to replay: run the real function, recording it unless in passthrough mode.
    Nothing(Option<Recording>),
}

/// Looks for the stub of `call`, whose body is read as `B`.
///
/// # Panics
///
/// In replay mode, when there is no current stub (a [`Miss`], with `note` if given); in every
/// mode that reads stubs, when the stub can't be used; in every mode but passthrough, when an
/// argument or a dependency can't be hashed.
#[track_caller]
pub(super) fn find<B: DeserializeOwned>(
    call: Call<'_>,
    body: Body,
    note: Option<Note>,
) -> Found<B> {
    let mode = Mode::current();
    if mode == Mode::Passthrough {
        return Found::Nothing(None);
    }
    let instance = call.site.instance(call.instance);
    // When one function has several instances, which one is part of the key.
    let self_arg = instance
        .identity
        .self_key
        .as_ref()
        .map(|owner| args::arg("<Self>", owner));
    let args = || call.args.iter().chain(&self_arg);
    let unhashable = |error: KeyError, dependency: bool| -> ! {
        Failure::Unhashable {
            function: instance.function(),
            name: error.arg,
            dependency,
            error: error.error.to_string(),
        }
        .raise()
    };
    let key = Key::of(args()).unwrap_or_else(|error| unhashable(error, false));
    let depends = depends::hashes(call.depends).unwrap_or_else(|error| unhashable(error, true));
    let file_name = key.file_name();
    let slot = Slot {
        instance,
        path: instance.folder.join(&file_name),
        depends,
    };
    let mut in_0_1 = None;
    let current = match mode {
        Mode::RecordAll => Current::Missing,
        _ => slot.read::<B>(body),
    };
    let stale = match current {
        Current::Stub(stub) => return Found::Stub(stub, slot),
        Current::Stale(staleness) => Some(staleness),
        Current::Missing => {
            in_0_1 = (mode != Mode::RecordAll)
                .then(|| migrate::old_stub(&slot, &file_name, body))
                .flatten();
            if let Some(old) = &in_0_1
                && mode == Mode::RecordMissing
            {
                if let Err(error) = migrate::move_into_place(&slot, old) {
                    instance.unwritable(&slot.path, &error);
                }
                if let Current::Stub(stub) = slot.read::<B>(body) {
                    return Found::Stub(stub, slot);
                }
            }
            None
        }
    };
    let args = args::to_json(args());
    if mode == Mode::Replay {
        let why = if let Some(staleness) = stale {
            Why::Stale {
                source: staleness.source,
                depends: staleness
                    .depends
                    .iter()
                    .map(|name| described(name))
                    .collect(),
            }
        } else if let Some(old) = in_0_1 {
            Why::In01Layout { old: shown(&old) }
        } else {
            match nearest::find(&instance.folder, &args) {
                Some(nearest) => Why::OtherArguments {
                    nearest: shown(&nearest.path),
                    differences: nearest.differences,
                    only_order: nearest.only_order,
                },
                None => Why::NoStubYet,
            }
        };
        Failure::Miss(Box::new(Miss {
            function: instance.function(),
            args,
            expected: shown(&slot.path),
            why,
            note,
            command: record_command("1"),
        }))
        .raise();
    }
    if let Some(reordered) = nearest::same_but_for_order(&instance.folder, &args) {
        eprintln!(
            "cached-stubs: recording `{}` for arguments that differ from those of {} only \
             in order; {}, and a `Vec` in another order may be meant",
            instance.function(),
            shown(&reordered),
            failure::ONLY_ORDER
        );
    }
    Found::Nothing(Some(Recording::new(slot, args)))
}
