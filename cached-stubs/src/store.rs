//! Stub files on disk: reading one, and writing one so that no reader ever sees it torn.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// The bytes of the stub at `path`, or `None` when there is no file there.
pub(crate) fn read(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
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
    use super::{read, write};

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
        assert!(read(dir.path()).is_err());
    }
}
