//! Which function a stub belongs to: methods are filed under their type, nested functions
//! under the function they are in, instances of one function (generic, blanket and
//! const-generic impls, trait default methods) have keys of their own, and stubs of
//! cached-stubs 0.1's layout are found and moved. Each step runs a `child_*` test of this
//! binary in a child process, as in `modes.rs`.

use cached_stubs::cached_stub;
use cached_stubs_suite::{Scenario, log_real_call};
use serde::Serialize;

// Methods of one name -------------------------------------------------------------------

struct Weather;
struct Radar;

impl Weather {
    #[cached_stub(skip(self))]
    fn ask(&self, city: &str) -> String {
        log_real_call("weather");
        format!("Sunny in {city}")
    }
}

impl Radar {
    #[cached_stub(skip(self))]
    fn ask(&self, city: &str) -> String {
        log_real_call("radar");
        format!("No rain over {city}")
    }
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_the_weather() {
    assert_eq!(Weather.ask("Paris"), "Sunny in Paris");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_the_radar() {
    assert_eq!(Radar.ask("Paris"), "No rain over Paris");
}

#[test]
fn methods_of_one_name_in_two_impls_have_stubs_of_their_own_in_any_process() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_the_weather", Some("1"));
    scenario.passes("child_asks_the_radar", Some("1"));
    scenario.passes("child_asks_the_weather", None);
    scenario.passes("child_asks_the_radar", None);
    assert_eq!(scenario.calls(), ["weather", "radar"]);
    for owner in ["Weather", "Radar"] {
        let stub = std::fs::read_to_string(scenario.only_stub(&format!("identity::{owner}::ask")));
        let expected = format!("\"function\": \"identity::{owner}::ask\"");
        assert!(stub.as_ref().unwrap().contains(&expected), "{stub:?}");
    }
}

/// Two functions of one name in one module, nested in two others: each is filed under the
/// function it is nested in.
fn first_helper() -> u32 {
    #[cached_stub]
    fn helper() -> u32 {
        log_real_call("first");
        1
    }
    helper()
}

fn second_helper() -> u32 {
    #[cached_stub]
    fn helper() -> u32 {
        log_real_call("second");
        2
    }
    helper()
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_two_helpers() {
    assert_eq!(first_helper() + second_helper(), 3);
}

#[test]
fn functions_of_one_name_nested_in_two_others_have_folders_of_their_own() {
    let scenario = Scenario::new();
    scenario.passes("child_two_helpers", Some("1"));
    scenario.passes("child_two_helpers", None);
    assert_eq!(scenario.calls(), ["first", "second"]);
    for owner in ["first_helper", "second_helper"] {
        let stub = scenario.only_stub(&format!("identity::{owner}::helper"));
        let text = std::fs::read_to_string(stub).unwrap();
        let expected = format!("\"function\": \"identity::{owner}::helper\"");
        assert!(text.contains(&expected), "{text}");
    }
}

/// Two methods of one type and one name: its own, and a trait's.
struct Oracle;

impl Oracle {
    #[cached_stub(skip(self))]
    fn tell(&self) -> u32 {
        1
    }
}

trait Tell {
    fn tell(&self) -> u32;
}

impl Tell for Oracle {
    #[cached_stub(skip(self))]
    fn tell(&self) -> u32 {
        2
    }
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_the_oracle_twice() {
    assert_eq!(Oracle.tell() + Tell::tell(&Oracle), 3);
}

#[test]
fn two_functions_that_cannot_be_told_apart_fail_with_a_way_out() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_asks_the_oracle_twice", Some("1"));
    assert!(
        output.contains("two functions named `identity::Oracle::tell`"),
        "{output}"
    );
    assert!(
        output.contains("#[cached_stub(name = \"...\")]"),
        "{output}"
    );
    assert!(
        output.contains("panicked at tests/identity.rs:"),
        "{output}"
    );
    assert_eq!(
        scenario.stub_files().len(),
        1,
        "{:?}",
        scenario.stub_files()
    );
}

// Instances of one function -------------------------------------------------------------

trait Describe {
    fn describe(&self) -> String;
}

/// A blanket impl: one function, an instance per type.
impl<T: Serialize> Describe for T {
    #[cached_stub(skip(self))]
    fn describe(&self) -> String {
        log_real_call(std::any::type_name::<T>());
        std::any::type_name::<T>().to_string()
    }
}

trait Width {
    fn width(&self) -> usize;
}

/// A const-generic impl: an instance per length.
impl<const N: usize> Width for [u8; N] {
    #[cached_stub(skip(self))]
    fn width(&self) -> usize {
        log_real_call(&N.to_string());
        N
    }
}

/// A trait's default method: an instance per type that uses it.
trait Greet {
    fn hello(&self) -> &'static str;

    #[cached_stub(skip(self))]
    fn greet(&self, name: &str) -> String {
        log_real_call(self.hello());
        format!("{}, {name}", self.hello())
    }
}

struct English;
struct French;

impl Greet for English {
    fn hello(&self) -> &'static str {
        "Hello"
    }
}

impl Greet for French {
    fn hello(&self) -> &'static str {
        "Bonjour"
    }
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_uses_the_first_instances() {
    assert_eq!(5u8.describe(), "u8");
    assert_eq!([0u8; 4].width(), 4);
    assert_eq!(English.greet("Ada"), "Hello, Ada");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_uses_the_second_instances() {
    assert_eq!("x".describe(), "&str");
    assert_eq!([0u8; 5].width(), 5);
    assert_eq!(French.greet("Ada"), "Bonjour, Ada");
}

#[test]
fn every_instance_of_one_function_has_its_own_stub_across_processes() {
    let scenario = Scenario::new();
    scenario.passes("child_uses_the_first_instances", Some("1"));
    scenario.passes("child_uses_the_second_instances", Some("1"));
    assert_eq!(
        scenario.calls(),
        ["u8", "4", "Hello", "&str", "5", "Bonjour"]
    );
    scenario.passes("child_uses_the_first_instances", None);
    scenario.passes("child_uses_the_second_instances", None);
    assert_eq!(
        scenario.calls().len(),
        6,
        "a replay called the real function"
    );
}

// Raw identifiers -----------------------------------------------------------------------

mod r#type {
    use super::*;

    #[cached_stub]
    pub fn r#match(n: u32) -> u32 {
        log_real_call("match");
        n + 1
    }
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_matches() {
    assert_eq!(r#type::r#match(1), 2);
}

#[test]
fn raw_identifiers_are_spelled_without_their_prefix_in_folders_and_paths() {
    let scenario = Scenario::new();
    scenario.passes("child_matches", Some("1"));
    let stub = std::fs::read_to_string(scenario.only_stub("identity::type::match")).unwrap();
    assert!(
        stub.contains("\"function\": \"identity::type::match\""),
        "{stub}"
    );
}

// The layout of cached-stubs 0.1 --------------------------------------------------------

#[test]
fn a_stub_in_the_0_1_layout_is_found_at_a_miss_and_moved_by_record_missing() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_the_weather", Some("1"));
    let recorded_at = scenario.only_stub("identity::Weather::ask");
    let recorded = std::fs::read_to_string(&recorded_at).unwrap();
    // Where and how 0.1 wrote it: in the module's folder, named without its type.
    let old_folder = scenario.folder("identity::ask");
    let old = old_folder.join(recorded_at.file_name().unwrap());
    std::fs::create_dir_all(&old_folder).unwrap();
    let in_0_1 = recorded.replace("identity::Weather::ask", "identity::ask");
    std::fs::write(&old, &in_0_1).unwrap();
    std::fs::remove_file(&recorded_at).unwrap();

    let output = scenario.fails("child_asks_the_weather", None);
    for expected in [
        "its stub is where cached-stubs 0.1 kept it",
        "identity/ask/",
        "To move it there (`RECORD=1` moves stubs of the 0.1 layout without calling the real function), run:",
        "RECORD=1 cargo test -- --exact child_asks_the_weather",
    ] {
        assert!(output.contains(expected), "{expected:?} not in {output}");
    }
    scenario.passes("child_asks_the_weather", Some("1"));
    assert_eq!(std::fs::read_to_string(&recorded_at).unwrap(), recorded);
    assert!(!old.exists(), "the 0.1 stub was left behind");
    scenario.passes("child_asks_the_weather", None);
    assert_eq!(
        scenario.calls(),
        ["weather"],
        "moving a stub called the real function"
    );
}
