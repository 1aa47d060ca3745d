//! The smallest use of cached-stubs: a slow function, recorded once, replayed at once.
//!
//! ```text
//! cargo run --example quickstart              # replays stubs/quickstart/classify/*.json
//! RECORD=all cargo run --example quickstart   # calls the real function again, about 1 s a call
//! ```

use cached_stubs::cached_stub;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Serialize, Deserialize, Debug)]
enum Sentiment {
    Positive,
    Negative,
    Mixed,
}

/// Stands in for a model call: slow here, and in real life also paid, networked and never
/// quite the same twice.
#[cached_stub]
fn classify(review: &str) -> Sentiment {
    std::thread::sleep(Duration::from_secs(1));
    let words: Vec<String> = review.split_whitespace().map(str::to_lowercase).collect();
    let count = |list: &[&str]| {
        words
            .iter()
            .filter(|word| list.contains(&word.trim_matches(|c: char| !c.is_alphanumeric())))
            .count()
    };
    match (
        count(&["great", "loved", "fast"]),
        count(&["slow", "broke", "cold"]),
    ) {
        (0, 0) => Sentiment::Mixed,
        (good, bad) if good > bad => Sentiment::Positive,
        (good, bad) if bad > good => Sentiment::Negative,
        _ => Sentiment::Mixed,
    }
}

fn main() {
    let reviews = [
        "Great coffee, loved the terrace.",
        "Slow service and the soup was cold.",
        "Fast delivery, but the box broke.",
    ];
    for review in reviews {
        let started = Instant::now();
        let sentiment = classify(review);
        println!(
            "{:<9} {review:<40} ({:.1?})",
            format!("{sentiment:?}"),
            started.elapsed()
        );
    }
}
