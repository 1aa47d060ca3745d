//! The canonical encoding's properties, by example and by proptest.

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
                prop::collection::btree_map("[ab]{0,1}", inner.clone(), 0..3).prop_map(Data::Map),
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

#[test]
fn a_fingerprint_takes_a_sequence_in_any_order_where_a_key_does_not() {
    let (forward, backward) = (vec![1, 2, 3], vec![3, 2, 1]);
    assert_ne!(bytes(&forward), bytes(&backward));
    assert_eq!(
        super::fingerprint(&forward).unwrap(),
        super::fingerprint(&backward).unwrap()
    );
    let nested = |list: Vec<u8>| BTreeMap::from([("set", list)]);
    assert_eq!(
        super::fingerprint(&nested(vec![1, 2])).unwrap(),
        super::fingerprint(&nested(vec![2, 1])).unwrap()
    );
    assert_ne!(
        super::fingerprint(&vec![1, 2]).unwrap(),
        super::fingerprint(&vec![1, 2, 2]).unwrap()
    );
}
