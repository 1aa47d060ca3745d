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
use crate::scope;
use crate::sequence::{self, Position, Turn};
use crate::slot::{Current, Slot};
use crate::stub_file::{Body, Recorded, Replayed, Staleness};
use crate::{migrate, nearest};
use serde::de::DeserializeOwned;
use std::path::PathBuf;

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
/// In replay mode, when there is no current stub (a [`Miss`], with `note` if given), or a
/// sequence has run out; in every mode that reads stubs, when the stub can't be used; in every
/// mode but passthrough, when an argument or a dependency can't be hashed, or a `sequence`
/// call is made on a thread of no test.
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
    let self_arg = (instance.self_key.as_ref()).map(|owner| args::arg("<Self>", owner));
    // A sequence counts the calls of one test, and keeps them in a stub of its own.
    let in_sequence = instance.site.definition.sequence;
    let test = in_sequence.then(|| {
        scope::current_test().unwrap_or_else(|| {
            Failure::NoTest {
                function: instance.function(),
            }
            .raise()
        })
    });
    let test_arg = test.as_ref().map(|test| args::arg("<test>", test));
    let args = || call.args.iter().chain(&self_arg).chain(&test_arg);
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
    let slot = Slot {
        instance,
        path: instance.folder.join(key.file_name()),
        depends,
    };
    let missing = match in_sequence {
        true => answer::<B>(&slot, mode, body),
        false => stub::<B>(&slot, mode, body),
    };
    let missing = match missing {
        Ok(stub) => return Found::Stub(stub, slot),
        Err(missing) => missing,
    };
    let args = args::to_json(args());
    if mode == Mode::Replay {
        miss(&slot, args, missing, note);
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
    let recording = Recording::new(slot, args);
    Found::Nothing(Some(match missing.position {
        Some(position) => recording.in_sequence(position),
        None => recording,
    }))
}

/// What was found where a stub was looked for and none could be replayed.
struct Missing {
    /// Why the stub there can't be replayed, when it is stale.
    stale: Option<Staleness>,
    /// Where cached-stubs 0.1 kept it, if it is there.
    in_0_1: Option<PathBuf>,
    /// In a sequence: the call's place, and how many answers come before it.
    position: Option<Position>,
    recorded: usize,
}

/// The stub of a call without `sequence`, or what is missing.
#[track_caller]
fn stub<B: DeserializeOwned>(slot: &Slot, mode: Mode, body: Body) -> Result<Replayed<B>, Missing> {
    let mut missing = Missing {
        stale: None,
        in_0_1: None,
        position: None,
        recorded: 0,
    };
    if mode == Mode::RecordAll {
        return Err(missing);
    }
    match slot.read::<B>(body) {
        Current::Stub(stub) => return Ok(stub),
        Current::Stale(staleness) => missing.stale = Some(staleness),
        Current::Missing => {
            missing.in_0_1 = migrate::old_stub(slot, body);
            if let Some(old) = &missing.in_0_1
                && mode == Mode::RecordMissing
            {
                if let Err(error) = migrate::move_into_place(slot, old) {
                    slot.instance.unwritable(&slot.path, &error);
                }
                if let Current::Stub(stub) = slot.read::<B>(body) {
                    return Ok(stub);
                }
            }
        }
    }
    Err(missing)
}

/// The recorded answer of the next call of a sequence, or what is missing.
#[track_caller]
fn answer<B: DeserializeOwned>(
    slot: &Slot,
    mode: Mode,
    body: Body,
) -> Result<Replayed<B>, Missing> {
    let (position, turn) = sequence::next_call(slot, mode);
    match turn {
        Turn::Answer(answer) => {
            let recorded = answer.recorded::<B>(body).and_then(|recorded| {
                Ok(Replayed {
                    body: recorded,
                    elapsed_ms: answer.elapsed_ms()?,
                    offsets_ms: answer.offsets_ms()?,
                    http: None,
                    recorded: Recorded::Current,
                })
            });
            recorded.map_err(|error| {
                let error = format!("answer {} of the sequence: {error}", position.index + 1);
                slot.instance.unreadable(&slot.path, &error)
            })
        }
        Turn::Unanswered { recorded, stale } => Err(Missing {
            stale,
            in_0_1: None,
            position: Some(position),
            recorded,
        }),
    }
}

/// Panics: replay found no stub for the call with `args` in `slot`.
#[track_caller]
fn miss(
    slot: &Slot,
    args: Vec<(&'static str, serde_json::Value)>,
    missing: Missing,
    note: Option<Note>,
) -> ! {
    let instance = slot.instance;
    if let Some(position) = missing.position.as_ref().filter(|_| missing.recorded > 0) {
        Failure::RanOut {
            function: instance.function(),
            args,
            file: shown(&slot.path),
            recorded: missing.recorded,
            call: position.index + 1,
            command: record_command("1"),
        }
        .raise();
    }
    let why = if let Some(staleness) = missing.stale {
        Why::Stale {
            source: staleness.source,
            depends: (staleness.depends.iter())
                .map(|name| described(name))
                .collect(),
        }
    } else if let Some(old) = missing.in_0_1 {
        Why::In01Layout { old: shown(&old) }
    } else {
        Why::nearest(&instance.folder, &args)
    };
    Failure::Miss(Box::new(Miss {
        function: instance.function(),
        args,
        expected: shown(&slot.path),
        why,
        note,
        command: record_command("1"),
    }))
    .raise()
}
