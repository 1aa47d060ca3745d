//! Annotated functions as a user writes them, replayed from the stubs committed under
//! `stubs/record_replay/`. Those stubs were recorded by running this file with `RECORD=1`;
//! the last test proves it by recording them again and comparing bytes.

use cached_stubs::cached_stub;
use cached_stubs_suite::{assert_committed_stubs_are_recorded_again, only_file};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A sync function of a borrowed string, returning a plain value.
#[cached_stub]
fn summarize(text: &str, max_words: usize) -> String {
    #![allow(clippy::needless_return)]
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= max_words {
        return words.join(" ");
    }
    format!("{} …", words[..max_words].join(" "))
}

#[test]
fn a_sync_function_replays_its_value() {
    let text = "Stubs make tests of code that calls language models fast, free and offline.";
    assert_eq!(summarize(text, 5), "Stubs make tests of code …");
    assert_eq!(summarize(text, 50), text);
}

/// A slice and a reference to a map, returning a map.
#[cached_stub]
fn tally(words: &[&str], weights: &HashMap<String, u32>) -> BTreeMap<String, u32> {
    let mut totals = BTreeMap::new();
    for word in words {
        *totals.entry(word.to_string()).or_default() += weights.get(*word).copied().unwrap_or(1);
    }
    totals
}

#[test]
fn borrowed_slices_and_maps_make_the_key() {
    let weights = HashMap::from([("tea".to_string(), 3), ("cake".to_string(), 2)]);
    let totals = tally(&["tea", "cake", "tea", "jam"], &weights);
    assert_eq!(
        totals,
        BTreeMap::from([("cake".into(), 2), ("jam".into(), 1), ("tea".into(), 6)])
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct City {
    name: String,
    country: String,
    population: u64,
}

#[derive(Serialize)]
struct Lookup {
    exact: bool,
}

#[derive(Debug, PartialEq)]
struct UnknownCity(String);

/// An async function returning a `Result`, with an optional borrowed argument.
#[cached_stub]
async fn find_city(name: &str, lookup: Option<&Lookup>) -> Result<City, UnknownCity> {
    tokio::task::yield_now().await;
    let exact = lookup.is_some_and(|lookup| lookup.exact);
    let known = [("Paris", "France", 2_102_650), ("Lyon", "France", 522_250)];
    known
        .iter()
        .find(|(city, ..)| {
            if exact {
                *city == name
            } else {
                city.eq_ignore_ascii_case(name)
            }
        })
        .map(|(city, country, population)| City {
            name: city.to_string(),
            country: country.to_string(),
            population: *population,
        })
        .ok_or_else(|| UnknownCity(name.to_string()))
}

#[tokio::test]
async fn an_async_function_replays_its_ok_value() {
    let paris = find_city("paris", None).await.unwrap();
    assert_eq!(
        (paris.name.as_str(), paris.population),
        ("Paris", 2_102_650)
    );
    let lyon = find_city("Lyon", Some(&Lookup { exact: true }))
        .await
        .unwrap();
    assert_eq!(lyon.country, "France");
}

#[test]
fn futures_of_async_stubbed_functions_stay_send() {
    fn spawnable<F: std::future::Future + Send>(_: F) {}
    spawnable(find_city("Paris", None));
    spawnable(collect_even(vec![1, 2]));
}

/// Inference inside an async body works as in the original: `numbers`' type comes from the
/// `return` and the `push`.
#[cached_stub]
async fn collect_even(candidates: Vec<u32>) -> Vec<u32> {
    let mut numbers = Default::default();
    if candidates.is_empty() {
        return numbers;
    }
    for candidate in candidates {
        if candidate % 2 == 0 {
            numbers.push(candidate);
        }
    }
    numbers
}

#[tokio::test]
async fn an_async_body_infers_types_as_written() {
    assert_eq!(collect_even(vec![1, 2, 3, 4]).await, [2, 4]);
}

/// A generic function: the type parameter is part of the key, so the two calls below have
/// stubs of their own although their arguments are equal.
#[cached_stub]
fn parse_number<T: std::str::FromStr + Serialize + serde::de::DeserializeOwned>(
    text: &str,
) -> Option<T> {
    text.parse().ok()
}

#[test]
fn type_parameters_are_part_of_the_key() {
    assert_eq!(parse_number::<u8>("300"), None);
    assert_eq!(parse_number::<u16>("300"), Some(300));
}

/// Holds what must never reach a stub file.
struct Oracle {
    api_key: String,
}

/// `skip(oracle)`: the client is neither part of the key nor written to the file.
#[cached_stub(skip(oracle))]
fn ask(oracle: &Oracle, question: &str) -> String {
    let signed = !oracle.api_key.is_empty();
    format!("{question} -> 42 (signed: {signed})")
}

#[test]
fn skipped_arguments_never_reach_the_disk() {
    let oracle = Oracle {
        api_key: "sk-do-not-commit".into(),
    };
    assert_eq!(
        ask(&oracle, "the answer?"),
        "the answer? -> 42 (signed: true)"
    );

    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("stubs/record_replay/ask");
    let stub: serde_json::Value =
        serde_json::from_slice(&std::fs::read(only_file(&folder)).unwrap()).unwrap();
    assert_eq!(
        stub["args"],
        serde_json::json!({ "question": "the answer?" })
    );
    assert!(!stub.to_string().contains("sk-do-not-commit"));
}

/// Recording every test of this file again, into an empty folder, writes exactly the
/// committed stubs, byte for byte.
#[test]
fn committed_stubs_match_a_fresh_recording() {
    assert_committed_stubs_are_recorded_again(
        "committed_stubs_match_a_fresh_recording",
        "record_replay",
    );
}
