//! Stub files on disk: reading one, and writing one so that no reader ever sees it torn.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// The most a stub may hold: far more than any model's answer, and a bound on what a broken
/// or hostile file can make a test read.
pub(crate) const MAX_STUB_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of the stub at `path`, or `None` when there is no file there. Anything but a
/// regular file of at most [`MAX_STUB_BYTES`] is an error, read no further than that: a
/// folder, a pipe, a device (`/dev/zero` would never end).
pub(crate) fn read(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let file = match open(path) {
        Ok(file) => file,
        // No file can be there when a folder on the way is a file: writing will say so.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(io::Error::other("it is a folder, not a stub file"));
    }
    if !metadata.is_file() {
        return Err(io::Error::other(
            "it is not a regular file (a pipe, a socket or a device)",
        ));
    }
    let too_big = || {
        io::Error::other(format!(
            "it is larger than the {MAX_STUB_BYTES} bytes a stub may hold"
        ))
    };
    if metadata.len() > MAX_STUB_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or_default());
    file.take(MAX_STUB_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STUB_BYTES {
        return Err(too_big());
    }
    Ok(Some(bytes))
}

/// Opens a file for reading without waiting on a pipe: a FIFO opened without a writer would
/// block, opened non-blocking it opens at once and is then refused as no regular file. One
/// path lookup, as `fs::read` makes; the checks use the open file.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nonblocking = rustix::fs::OFlags::NONBLOCK.bits();
        options.custom_flags(i32::try_from(nonblocking).expect("an open flag fits an i32"));
    }
    options.open(path)
}

/// Whether `name` is a temporary file's, as [`write()`] names them: `.<stub name>.<random>.tmp`.
/// A process killed while writing leaves one behind; no replay reads it.
#[cfg(feature = "_cargo-stubs")]
pub(crate) fn is_temporary_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Writes `bytes` to a temporary file beside `path` (`.<name>.<random>.tmp`), flushes it to
/// disk and renames it over `path`: readers see the old file or the new one, never a part,
/// and a crash leaves at most a temporary file that replay never reads.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path.parent().expect("a stub path has a folder");
    let name = path.file_name().expect("a stub path has a file name");
    fs::create_dir_all(folder)?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // Stub files are shared data, not secrets: the umask decides, as for any new file.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(folder)?;
    file.write_all(bytes)?;
    file.as_file().sync_data()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MAX_STUB_BYTES, read, write};

    #[test]
    fn a_written_stub_reads_back_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/folder/key.json");
        assert_eq!(read(&path).unwrap(), None);
        write(&path, b"first\n").unwrap();
        write(&path, b"second\n").unwrap();
        assert_eq!(read(&path).unwrap().as_deref(), Some(&b"second\n"[..]));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["key.json"]);
    }

    #[test]
    fn a_folder_where_a_stub_should_be_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            read(dir.path()).unwrap_err().to_string(),
            "it is a folder, not a stub file"
        );
    }

    #[test]
    fn a_file_larger_than_a_stub_may_be_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        // Sparse: as large as it says, without the disk space.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_STUB_BYTES + 1)
            .unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("larger than"));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_errors_read_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let endless = dir.path().join("endless.json");
        std::os::unix::fs::symlink("/dev/zero", &endless).unwrap();
        assert!(
            read(&endless)
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        let pipe = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(
            read(&pipe)
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
    }
}
