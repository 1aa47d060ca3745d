//! Server-sent events: an answer's bytes cut into events as they come, each event kept as a
//! stub item, and items written back as events.
//!
//! An item is the event's `data`: its JSON when it is JSON (but a JSON string), else its
//! text (`"[DONE]"`). An event that has more than data (an `event` name, an `id`, a `retry`),
//! or whose data would read as such an event, is kept whole, as an object of those fields:
//! `{"event": "message_start", "data": {...}}`. Comments (`: keep-alive`) are not kept.

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::{Map, Value};

/// The fields an event kept whole may have.
const EVENT_FIELDS: [&str; 4] = ["data", "event", "id", "retry"];

/// Cuts a stream's bytes into events, whatever chunks they come in.
#[derive(Default)]
pub struct Parser {
    /// The bytes of a line not yet ended.
    line: Vec<u8>,
    /// Whether the last byte seen was a `\r`, whose `\n` (if it comes) ends no other line.
    after_cr: bool,
    event: Event,
}

/// The fields of an event being read.
#[derive(Default)]
struct Event {
    data: Option<String>,
    name: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
}

impl Parser {
    /// Reads `chunk`, and returns the items of the events it ended.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Value> {
        let mut items = Vec::new();
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    let line = std::mem::take(&mut self.line);
                    items.extend(self.line_ended(&String::from_utf8_lossy(&line)));
                }
                byte => self.line.push(byte),
            }
        }
        items
    }

    /// Takes a whole line: an empty one ends the event.
    fn line_ended(&mut self, line: &str) -> Option<Value> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            return event.data.is_some().then(|| event.into_item());
        }
        let (field, value) = match line.split_once(':') {
            Some(("", _)) => return None,
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        let event = &mut self.event;
        match field {
            "data" => match &mut event.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => event.data = Some(value.to_string()),
            },
            "event" => event.name = Some(value.to_string()),
            "id" if !value.contains('\0') => event.id = Some(value.to_string()),
            "retry" => event.retry = value.parse().ok().or(event.retry),
            _ => {}
        }
        None
    }
}

impl Event {
    fn into_item(self) -> Value {
        let data = self.data.unwrap_or_default();
        let data = match serde_json::from_str::<Value>(&data) {
            Ok(Value::String(_)) | Err(_) => Value::String(data),
            Ok(json) => json,
        };
        if self.name.is_none() && self.id.is_none() && self.retry.is_none() && !is_whole(&data) {
            return data;
        }
        let mut whole = Map::new();
        whole.insert("data".into(), data);
        if let Some(name) = self.name {
            whole.insert("event".into(), name.into());
        }
        if let Some(id) = self.id {
            whole.insert("id".into(), id.into());
        }
        if let Some(retry) = self.retry {
            whole.insert("retry".into(), retry.into());
        }
        Value::Object(whole)
    }
}

/// Whether an item is an event kept whole: an object with `data`, and no key but an event's.
fn is_whole(item: &Value) -> bool {
    item.as_object().is_some_and(|object| {
        object.contains_key("data")
            && object
                .keys()
                .all(|key| EVENT_FIELDS.contains(&key.as_str()))
    })
}

/// The event an item was read from, as its bytes on the wire: `data: ...` and a blank line.
pub fn event(item: &Value) -> Bytes {
    let mut out = BytesMut::new();
    let data = match item {
        whole if is_whole(whole) => {
            for field in ["event", "id", "retry"] {
                match &whole[field] {
                    Value::Null => {}
                    Value::String(text) => put_line(&mut out, field, text),
                    other => put_line(&mut out, field, &other.to_string()),
                }
            }
            &whole["data"]
        }
        data => data,
    };
    let text = match data {
        Value::String(text) => text.clone(),
        json => json.to_string(),
    };
    for line in text.split('\n') {
        put_line(&mut out, "data", line);
    }
    out.put_u8(b'\n');
    out.freeze()
}

fn put_line(out: &mut BytesMut, field: &str, value: &str) {
    out.put_slice(field.as_bytes());
    out.put_slice(b": ");
    out.put_slice(value.as_bytes());
    out.put_u8(b'\n');
}

#[cfg(test)]
mod tests {
    use super::{Parser, event};
    use serde_json::{Value, json};

    fn items(chunks: &[&str]) -> Vec<Value> {
        let mut parser = Parser::default();
        chunks
            .iter()
            .flat_map(|chunk| parser.push(chunk.as_bytes()))
            .collect()
    }

    #[test]
    fn events_are_cut_out_whatever_chunks_they_come_in() {
        let stream = "data: {\"a\":1}\n\n: keep-alive\n\ndata: [DONE]\n\n";
        let whole = items(&[stream]);
        assert_eq!(whole, [json!({"a": 1}), json!("[DONE]")]);
        let bytewise: Vec<String> = stream.chars().map(String::from).collect();
        let bytewise: Vec<&str> = bytewise.iter().map(String::as_str).collect();
        assert_eq!(items(&bytewise), whole);
        assert_eq!(
            items(&["data: x\r\n\r", "\ndata:y\r\rdata: z\n"]),
            [json!("x"), json!("y")]
        );
    }

    #[test]
    fn items_write_back_as_the_events_they_were_read_from() {
        let stream = concat!(
            "event: message_start\nid: 7\ndata: {\"type\":\"start\"}\n\n",
            "data: first line\ndata: second\n\n",
            "data: \"quoted\"\n\n",
            "data: {\"data\":[1],\"event\":\"e\"}\n\n",
            "retry: 300\ndata: 1\n\n",
            "data: [DONE]\n\n",
        );
        let read = items(&[stream]);
        assert_eq!(
            read[0],
            json!({"event": "message_start", "id": "7", "data": {"type": "start"}})
        );
        assert_eq!(read[1], json!("first line\nsecond"));
        assert_eq!(read[2], json!("\"quoted\""));
        assert_eq!(read[3], json!({"data": {"data": [1], "event": "e"}}));
        let written: Vec<u8> = read.iter().flat_map(|item| event(item).to_vec()).collect();
        assert_eq!(String::from_utf8(written).unwrap(), stream);
    }
}
