//! Stubs are read and written next to the defining crate's current `Cargo.toml`, never
//! outside it: a project copied with `cp -a`, or moved with `mv`, runs the test binaries it
//! was built with (cargo finds them fresh in the shared target folder), which must find its
//! stubs where the project is now.

use cached_stubs_suite::{FEATURE_IN_DEV_DEPENDENCIES, UserCrate, files_below};

#[test]
fn a_copied_or_moved_project_reads_and_writes_its_own_stubs() {
    let original = UserCrate::new("outside-crate", FEATURE_IN_DEV_DEPENDENCIES);
    original.cargo(&["test"], Some("1")).success();
    let recorded = files_below(&original.path("stubs"));
    assert!(!recorded.is_empty());

    // A copy replays its own stubs, not the original's: they are gone.
    let copy = original.copied();
    std::fs::remove_dir_all(original.path("stubs")).unwrap();
    let built = copy.cargo(&["test"], None).success();
    assert!(
        !built.contains("Compiling outside-crate"),
        "the copy was built again:\n{built}"
    );
    // Recording in the copy writes there, and nothing in the original.
    std::fs::remove_dir_all(copy.path("stubs")).unwrap();
    copy.cargo(&["test"], Some("1")).success();
    assert_eq!(files_below(&copy.path("stubs")), recorded);
    assert!(
        !original.path("stubs").exists(),
        "a stub was written outside the project"
    );

    // Moved, it replays from where it is now.
    let before = copy.path("stubs");
    let moved = copy.moved();
    moved.cargo(&["test"], None).success();
    assert!(!before.exists(), "the old place was written to");
    assert_eq!(files_below(&moved.path("stubs")), recorded);
}
