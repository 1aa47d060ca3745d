//! Identical calls that answer differently (polling, retries, agent loops): a function
//! recorded with `sequence` keeps an answer per call in one stub per test and argument set,
//! and a test's calls count from the first. This process remembers, for each such stub,
//! how many calls were made and which answers are recorded: read from the file at the first
//! call (unless `RECORD=all` records them all again), then each new one added as it is
//! recorded.
//!
//! A call whose answer is not recorded (an `Err` without `record_err`, a panic, a stream
//! dropped early) leaves a gap: the answers after it are not written, since they would be
//! taken for its.

use crate::lock::lock;
use crate::mode::Mode;
use crate::slot::{Current, Slot};
use crate::stub_file::{Answer, Body, Staleness};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

/// The answers of one sequence stub, as this process knows them.
struct Sequence {
    state: Mutex<State>,
}

struct State {
    /// The calls made so far: the position of the next.
    calls: usize,
    /// The answers recorded, in order: the file's, then those recorded since.
    answers: Vec<Answer>,
    /// Why the file's answers don't count, when it was stale.
    stale: Option<Staleness>,
    /// The first call whose answer was not recorded here: none after it is written.
    gap: Option<usize>,
}

/// A call's place in its sequence.
pub(crate) struct Position {
    sequence: Arc<Sequence>,
    /// Counting from 0.
    pub(crate) index: usize,
}

/// What a call in a sequence finds.
pub(crate) enum Turn {
    /// Its answer, recorded.
    Answer(Answer),
    /// No answer for it: `recorded` answers come before it, and the file had none current
    /// when `stale` says why.
    Unanswered {
        recorded: usize,
        stale: Option<Staleness>,
    },
}

/// The sequences this process has read or recorded, by stub path.
static SEQUENCES: LazyLock<Mutex<HashMap<PathBuf, Arc<Sequence>>>> = LazyLock::new(Mutex::default);

/// The next call of the sequence in `slot`, and what it finds.
///
/// # Panics
///
/// When the stub can't be read (see [`Slot::read`]).
#[track_caller]
pub(crate) fn next_call(slot: &Slot, mode: Mode) -> (Position, Turn) {
    let sequence = {
        let mut sequences = lock(&SEQUENCES);
        match sequences.get(&slot.path) {
            Some(sequence) => Arc::clone(sequence),
            None => {
                let sequence = Arc::new(Sequence::read(slot, mode));
                sequences.insert(slot.path.clone(), Arc::clone(&sequence));
                sequence
            }
        }
    };
    let turn = {
        let mut state = lock(&sequence.state);
        let index = state.calls;
        state.calls += 1;
        let turn = match state.answers.get(index) {
            Some(answer) => Turn::Answer(answer.clone()),
            None => Turn::Unanswered {
                recorded: state.answers.len(),
                stale: state.stale.take(),
            },
        };
        (index, turn)
    };
    let (index, turn) = turn;
    (Position { sequence, index }, turn)
}

impl Sequence {
    /// The sequence as the file in `slot` has it: none of its answers under `RECORD=all`,
    /// which records them all again.
    #[track_caller]
    fn read(slot: &Slot, mode: Mode) -> Sequence {
        let (answers, stale) = match mode {
            Mode::RecordAll => (Vec::new(), None),
            _ => match slot.read::<Vec<Answer>>(Body::Sequence) {
                Current::Stub(stub) => (stub.body, None),
                Current::Missing => (Vec::new(), None),
                Current::Stale(staleness) => (Vec::new(), Some(staleness)),
            },
        };
        Sequence {
            state: Mutex::new(State {
                calls: 0,
                answers,
                stale,
                gap: None,
            }),
        }
    }
}

impl Position {
    /// Every answer to write once `answer` is recorded as this call's, in order; none when a
    /// call before it left a gap. See [`Position::written`].
    pub(crate) fn answers_with(&self, answer: Answer) -> Option<Vec<Answer>> {
        let state = lock(&self.sequence.state);
        if state.gap.is_some_and(|gap| gap < self.index) || state.answers.len() < self.index {
            return None;
        }
        let mut answers = state.answers[..self.index].to_vec();
        answers.push(answer);
        Some(answers)
    }

    /// Notes that `answers` are written, this call's last.
    pub(crate) fn written(&self, answers: Vec<Answer>) {
        lock(&self.sequence.state).answers = answers;
    }

    /// Notes that this call's answer was not recorded.
    pub(crate) fn leave_unrecorded(&self) {
        let mut state = lock(&self.sequence.state);
        if state.answers.len() <= self.index {
            state.gap = Some(state.gap.map_or(self.index, |gap| gap.min(self.index)));
        }
    }
}
