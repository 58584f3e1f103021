//! Reading inputs (`-` is standard input) and writing output files without ever losing one.
//!
//! An output is written to a temporary file created exclusively (never through a symlink, never
//! over another file) in the output's folder, then renamed over the output: an interrupted or
//! failed run leaves the old output as it was and no temporary file behind (it is removed on
//! every error and on Ctrl-C or SIGTERM). An output that is one of the run's inputs (by name, by
//! symlink or by hard link) is refused before anything is opened for writing, and a second run
//! writing the same output is refused while the first holds `OUTPUT.lock`.

use std::fs::File;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether `path` stands for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How `path` is named in messages.
pub fn shown(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// The whole content of a file, or of standard input for `-`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    Ok(bytes)
}

/// The whole text of a file, or of standard input for `-`.
pub fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read_bytes(path)?).map_err(|e| {
        format!(
            "cannot read {}: it is not UTF-8 text (byte {} is not)\nhelp: save the file as UTF-8",
            shown(path),
            e.utf8_error().valid_up_to() + 1
        )
    })
}

/// A reader of a file, or of standard input for `-`, and the file's size when known. A folder
/// is refused here: reading one fails again at every read.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, String> {
    if is_stdin(path) {
        return Ok(Box::new(std::io::BufReader::new(std::io::stdin())));
    }
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(format!("cannot read {}: it is a folder, not a file\nhelp: name a file in it", path.display()));
    }
    Ok(Box::new(std::io::BufReader::new(file)))
}

/// Refuses a command line that reads standard input twice: the second would read nothing.
pub fn at_most_one_stdin<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), String> {
    if paths.into_iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err("`-` (standard input) is given more than once, but it can be read only once\n\
                    help: put all but one of those inputs in files"
            .to_owned());
    }
    Ok(())
}

/// Files to remove if the process is stopped by a signal: temporary outputs and their locks.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On Ctrl-C or SIGTERM, removes the unfinished outputs' temporary files and locks, then exits
/// with 130 (the shell's code for an interrupted command).
pub fn remove_unfinished_files_on_signal() {
    // Without the handler the temporary files stay behind on a signal; everything else works.
    let _ = ctrlc::set_handler(|| {
        if let Ok(paths) = UNFINISHED.lock() {
            for path in paths.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
}

fn unfinished(path: &Path) {
    if let Ok(mut paths) = UNFINISHED.lock() {
        paths.push(path.to_owned());
    }
}

fn finished(path: &Path) {
    if let Ok(mut paths) = UNFINISHED.lock() {
        paths.retain(|p| p != path);
    }
}

/// Writes `output` through `write`, atomically; `inputs` are the files the run reads, which the
/// output must not be. The error is a message for the user.
pub fn write_file<T>(
    output: &Path,
    inputs: &[&Path],
    write: impl FnOnce(&mut dyn Write) -> Result<T, String>,
) -> Result<T, String> {
    let name = output.display().to_string();
    for input in inputs.iter().filter(|p| !is_stdin(p)) {
        if same_file(input, output) {
            return Err(format!(
                "the output {name} is the input {}: writing it would destroy what is being read\n\
                 help: give another file to --out",
                input.display()
            ));
        }
    }
    if std::fs::metadata(output).is_ok_and(|m| m.is_dir()) {
        return Err(format!("cannot write {name}: it is a folder\nhelp: give a file name to --out"));
    }
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let lock = OutputLock::take(output)?;
    let result = write_through_temporary(output, &folder, &file_name, write);
    lock.release();
    result
}

fn write_through_temporary<T>(
    output: &Path,
    folder: &Path,
    file_name: &str,
    write: impl FnOnce(&mut dyn Write) -> Result<T, String>,
) -> Result<T, String> {
    let name = output.display().to_string();
    // Created with O_EXCL under a random name: never an existing file, never through a symlink.
    let temporary = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(|e| format!("cannot write {name}: cannot create a temporary file in {}: {e}", folder.display()))?;
    let temporary_path = temporary.path().to_owned();
    unfinished(&temporary_path);
    let result = (|| {
        let mut writer = std::io::BufWriter::new(temporary.as_file());
        let value = write(&mut writer)?;
        writer.flush().map_err(|e| format!("cannot write {name}: {e}"))?;
        drop(writer);
        keep_permissions(output, temporary.as_file());
        temporary.as_file().sync_all().map_err(|e| format!("cannot write {name}: {e}"))?;
        // On failure the temporary file is removed with the error's `NamedTempFile`.
        temporary.persist(output).map_err(|e| format!("cannot write {name}: {}", e.error))?;
        Ok(value)
    })();
    // On an error `temporary` was dropped inside the closure, which removed the file.
    finished(&temporary_path);
    result
}

/// A new output gets the usual permissions (the temporary file is private to its owner); a
/// replaced one keeps its own.
#[cfg(unix)]
fn keep_permissions(output: &Path, temporary: &File) {
    use std::os::unix::fs::PermissionsExt;
    let permissions =
        std::fs::metadata(output).map(|m| m.permissions()).unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
    let _ = temporary.set_permissions(permissions);
}

#[cfg(not(unix))]
fn keep_permissions(_: &Path, _: &File) {}

/// Whether two paths name the same file: the same device and inode (symlinks followed, hard
/// links included), or the same canonical path.
fn same_file(a: &Path, b: &Path) -> bool {
    let by_identity = match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => cfg!(unix) && same_identity(&a, &b),
        _ => false,
    };
    by_identity || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

#[cfg(unix)]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Without inodes, a lock file is taken as the one at its path (canonical paths compare files).
#[cfg(not(unix))]
fn same_identity(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// An advisory lock on `OUTPUT.lock` held while the output is written; removed when done.
struct OutputLock {
    path: PathBuf,
    file: File,
}

impl OutputLock {
    fn take(output: &Path) -> Result<OutputLock, String> {
        let mut path = output.as_os_str().to_owned();
        path.push(".lock");
        let path = PathBuf::from(path);
        let name = output.display().to_string();
        // A lock file removed by its last holder between our open and our lock is stale:
        // open the new one and try again.
        for _ in 0..8 {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| format!("cannot write {name}: cannot create its lock {}: {e}", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(format!(
                        "cannot write {name}: another run is writing it (it holds the lock {})\n\
                         help: wait for it to finish, or write to another file",
                        path.display()
                    ));
                }
                Err(std::fs::TryLockError::Error(error)) => {
                    return Err(format!("cannot write {name}: cannot lock {}: {error}", path.display()));
                }
            }
            let current = std::fs::symlink_metadata(&path);
            if matches!((&current, file.metadata()), (Ok(now), Ok(held)) if same_identity(now, &held)) {
                unfinished(&path);
                return Ok(OutputLock { path, file });
            }
        }
        Err(format!("cannot write {name}: its lock {} keeps changing; is another run writing it?", path.display()))
    }

    fn release(self) {
        // Removed while still held, so that no other run can take the old file for the lock.
        let _ = std::fs::remove_file(&self.path);
        finished(&self.path);
        let _ = self.file.unlock();
    }
}
