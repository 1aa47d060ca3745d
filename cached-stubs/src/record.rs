//! Recording a real call: what its stub needs while the real function runs, and writing it
//! once the result is known, after checking that it reads back as the same value.

use crate::failure::Failure;
use crate::secrets::refuse_secrets;
use crate::sequence::Position;
use crate::single_flight::Leader;
use crate::slot::Slot;
use crate::stub_file::{self, Answer, Body, NewBody, NewStub, Replayed};
use crate::{store, usage};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Everything needed to write a stub once the real result is known; owns its data, so the
/// real function can take its arguments by value while it runs.
pub(crate) struct Recording {
    slot: Slot,
    args: Vec<(&'static str, Value)>,
    /// The call this one leads, if identical calls may wait for it: told when the stub is
    /// written, and done when this is dropped.
    leader: Option<Leader>,
    /// Its place in a `sequence`, whose answers the stub holds, one per call.
    position: Option<Position>,
    /// Whether the stub was written; a sequence's answer that wasn't leaves a gap.
    written: bool,
}

impl Recording {
    /// The recording of a call whose stub goes in `slot`, with `args` as JSON.
    pub(crate) fn new(slot: Slot, args: Vec<(&'static str, Value)>) -> Self {
        Recording {
            slot,
            args,
            leader: None,
            position: None,
            written: false,
        }
    }

    /// The recording of the call at `position` of a sequence.
    pub(crate) fn in_sequence(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// Whether this call is one of a sequence's.
    pub(crate) fn is_in_sequence(&self) -> bool {
        self.position.is_some()
    }

    pub(crate) fn slot(&self) -> &Slot {
        &self.slot
    }

    /// Makes this the recording of the call that identical calls wait for.
    pub(crate) fn lead(&mut self, leader: Leader) {
        self.leader = Some(leader);
    }

    /// `value` as the JSON its stub holds.
    ///
    /// # Panics
    ///
    /// When it can't be represented as JSON.
    #[track_caller]
    pub(crate) fn to_json<V: Serialize + ?Sized>(&self, value: &V) -> Value {
        match serde_json::to_value(value) {
            Ok(json) => json,
            Err(error) => self.unrecordable(&error),
        }
    }

    /// Panics: the result can't be recorded, for the reason `error` gives.
    #[track_caller]
    pub(crate) fn unrecordable(&self, error: &dyn std::fmt::Display) -> ! {
        Failure::Unrecordable {
            function: self.slot.instance.function(),
            error: error.to_string(),
        }
        .raise()
    }

    /// Writes the stub, after checking that it holds no secret, and that it reads back as `B`
    /// and `matches` the real result: a stub that would not replay the same value is worse
    /// than none.
    ///
    /// # Panics
    ///
    /// When it would hold a secret that the function doesn't allow, when it would not read
    /// back, when it would be larger than a replay reads, or when the file can't be written.
    #[track_caller]
    pub(crate) fn write<B: DeserializeOwned>(
        mut self,
        body: NewBody<'_>,
        matches: impl FnOnce(&B) -> bool,
    ) {
        let slot = &self.slot;
        let definition = &slot.instance.site.definition;
        let function = slot.instance.function();
        refuse_secrets(function, &self.args, &body, definition.allow_secret);
        let kind = body.kind();
        // A sequence's stub holds every answer so far: none is written after a gap.
        let answers = match &self.position {
            Some(position) => match position.answers_with(Answer::of(&body)) {
                Some(answers) => Some(answers),
                None => return,
            },
            None => None,
        };
        let body = match &answers {
            Some(answers) => NewBody::Sequence(answers),
            None => body,
        };
        let bytes = NewStub {
            function,
            source_hash: definition.source_hash,
            depends: &slot.depends,
            allow_secret: definition.allow_secret,
            args: &self.args,
            http: None,
            body,
        }
        .to_bytes();
        // `match`, not closures, so that panics point at the caller (`#[track_caller]`).
        let read_back = match &self.position {
            Some(position) => {
                stub_file::read::<Vec<Answer>>(&bytes, slot.expected(), Body::Sequence)
                    .map_err(|error| error.to_string())
                    .and_then(|stub| stub.body[position.index].recorded::<B>(kind))
            }
            None => stub_file::read::<B>(&bytes, slot.expected(), kind)
                .map(|replayed: Replayed<B>| replayed.body)
                .map_err(|error| error.to_string()),
        };
        match read_back {
            Ok(replayed) if matches(&replayed) => {}
            Ok(_) => self.unrecordable(&"it reads back as another value"),
            Err(error) => self.unrecordable(&error),
        }
        if bytes.len() as u64 > store::MAX_STUB_BYTES {
            Failure::TooLarge {
                function: self.slot.instance.function(),
                bytes: bytes.len(),
                limit: store::MAX_STUB_BYTES,
            }
            .raise();
        }
        if let Err(error) = store::write(&slot.path, &bytes) {
            slot.instance.unwritable(&slot.path, &error);
        }
        if let Some(leader) = &mut self.leader {
            leader.wrote();
        }
        if let (Some(position), Some(answers)) = (&self.position, answers) {
            position.written(answers);
        }
        self.written = true;
        usage::note(&self.slot.path);
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(position) = self.position.as_ref().filter(|_| !self.written) {
            position.leave_unrecorded();
        }
    }
}
