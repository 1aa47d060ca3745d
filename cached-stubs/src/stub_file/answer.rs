//! One answer of a stub recorded with `sequence`, whose `"sequence"` holds an answer per
//! call, in order: an object with `"output"`, or `"items"` and perhaps `"offsets_ms"`, and
//! perhaps `"elapsed_ms"`, as a stub without `sequence` holds them at its top level.

use super::{Body, Field, NewBody};
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::fmt;

/// One answer of a sequence, its shape checked; its content is read as the function's types
/// when it is replayed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Answer(Map<String, Value>);

impl Answer {
    /// The answer of a new recording.
    pub(crate) fn of(body: &NewBody<'_>) -> Answer {
        let mut answer = Map::new();
        let elapsed_ms = match body {
            NewBody::Output { output, elapsed_ms } => {
                answer.insert(Field::Output.name().into(), (*output).clone());
                elapsed_ms
            }
            NewBody::Items {
                items,
                elapsed_ms,
                offsets_ms,
            } => {
                answer.insert(Field::Items.name().into(), Value::from(items.to_vec()));
                if let Some(offsets_ms) = offsets_ms {
                    answer.insert(
                        Field::OffsetsMs.name().into(),
                        Value::from(offsets_ms.to_vec()),
                    );
                }
                elapsed_ms
            }
            NewBody::Sequence(_) => unreachable!("a sequence's answer is one call's"),
        };
        if let Some(elapsed_ms) = elapsed_ms {
            answer.insert(Field::ElapsedMs.name().into(), Value::from(*elapsed_ms));
        }
        Answer(answer)
    }

    /// The answer as the stub holds it.
    pub(crate) fn as_json(&self) -> &Map<String, Value> {
        &self.0
    }

    /// What the answer recorded, of kind `body` (an output, or items), as `B`.
    pub(crate) fn recorded<B: DeserializeOwned>(&self, body: Body) -> Result<B, String> {
        read(self.field(body.field())?)
    }

    /// The items it recorded, if it recorded items; else its output.
    pub(crate) fn items_or_output(&self) -> Result<&[Value], &Value> {
        let items = self.0.get(Field::Items.name()).and_then(Value::as_array);
        items
            .map(Vec::as_slice)
            .ok_or_else(|| self.0.get(Field::Output.name()).unwrap_or(&Value::Null))
    }

    /// When each of its items came, if that was kept (checked against the items by the
    /// caller, as a stub's top-level `offsets_ms` are).
    pub(crate) fn offsets_ms(&self) -> Result<Option<Vec<u64>>, String> {
        self.0.get(Field::OffsetsMs.name()).map(read).transpose()
    }

    /// How long its call took, if that was kept.
    pub(crate) fn elapsed_ms(&self) -> Result<Option<u64>, String> {
        let elapsed = self.0.get(Field::ElapsedMs.name()).map(read).transpose()?;
        elapsed.map(super::within_longest_wait).transpose()
    }

    fn field(&self, field: Field) -> Result<&Value, String> {
        let kind = if self.0.contains_key(Field::Items.name()) {
            "items"
        } else {
            "an output"
        };
        self.0.get(field.name()).ok_or_else(|| {
            format!(
                "this answer holds {kind}, not \"{}\": record it again",
                field.name()
            )
        })
    }
}

/// `value` read as a `T`, without copying it.
fn read<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|error| error.to_string())
}

/// The fields an answer may hold.
const ANSWER_FIELDS: [Field; 4] = [
    Field::Output,
    Field::Items,
    Field::ElapsedMs,
    Field::OffsetsMs,
];

/// Their names, for the error that refuses another.
const ANSWER_FIELD_NAMES: [&str; 4] = [
    ANSWER_FIELDS[0].name(),
    ANSWER_FIELDS[1].name(),
    ANSWER_FIELDS[2].name(),
    ANSWER_FIELDS[3].name(),
];

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = Answer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer: an object of \"output\", or of \"items\" and \"offsets_ms\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answer, A::Error> {
        let mut answer = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if !Field::named(&name).is_some_and(|field| ANSWER_FIELDS.contains(&field)) {
                return Err(de::Error::unknown_field(&name, &ANSWER_FIELD_NAMES));
            }
            if answer.contains_key(&name) {
                return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
            }
            answer.insert(name, map.next_value()?);
        }
        let body = [Body::Output, Body::Items]
            .into_iter()
            .filter(|body| answer.contains_key(body.field().name()))
            .collect::<Vec<_>>();
        match body[..] {
            [Body::Items] => {}
            [Body::Output] if !answer.contains_key(Field::OffsetsMs.name()) => {}
            [Body::Output] => {
                return Err(de::Error::custom("\"offsets_ms\" goes with \"items\" only"));
            }
            _ => {
                return Err(de::Error::custom(
                    "an answer holds \"output\" or \"items\", one of them",
                ));
            }
        }
        Ok(Answer(answer))
    }
}
