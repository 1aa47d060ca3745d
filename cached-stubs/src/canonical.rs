//! The canonical encoding of argument values that stub keys are hashed from.
//!
//! It encodes serde's data model the way JSON sees it, made exact and independent of order:
//!
//! - integers of every width are one kind: `5u8`, `5i64` and `5u128` encode alike;
//! - floats are encoded by their `f64` bits (an `f32` widens exactly), every NaN as one
//!   NaN; `0.0` and `-0.0` stay different, as they print differently;
//! - a `char` is a one-character string, bytes are a sequence of integers, `()` and unit
//!   structs are null, newtype structs are their content; `None` is null too, but `Some(x)`
//!   is marked, so `Some(None)` is not `None`;
//! - structs and maps are both maps, and a map's entries are sorted by their encoded keys, so
//!   `HashMap` iteration order, serde_json's `preserve_order` and field order don't matter;
//!   keys may be any value, not only strings;
//! - enum variants are named, never numbered: `{"Variant": content}`, or the bare name for a
//!   unit variant;
//! - serde_json's `arbitrary_precision` numbers and `RawValue`s encode as the numbers and
//!   values they hold, so that feature doesn't change keys either.
//!
//! Every value encodes to a self-delimiting byte string (a tag, then a varint, a
//! length-prefixed payload, or items closed by an end tag), so a sequence of encodings
//! never reads as another sequence. Sequences are kept in order: a `HashSet`, which
//! serializes as one, would give a new key in every process, which is why the attribute
//! refuses `HashSet` arguments.

use serde::ser::{self, Serialize};
use std::fmt;

/// Where encoded bytes go: a key's hasher, or a buffer while map entries wait to be sorted.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Feeds a blake3 hasher through a buffer: blake3 is fastest fed large pieces, and the
/// encoding writes many small ones. It borrows the hasher, which is 2 KB to move.
pub struct HashSink<'h> {
    hasher: &'h mut blake3::Hasher,
    /// A blake3 chunk: updates of this size or more go to the hasher directly.
    buffer: [u8; 1024],
    len: usize,
}

impl<'h> HashSink<'h> {
    pub(crate) fn new(hasher: &'h mut blake3::Hasher) -> HashSink<'h> {
        HashSink {
            hasher,
            buffer: [0; 1024],
            len: 0,
        }
    }

    /// Feeds the hasher what is still buffered.
    pub(crate) fn finish(self) {
        self.hasher.update(&self.buffer[..self.len]);
    }
}

impl Sink for HashSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buffer.len() {
            self.hasher.update(&self.buffer[..self.len]);
            self.len = 0;
            if bytes.len() > self.buffer.len() {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// The first byte of every encoded value.
mod tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    pub const UINT: u8 = 3;
    pub const NEGATIVE_INT: u8 = 4;
    pub const FLOAT: u8 = 5;
    pub const STRING: u8 = 6;
    pub const SEQ: u8 = 7;
    pub const MAP: u8 = 8;
    pub const END: u8 = 9;
    pub const SOME: u8 = 10;
}

/// The struct names serde_json gives a number under `arbitrary_precision`, and a `RawValue`.
const JSON_NUMBER: &str = "$serde_json::private::Number";
const JSON_RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Writes the canonical encoding of `value` into `sink`.
pub(crate) fn encode<T: Serialize + ?Sized, S: Sink>(value: &T, sink: &mut S) -> Result<(), Error> {
    value.serialize(Encoder(sink))
}

/// Feeds a value's canonical encoding to `hasher`; encodings are self-delimiting, so values
/// fed one after another hash as the sequence they are.
pub(crate) fn add<T: Serialize + ?Sized>(
    hasher: &mut blake3::Hasher,
    value: &T,
) -> Result<(), Error> {
    let mut sink = HashSink::new(hasher);
    encode(value, &mut sink)?;
    sink.finish();
    Ok(())
}

/// A blake3 hash of a value's canonical encoding: equal for values a key can't tell apart.
pub(crate) fn fingerprint<T: Serialize + ?Sized>(value: &T) -> Result<blake3::Hash, Error> {
    let mut hasher = blake3::Hasher::new();
    add(&mut hasher, value)?;
    Ok(hasher.finalize())
}

/// A value's `Serialize` implementation reported an error, or misused the serializer.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

struct Encoder<'s, S>(&'s mut S);

impl<'s, S: Sink> Encoder<'s, S> {
    /// A tag, then `value` in LEB128: 7 bits a byte, low bits first, high bit set on all
    /// but the last byte.
    fn tagged(self, tag: u8, mut value: u128) -> Result<(), Error> {
        let mut bytes = [0; 20];
        bytes[0] = tag;
        let mut len = 1;
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            bytes[len] = if value == 0 { low } else { low | 0x80 };
            len += 1;
            if value == 0 {
                break;
            }
        }
        self.0.put(&bytes[..len]);
        Ok(())
    }

    fn signed(self, value: i128) -> Result<(), Error> {
        match u128::try_from(value) {
            Ok(value) => self.tagged(tag::UINT, value),
            Err(_) => self.tagged(tag::NEGATIVE_INT, value.unsigned_abs() - 1),
        }
    }

    fn float(self, value: f64) -> Result<(), Error> {
        let value = if value.is_nan() { f64::NAN } else { value };
        self.0.put(&[tag::FLOAT]);
        self.0.put(&value.to_bits().to_le_bytes());
        Ok(())
    }

    /// A number as serde_json's `arbitrary_precision` writes it: the value its text holds,
    /// as serde_json without the feature would read it.
    fn json_number(self, text: &str) -> Result<(), Error> {
        if let Ok(value) = text.parse::<u64>() {
            self.tagged(tag::UINT, value.into())
        } else if let Ok(value) = text.parse::<i64>() {
            self.signed(value.into())
        } else {
            let value: f64 = text
                .parse()
                .map_err(|_| Error(format!("{text:?} is not a number")))?;
            self.float(value)
        }
    }

    /// Opens `{variant: ...}`; the caller writes the content and one extra end tag.
    fn open_variant(self, variant: &str) -> Result<&'s mut S, Error> {
        self.0.put(&[tag::MAP]);
        ser::Serializer::serialize_str(Encoder(&mut *self.0), variant)?;
        Ok(self.0)
    }
}

impl<'s, S: Sink> ser::Serializer for Encoder<'s, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'s, S>;
    type SerializeTuple = Seq<'s, S>;
    type SerializeTupleStruct = Seq<'s, S>;
    type SerializeTupleVariant = Seq<'s, S>;
    type SerializeMap = Map<'s, S>;
    type SerializeStruct = Map<'s, S>;
    type SerializeStructVariant = Map<'s, S>;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.0.put(&[if value { tag::TRUE } else { tag::FALSE }]);
        Ok(())
    }

    fn serialize_i8(self, value: i8) -> Result<(), Error> {
        self.signed(value.into())
    }

    fn serialize_i16(self, value: i16) -> Result<(), Error> {
        self.signed(value.into())
    }

    fn serialize_i32(self, value: i32) -> Result<(), Error> {
        self.signed(value.into())
    }

    fn serialize_i64(self, value: i64) -> Result<(), Error> {
        self.signed(value.into())
    }

    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        self.signed(value)
    }

    fn serialize_u8(self, value: u8) -> Result<(), Error> {
        self.tagged(tag::UINT, value.into())
    }

    fn serialize_u16(self, value: u16) -> Result<(), Error> {
        self.tagged(tag::UINT, value.into())
    }

    fn serialize_u32(self, value: u32) -> Result<(), Error> {
        self.tagged(tag::UINT, value.into())
    }

    fn serialize_u64(self, value: u64) -> Result<(), Error> {
        self.tagged(tag::UINT, value.into())
    }

    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        self.tagged(tag::UINT, value)
    }

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        self.float(value.into())
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        self.float(value)
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        let sink = Encoder(&mut *self.0);
        sink.tagged(tag::STRING, value.len() as u128)?;
        self.0.put(value.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        self.0.put(&[tag::SEQ]);
        for byte in value {
            Encoder(&mut *self.0).serialize_u8(*byte)?;
        }
        self.0.put(&[tag::END]);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.0.put(&[tag::SOME]);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.0.put(&[tag::NULL]);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let sink = self.open_variant(variant)?;
        value.serialize(Encoder(&mut *sink))?;
        sink.put(&[tag::END]);
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'s, S>, Error> {
        self.0.put(&[tag::SEQ]);
        Ok(Seq {
            sink: self.0,
            ends: 1,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Seq<'s, S>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'s, S>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'s, S>, Error> {
        let sink = self.open_variant(variant)?;
        sink.put(&[tag::SEQ]);
        Ok(Seq { sink, ends: 2 })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'s, S>, Error> {
        Ok(Map::new(self.0, Content::Entries, 1))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Map<'s, S>, Error> {
        let content = match name {
            JSON_NUMBER => Content::JsonNumber,
            JSON_RAW_VALUE => Content::JsonRawValue,
            _ => Content::Entries,
        };
        Ok(Map::new(self.0, content, 1))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Map<'s, S>, Error> {
        let sink = self.open_variant(variant)?;
        Ok(Map::new(sink, Content::Entries, 2))
    }
}

/// A sequence being written: items go straight to the sink.
pub(crate) struct Seq<'s, S> {
    sink: &'s mut S,
    /// End tags to write when done: 2 when the sequence is a variant's content.
    ends: usize,
}

impl<S: Sink> Seq<'_, S> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Encoder(&mut *self.sink))
    }

    fn close(self) -> Result<(), Error> {
        for _ in 0..self.ends {
            self.sink.put(&[tag::END]);
        }
        Ok(())
    }
}

impl<S: Sink> ser::SerializeSeq for Seq<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTuple for Seq<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleStruct for Seq<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<S: Sink> ser::SerializeTupleVariant for Seq<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// What a map or struct being written holds.
enum Content {
    /// Entries, sorted when done.
    Entries,
    /// serde_json's one-field struct for a number's text.
    JsonNumber,
    /// serde_json's one-field struct for a raw JSON text.
    JsonRawValue,
}

/// A map or struct being written: entries are encoded into one buffer, then written to the
/// sink sorted by their encoded keys.
pub(crate) struct Map<'s, S> {
    sink: &'s mut S,
    content: Content,
    /// End tags to write when done: 2 when the map is a variant's content.
    ends: usize,
    buffer: Vec<u8>,
    /// No value end yet while the value is awaited.
    entries: Vec<Entry>,
}

impl<'s, S: Sink> Map<'s, S> {
    fn new(sink: &'s mut S, content: Content, ends: usize) -> Self {
        let (buffer, entries) = scratch::take();
        Map {
            sink,
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
        encode(key, &mut self.buffer)?;
        self.entries.push((start, self.buffer.len(), None));
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.awaits_value() {
            return Err(Error("a map value was serialized without a key".into()));
        }
        encode(value, &mut self.buffer)?;
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
            Content::JsonNumber => Encoder(&mut *self.sink).json_number(&text),
            _ => {
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(ser::Error::custom)?;
                encode(&value, self.sink)
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
type Entry = (usize, usize, Option<usize>);

/// The buffers of finished maps, kept for the next ones: a list of structs would otherwise
/// grow a new buffer, reallocation after reallocation, for each of them.
mod scratch {
    use super::Entry;
    use std::cell::RefCell;

    thread_local! {
        static FREE: RefCell<Vec<(Vec<u8>, Vec<Entry>)>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn take() -> (Vec<u8>, Vec<Entry>) {
        FREE.with_borrow_mut(Vec::pop).unwrap_or_default()
    }

    /// Keeps a few buffers, none larger than 64 KiB.
    pub(super) fn give(mut buffer: Vec<u8>, mut entries: Vec<Entry>) {
        if buffer.capacity() > 1 << 16 {
            return;
        }
        buffer.clear();
        entries.clear();
        FREE.with_borrow_mut(|free| {
            if free.len() < 16 {
                free.push((buffer, entries));
            }
        });
    }
}

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

#[cfg(test)]
mod tests {
    use super::encode;
    use serde::Serialize;
    use serde::ser::{SerializeMap, SerializeStruct, Serializer};
    use std::collections::{BTreeMap, HashMap};

    fn bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(value, &mut out).unwrap();
        out
    }

    #[test]
    fn integers_of_every_width_encode_alike() {
        assert_eq!(bytes(&5u8), bytes(&5i64));
        assert_eq!(bytes(&5u8), bytes(&5u128));
        assert_eq!(bytes(&-5i8), bytes(&-5i128));
        assert_ne!(bytes(&5i32), bytes(&-5i32));
        assert_ne!(bytes(&u128::MAX), bytes(&u64::MAX));
        assert_ne!(bytes(&i128::MIN), bytes(&i64::MIN));
    }

    #[test]
    fn floats_are_encoded_by_bits_with_one_nan() {
        assert_eq!(bytes(&0.5f32), bytes(&0.5f64));
        assert_eq!(bytes(&f64::NAN), bytes(&-f64::NAN));
        assert_eq!(bytes(&f64::NAN), bytes(&f32::NAN));
        assert_eq!(
            bytes(&f64::NAN),
            bytes(&f64::from_bits(0x7ff0_0000_0000_0001))
        );
        assert_ne!(bytes(&0.0f64), bytes(&-0.0f64));
        assert_ne!(bytes(&1.0f64), bytes(&1u8));
        assert_ne!(bytes(&0.1f64), bytes(&0.1f32));
    }

    #[test]
    fn values_follow_the_json_data_model() {
        #[derive(Serialize)]
        struct Wrapper(String);
        #[derive(Serialize)]
        struct Point {
            x: i32,
            y: i32,
        }
        assert_eq!(bytes(&'a'), bytes("a"));
        assert_eq!(bytes(&None::<u8>), bytes(&()));
        assert_eq!(bytes(&Wrapper("w".into())), bytes("w"));
        assert_eq!(bytes(&(1, 2)), bytes(&[1, 2]));
        let point = Point { x: 1, y: -2 };
        let map = BTreeMap::from([("y", -2), ("x", 1)]);
        assert_eq!(bytes(&point), bytes(&map));
        assert_eq!(bytes(&Bytes(vec![1, 2])), bytes(&[1u8, 2]));
    }

    #[test]
    fn options_are_marked() {
        assert_ne!(bytes(&Some(3)), bytes(&3));
        assert_ne!(bytes(&Some(None::<u8>)), bytes(&None::<Option<u8>>));
        assert_ne!(bytes(&Some(())), bytes(&None::<()>));
        assert_eq!(bytes(&Some(&3)), bytes(&Some(3u64)));
    }

    #[test]
    fn serde_json_private_structs_encode_as_what_they_hold() {
        // What serde_json's `arbitrary_precision` and `RawValue` serialize.
        struct Private(&'static str, &'static str);
        impl Serialize for Private {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut fields = serializer.serialize_struct(self.0, 1)?;
                fields.serialize_field(self.0, self.1)?;
                fields.end()
            }
        }
        let number = |text| Private("$serde_json::private::Number", text);
        assert_eq!(bytes(&number("42")), bytes(&42u8));
        assert_eq!(bytes(&number("-7")), bytes(&-7i32));
        assert_eq!(bytes(&number("1.5")), bytes(&1.5f64));
        assert_eq!(bytes(&number("1e2")), bytes(&100.0f64));
        let raw = Private(
            "$serde_json::private::RawValue",
            r#"{"b": [1, 2.5], "a": null}"#,
        );
        let value = serde_json::json!({"a": null, "b": [1, 2.5]});
        assert_eq!(bytes(&raw), bytes(&value));
    }

    #[test]
    fn a_map_key_without_a_value_is_an_error() {
        struct KeyOnly;
        impl Serialize for KeyOnly {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_key("lonely")?;
                map.end()
            }
        }
        let error = encode(&KeyOnly, &mut Vec::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a map key was serialized without a value"
        );
    }

    #[test]
    fn variants_are_named() {
        #[derive(Serialize)]
        enum Model {
            Small,
            Sized(u32),
            Pair(u32, u32),
            Named { size: u32 },
        }
        assert_eq!(bytes(&Model::Small), bytes("Small"));
        assert_eq!(
            bytes(&Model::Sized(7)),
            bytes(&BTreeMap::from([("Sized", 7)]))
        );
        assert_eq!(
            bytes(&Model::Pair(1, 2)),
            bytes(&BTreeMap::from([("Pair", [1, 2])]))
        );
        assert_eq!(
            bytes(&Model::Named { size: 3 }),
            bytes(&BTreeMap::from([("Named", BTreeMap::from([("size", 3)]))]))
        );
    }

    #[test]
    fn maps_ignore_order_and_accept_any_key() {
        let entries: Vec<(u32, String)> = (0..64).map(|i| (i, format!("v{i}"))).collect();
        let btree: BTreeMap<_, _> = entries.iter().cloned().collect();
        let hash: HashMap<_, _> = entries.iter().cloned().collect();
        assert_eq!(bytes(&btree), bytes(&hash));

        let nested = HashMap::from([((1, 2), HashMap::from([("a", 1), ("b", 2)]))]);
        let nested_sorted = BTreeMap::from([((1, 2), BTreeMap::from([("b", 2), ("a", 1)]))]);
        assert_eq!(bytes(&nested), bytes(&nested_sorted));
    }

    #[test]
    fn a_map_serialized_in_any_order_encodes_alike() {
        // What serde_json's `preserve_order` does to a `Value`: same entries, another order.
        struct InOrder(Vec<(&'static str, u32)>);
        impl Serialize for InOrder {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (key, value) in &self.0 {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
        let forward = InOrder(vec![("a", 1), ("b", 2), ("c", 3)]);
        let backward = InOrder(vec![("c", 3), ("a", 1), ("b", 2)]);
        assert_eq!(bytes(&forward), bytes(&backward));
    }

    #[test]
    fn encodings_are_self_delimiting() {
        // A string holding what looks like an encoding, or items that could be regrouped,
        // never collide with another value.
        assert_ne!(bytes(&("ab", "c")), bytes(&("a", "bc")));
        assert_ne!(bytes(&vec![vec![1], vec![]]), bytes(&vec![vec![], vec![1]]));
        assert_ne!(bytes(&[Some(1), None]), bytes(&[None, Some(1)]));
        let map = BTreeMap::from([("a", "b")]);
        assert_ne!(bytes(&map), bytes(&["a", "b"]));
    }

    #[test]
    fn a_failing_serialize_impl_is_an_error() {
        struct Refuses;
        impl Serialize for Refuses {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("not today"))
            }
        }
        let error = encode(&Refuses, &mut Vec::new()).unwrap_err();
        assert_eq!(error.to_string(), "not today");
    }

    /// Bytes that serialize through `serialize_bytes`, as `serde_bytes` makes them.
    struct Bytes(Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }

    /// Properties over generated values of serde's data model, from small domains so that
    /// random pairs are often equal.
    mod properties {
        use super::bytes;
        use proptest::prelude::*;
        use serde::{Serialize, Serializer};
        use std::collections::{BTreeMap, HashMap};

        /// A value as serde serializes it, including what JSON can't hold.
        #[derive(Clone, Debug, Serialize)]
        #[serde(untagged)]
        enum Data {
            Unit,
            Bool(bool),
            Int(i64),
            Big(u128),
            Float(f64),
            Text(String),
            Maybe(Option<Box<Data>>),
            List(Vec<Data>),
            Map(BTreeMap<String, Data>),
            Keyed(BTreeMap<u16, Data>),
        }

        /// What the encoding promises to tell apart, and nothing more: integers by value
        /// whatever their type, floats by bits with one NaN, maps as sets of entries.
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
        enum Meaning {
            Null,
            Bool(bool),
            Int(bool, u128),
            Float(u64),
            Text(String),
            Some(Box<Meaning>),
            List(Vec<Meaning>),
            Map(Vec<(Meaning, Meaning)>),
        }

        fn meaning(data: &Data) -> Meaning {
            let int = |value: i128| Meaning::Int(value < 0, value.unsigned_abs());
            let map = |entries: Vec<(Meaning, Meaning)>| {
                let mut entries = entries;
                entries.sort();
                Meaning::Map(entries)
            };
            match data {
                Data::Unit | Data::Maybe(None) => Meaning::Null,
                Data::Bool(value) => Meaning::Bool(*value),
                Data::Int(value) => int((*value).into()),
                Data::Big(value) => Meaning::Int(false, *value),
                Data::Float(value) => Meaning::Float(if value.is_nan() {
                    f64::NAN.to_bits()
                } else {
                    value.to_bits()
                }),
                Data::Text(text) => Meaning::Text(text.clone()),
                Data::Maybe(Some(inner)) => Meaning::Some(Box::new(meaning(inner))),
                Data::List(items) => Meaning::List(items.iter().map(meaning).collect()),
                Data::Map(entries) => map(entries
                    .iter()
                    .map(|(k, v)| (Meaning::Text(k.clone()), meaning(v)))
                    .collect()),
                Data::Keyed(entries) => map(entries
                    .iter()
                    .map(|(k, v)| (int((*k).into()), meaning(v)))
                    .collect()),
            }
        }

        fn data() -> impl Strategy<Value = Data> {
            let float = prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(1.5),
                Just(f64::NAN),
                Just(-f64::NAN),
                any::<f64>()
            ];
            let leaf = prop_oneof![
                Just(Data::Unit),
                Just(Data::Maybe(None)),
                any::<bool>().prop_map(Data::Bool),
                (-2i64..3).prop_map(Data::Int),
                prop_oneof![0u128..3, Just(u128::MAX)].prop_map(Data::Big),
                float.prop_map(Data::Float),
                "[ab]{0,2}".prop_map(Data::Text),
            ];
            leaf.prop_recursive(3, 16, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Data::List),
                    prop::collection::btree_map("[ab]{0,1}", inner.clone(), 0..3)
                        .prop_map(Data::Map),
                    prop::collection::btree_map(0u16..3, inner.clone(), 0..3).prop_map(Data::Keyed),
                    inner.prop_map(|data| Data::Maybe(Some(Box::new(data)))),
                ]
            })
        }

        /// The same value, spelled another way: other integer types, `Unit` for `None`.
        fn respelled(data: &Data) -> Data {
            match data {
                Data::Int(value) if *value >= 0 => Data::Big(*value as u128),
                Data::Big(value) if *value <= i64::MAX as u128 => Data::Int(*value as i64),
                Data::Unit => Data::Maybe(None),
                Data::Maybe(None) => Data::Unit,
                Data::Maybe(Some(inner)) => Data::Maybe(Some(Box::new(respelled(inner)))),
                Data::List(items) => Data::List(items.iter().map(respelled).collect()),
                Data::Map(entries) => Data::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), respelled(v)))
                        .collect(),
                ),
                Data::Keyed(entries) => {
                    Data::Keyed(entries.iter().map(|(k, v)| (*k, respelled(v))).collect())
                }
                other => other.clone(),
            }
        }

        /// A map serialized in the order given, as serde_json's `preserve_order` would.
        struct InOrder(Vec<(String, Data)>);

        impl Serialize for InOrder {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }

        proptest! {
            #[test]
            fn values_encode_alike_exactly_when_they_mean_the_same(a in data(), b in data()) {
                prop_assert_eq!(bytes(&a) == bytes(&b), meaning(&a) == meaning(&b));
            }

            #[test]
            fn another_spelling_of_a_value_encodes_alike(a in data()) {
                prop_assert_eq!(bytes(&a), bytes(&respelled(&a)));
            }

            #[test]
            fn a_map_encodes_alike_in_any_order_and_container(
                entries in prop::collection::btree_map("[a-z]{0,3}", data(), 0..8),
                rotation in 0usize..8,
            ) {
                let mut in_order: Vec<(String, Data)> = entries.clone().into_iter().collect();
                let rotation = rotation.min(in_order.len());
                in_order.rotate_left(rotation);
                in_order.reverse();
                let hashed: HashMap<String, Data> = entries.clone().into_iter().collect();
                prop_assert_eq!(bytes(&entries), bytes(&hashed));
                prop_assert_eq!(bytes(&entries), bytes(&InOrder(in_order)));
            }

            #[test]
            fn floats_are_told_apart_by_bits_but_for_nan(x in any::<u64>(), y in any::<u64>()) {
                let (a, b) = (f64::from_bits(x), f64::from_bits(y));
                prop_assert_eq!(bytes(&a) == bytes(&b), (a.is_nan() && b.is_nan()) || x == y);
            }

            #[test]
            fn integers_encode_alike_whatever_their_width(value in any::<i64>()) {
                prop_assert_eq!(bytes(&value), bytes(&i128::from(value)));
                if let Ok(unsigned) = u64::try_from(value) {
                    prop_assert_eq!(bytes(&value), bytes(&unsigned));
                    prop_assert_eq!(bytes(&value), bytes(&u128::from(unsigned)));
                }
            }
        }
    }
}
