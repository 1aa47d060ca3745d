//! The serializer of the canonical encoding: each value as a tag and its payload.

use super::map::{Content, Map};
use super::{Error, Order, Sink};
use serde::ser::{self, Serialize};

/// The first byte of every encoded value.
pub(super) mod tag {
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

/// Writes one value's encoding into a sink, its sequences' items in `order`.
pub(super) struct Encoder<'s, S>(pub(super) &'s mut S, pub(super) Order);

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
    pub(super) fn json_number(self, text: &str) -> Result<(), Error> {
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
        ser::Serializer::serialize_str(Encoder(&mut *self.0, self.1), variant)?;
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
        let sink = Encoder(&mut *self.0, self.1);
        sink.tagged(tag::STRING, value.len() as u128)?;
        self.0.put(value.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        self.0.put(&[tag::SEQ]);
        for byte in value {
            Encoder(&mut *self.0, self.1).serialize_u8(*byte)?;
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
        let order = self.1;
        let sink = self.open_variant(variant)?;
        value.serialize(Encoder(&mut *sink, order))?;
        sink.put(&[tag::END]);
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'s, S>, Error> {
        self.0.put(&[tag::SEQ]);
        Ok(Seq::new(self.0, self.1, 1))
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
        let order = self.1;
        let sink = self.open_variant(variant)?;
        sink.put(&[tag::SEQ]);
        Ok(Seq::new(sink, order, 2))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'s, S>, Error> {
        Ok(Map::new(self.0, self.1, Content::Entries, 1))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Map<'s, S>, Error> {
        let content = match name {
            JSON_NUMBER => Content::JsonNumber,
            JSON_RAW_VALUE => Content::JsonRawValue,
            _ => Content::Entries,
        };
        Ok(Map::new(self.0, self.1, content, 1))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Map<'s, S>, Error> {
        let order = self.1;
        let sink = self.open_variant(variant)?;
        Ok(Map::new(sink, order, Content::Entries, 2))
    }
}

/// A sequence being written: items go straight to the sink, or, when their order doesn't
/// count, into a buffer, to be written sorted by their encodings.
pub(super) struct Seq<'s, S> {
    sink: &'s mut S,
    order: Order,
    /// End tags to write when done: 2 when the sequence is a variant's content.
    ends: usize,
    /// With [`Order::Ignored`], the items encoded so far, and where each ends.
    buffered: Option<(Vec<u8>, Vec<usize>)>,
}

impl<'s, S: Sink> Seq<'s, S> {
    fn new(sink: &'s mut S, order: Order, ends: usize) -> Self {
        let buffered = matches!(order, Order::Ignored).then(Default::default);
        Seq {
            sink,
            order,
            ends,
            buffered,
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match &mut self.buffered {
            Some((buffer, ends)) => {
                value.serialize(Encoder(buffer, self.order))?;
                ends.push(buffer.len());
                Ok(())
            }
            None => value.serialize(Encoder(&mut *self.sink, self.order)),
        }
    }

    fn close(mut self) -> Result<(), Error> {
        if let Some((buffer, ends)) = self.buffered.take() {
            let starts = std::iter::once(0).chain(ends.iter().copied());
            let mut items: Vec<&[u8]> = starts
                .zip(&ends)
                .map(|(start, &end)| &buffer[start..end])
                .collect();
            items.sort_unstable();
            items.into_iter().for_each(|item| self.sink.put(item));
        }
        for _ in 0..self.ends {
            self.sink.put(&[tag::END]);
        }
        Ok(())
    }
}

/// The four sequence-like serde traits all hand each element to [`Seq::item`].
macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<S: Sink> ser::$trait for Seq<'_, S> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);
