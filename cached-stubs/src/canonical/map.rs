//! Maps and structs in the canonical encoding: entries are encoded into one buffer, then
//! written sorted by their encoded keys, so neither `HashMap` order nor field order matter.

use super::encoder::{Encoder, tag};
use super::{Error, Order, Sink, encode_as, scratch};
use serde::ser::{self, Serialize};

/// What a map or struct being written holds.
pub(super) enum Content {
    /// Entries, sorted when done.
    Entries,
    /// serde_json's one-field struct for a number's text.
    JsonNumber,
    /// serde_json's one-field struct for a raw JSON text.
    JsonRawValue,
}

/// A map or struct being written: entries are encoded into one buffer, then written to the
/// sink sorted by their encoded keys.
pub(super) struct Map<'s, S> {
    sink: &'s mut S,
    /// The order of the sequences in its keys and values.
    order: Order,
    content: Content,
    /// End tags to write when done: 2 when the map is a variant's content.
    ends: usize,
    buffer: Vec<u8>,
    /// No value end yet while the value is awaited.
    entries: Vec<Entry>,
}

impl<'s, S: Sink> Map<'s, S> {
    pub(super) fn new(sink: &'s mut S, order: Order, content: Content, ends: usize) -> Self {
        let (buffer, entries) = scratch::take();
        Map {
            sink,
            order,
            content,
            ends,
            buffer,
            entries,
        }
    }

    fn awaits_value(&self) -> bool {
        self.entries.last().is_some_and(|entry| entry.2.is_none())
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        if self.awaits_value() {
            return Err(Error("a map key was serialized without a value".into()));
        }
        let start = self.buffer.len();
        encode_as(key, &mut self.buffer, self.order)?;
        self.entries.push((start, self.buffer.len(), None));
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.awaits_value() {
            return Err(Error("a map value was serialized without a key".into()));
        }
        encode_as(value, &mut self.buffer, self.order)?;
        let end = self.buffer.len();
        if let Some(entry) = self.entries.last_mut() {
            entry.2 = Some(end);
        }
        Ok(())
    }

    /// A field of one of serde_json's private structs: the text it holds is the value.
    fn json_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let text = match value.serialize(serde_json::value::Serializer) {
            Ok(serde_json::Value::String(text)) => text,
            _ => return Err(Error("serde_json's private struct holds no text".into())),
        };
        match self.content {
            Content::JsonNumber => Encoder(&mut *self.sink, self.order).json_number(&text),
            _ => {
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(ser::Error::custom)?;
                encode_as(&value, self.sink, self.order)
            }
        }
    }

    fn close(mut self) -> Result<(), Error> {
        if !matches!(self.content, Content::Entries) {
            return Ok(());
        }
        if self.awaits_value() {
            return Err(Error("a map key was serialized without a value".into()));
        }
        let buffer = &self.buffer;
        let end = |entry: &Entry| entry.2.unwrap_or(entry.1);
        let key = |entry: &Entry| &buffer[entry.0..entry.1];
        let whole = |entry: &Entry| &buffer[entry.0..end(entry)];
        self.entries
            .sort_unstable_by(|a, b| key(a).cmp(key(b)).then_with(|| whole(a).cmp(whole(b))));
        self.sink.put(&[tag::MAP]);
        for entry in &self.entries {
            self.sink.put(whole(entry));
        }
        for _ in 0..self.ends {
            self.sink.put(&[tag::END]);
        }
        Ok(())
    }
}

impl<S> Drop for Map<'_, S> {
    fn drop(&mut self) {
        scratch::give(
            std::mem::take(&mut self.buffer),
            std::mem::take(&mut self.entries),
        );
    }
}

/// Each entry of a map being written as (key start, value start, value end) in its buffer.
pub(super) type Entry = (usize, usize, Option<usize>);

impl<S: Sink> ser::SerializeMap for Map<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStruct for Map<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self.content {
            Content::Entries => {
                self.key(name)?;
                self.value(value)
            }
            Content::JsonNumber | Content::JsonRawValue => self.json_field(value),
        }
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeStructVariant for Map<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(name)?;
        self.value(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}
