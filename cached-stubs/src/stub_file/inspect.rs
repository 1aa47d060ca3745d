//! A stub read without the types it was recorded from, as `cargo stubs` reads it: as strictly
//! as a replay, with its body as plain JSON.

use super::{
    Answer, Body, Expected, Field, Http, check_offsets, diagnose, read, recorded_args,
    recorded_depends,
};
use serde_json::Value;

/// A stub, as read without its types.
pub struct Inspected {
    /// The path of the function that recorded it.
    pub function: String,
    /// The hash of that function's tokens when it recorded.
    pub source_hash: String,
    /// The hash of each value it depended on, by the expression as written; none when it
    /// had none.
    pub depends: Vec<(String, String)>,
    /// The paths its `allow_secret(...)` allows, none when it has no such option.
    pub allow_secret: Vec<String>,
    /// Its arguments, in declaration order.
    pub args: Vec<(String, Value)>,
    /// The status and content type of an HTTP answer `cached-stubs-server` recorded.
    pub http: Option<Http>,
    /// What it recorded.
    pub body: InspectedBody,
    /// How long the call took (to start its stream, for items), if that was kept.
    pub elapsed_ms: Option<u64>,
}

/// What a stub recorded.
pub enum InspectedBody {
    /// A value.
    Output(Value),
    /// The items of a stream or an iterator, and when each came, if that was kept.
    Items {
        /// The items, in order.
        items: Vec<Value>,
        /// When each item came, in milliseconds from the first poll.
        offsets_ms: Option<Vec<u64>>,
    },
    /// The answers of a function recorded with `sequence`, one per call, in order.
    Sequence(Vec<InspectedBody>),
}

/// Reads the bytes of a stub as a replay does, but for the types; says what is wrong with
/// it as a replay would.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, String> {
    let whole: Value = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let body = whole.as_object().map_or(Body::Output, Body::of);
    // Any function, any version: what it was recorded from doesn't matter here.
    let anything = Expected {
        function: "",
        source_hash: "",
        depends: &[],
    };
    let diagnosed = |error| diagnose(bytes, anything, &error).to_string();
    let text = |field: Field| match whole.get(field.name()) {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(format!("\"{}\" is not a string", field.name())),
    };
    let args = recorded_args(bytes).ok_or("\"args\" is not an object")?;
    // Checked by `read`: the hashes are strings.
    let depends = recorded_depends(bytes)
        .into_iter()
        .map(|(name, hash)| (name, hash.as_str().unwrap_or_default().to_string()))
        .collect();
    let (body, http, elapsed_ms) = match body {
        Body::Sequence => {
            let answers = read::<Vec<Answer>>(bytes, anything, body).map_err(diagnosed)?;
            let answers = answers.body.iter().map(inspected);
            let answers = InspectedBody::Sequence(answers.collect::<Result<_, _>>()?);
            (answers, None, None)
        }
        body => {
            let replayed = read::<Value>(bytes, anything, body).map_err(diagnosed)?;
            let answer = match (body, replayed.body) {
                (Body::Items, Value::Array(items)) => {
                    if let Some(offsets_ms) = &replayed.offsets_ms {
                        check_offsets(offsets_ms, items.len()).map_err(|p| p.to_string())?;
                    }
                    InspectedBody::Items {
                        items,
                        offsets_ms: replayed.offsets_ms,
                    }
                }
                (Body::Items, _) => return Err("\"items\" is not an array".to_string()),
                (_, output) => InspectedBody::Output(output),
            };
            (answer, replayed.http, replayed.elapsed_ms)
        }
    };
    // An array of strings, as the strict reading checked.
    let allow_secret = match whole.get(Field::AllowSecret.name()) {
        Some(Value::Array(paths)) => paths
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Inspected {
        function: text(Field::Function)?,
        source_hash: text(Field::SourceHash)?,
        depends,
        allow_secret,
        args,
        http,
        body,
        elapsed_ms,
    })
}

/// One answer, as read without its types, its offsets checked.
fn inspected(answer: &Answer) -> Result<InspectedBody, String> {
    match answer.recorded::<Vec<Value>>(Body::Items) {
        Ok(items) => {
            let offsets_ms = answer.offsets_ms()?;
            if let Some(offsets_ms) = &offsets_ms {
                check_offsets(offsets_ms, items.len()).map_err(|p| p.to_string())?;
            }
            Ok(InspectedBody::Items { items, offsets_ms })
        }
        Err(_) => answer.recorded(Body::Output).map(InspectedBody::Output),
    }
}
