//! A changed prompt makes its stubs stale, wherever it lives: a user's crate
//! (`tests/fixtures/prompt-crate`) records its stubs, then the test edits one prompt at a
//! time (a `const`, a `static`, a function the call runs, a file included in the body, a file
//! behind a `const`) and sees exactly that function's stub go stale, named by what changed,
//! then recorded again in place by `RECORD=1`.

use cached_stubs_suite::{FEATURE_IN_DEV_DEPENDENCIES, UserCrate, files_below};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn stubs(user: &UserCrate) -> BTreeMap<PathBuf, Vec<u8>> {
    files_below(&user.path("stubs"))
}

#[test]
fn each_changed_dependency_makes_its_stub_stale_and_record_missing_records_it_in_place() {
    let user = UserCrate::new("prompt-crate", FEATURE_IN_DEV_DEPENDENCIES);
    user.cargo(&["test"], Some("1")).success();
    let recorded = stubs(&user);
    assert_eq!(recorded.len(), 5, "{:?}", recorded.keys());

    // (file, text, edited text, function, how the message names what changed)
    let edits = [
        (
            "src/lib.rs",
            "You are terse.",
            "You are brief.",
            "with_const",
            "`SYSTEM_PROMPT`",
        ),
        (
            "src/lib.rs",
            "\"small\"",
            "\"large\"",
            "with_static",
            "`MODEL`",
        ),
        (
            "src/lib.rs",
            "one word.",
            "two words.",
            "with_call",
            "`instructions()`",
        ),
        (
            "prompts/classify.txt",
            "Classify",
            "Label",
            "with_include",
            "the file \"../prompts/classify.txt\"",
        ),
        (
            "prompts/summarize.txt",
            "Summarize",
            "Shorten",
            "with_const_include",
            "`SUMMARIZE`",
        ),
    ];
    for (calls, (file, from, to, function, named)) in (6..).zip(edits) {
        user.edit(file, from, to);
        let output = user.cargo(&["test"], None).failure();
        let stale = format!(
            "the stub was recorded when what `prompt_crate::{function}` depends on was \
             different: {named} changed since"
        );
        assert!(output.contains(&stale), "{stale:?} not in\n{output}");
        assert!(
            output.contains("1 failed"),
            "another stub went stale too:\n{output}"
        );

        user.cargo(&["test"], Some("1")).success();
        assert_eq!(
            user.real_calls().len(),
            calls,
            "{function} was not recorded again once"
        );
        let now = stubs(&user);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            recorded.keys().collect::<Vec<_>>()
        );
        user.cargo(&["test"], None).success();
    }

    // Unchanged dependencies leave a stub recorded again byte-identical.
    let before = stubs(&user);
    user.cargo(&["test"], Some("all")).success();
    assert_eq!(stubs(&user), before);

    // A changed body and a changed dependency: both are said.
    user.edit(
        "src/lib.rs",
        "format!(\"{SYSTEM_PROMPT} {question}\")",
        "format!(\"{SYSTEM_PROMPT}: {question}\")",
    );
    user.edit("src/lib.rs", "You are brief.", "You are short.");
    let output = user.cargo(&["test"], None).failure();
    let both = "its body, signature or attribute changed since, and so did what it depends on: \
                `SYSTEM_PROMPT`";
    assert!(output.contains(both), "{both:?} not in\n{output}");
}
