//! Stubs recorded by cached-stubs 0.1, which filed a method's stubs under its module alone
//! (`app/ask/`, `"function": "app::ask"`) where 0.2 files them under its type
//! (`app/Weather/ask/`, `"function": "app::Weather::ask"`), and a nested function's under
//! the function it is nested in. The key of a call is the same in both, so a call that
//! misses finds its stub in the old folder by its file name; `RECORD=1` moves it into place,
//! naming the function as 0.2 does, instead of calling the real function, and a replay's
//! miss says so.

use crate::slot::Slot;
use crate::store;
use crate::stub_file::{self, Body, Expected, Recorded};
use serde::de::IgnoredAny;
use std::io;
use std::path::{Path, PathBuf};

/// Where cached-stubs 0.1 kept the stub that belongs in `slot` (a file of the same name),
/// when it is there, recorded from the function as it is now.
pub(crate) fn old_stub(slot: &Slot, body: Body) -> Option<PathBuf> {
    let (function, folder) = slot.instance.in_0_1.as_ref()?;
    let path = folder.join(slot.path.file_name()?);
    let bytes = store::read(&path).ok()??;
    let expected = Expected {
        function,
        ..slot.expected()
    };
    let stub = stub_file::read::<IgnoredAny>(&bytes, expected, body).ok()?;
    (stub.recorded == Recorded::Current).then_some(path)
}

/// Moves the 0.1 stub at `old` into `slot`, naming the function as 0.2 does; the rest of the
/// file stays as it was.
pub(crate) fn move_into_place(slot: &Slot, old: &Path) -> io::Result<()> {
    let instance = slot.instance;
    let (old_function, _) = instance
        .in_0_1
        .as_ref()
        .expect("a stub found in the 0.1 layout");
    let field = |function: &str| format!("\"function\": {}", serde_json::Value::from(function));
    let text = String::from_utf8(store::read(old)?.unwrap_or_default())
        .map_err(|_| io::Error::other("it is not UTF-8"))?;
    let moved = text.replacen(&field(old_function), &field(instance.function()), 1);
    store::write(&slot.path, moved.as_bytes())?;
    std::fs::remove_file(old)
}
