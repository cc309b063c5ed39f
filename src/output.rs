//! Where reports, snapshots and the configuration template are written.
//!
//! - `-` is standard output.
//! - A regular file, or a path that does not exist yet, is written atomically: through a
//!   temporary file beside it that is renamed into place, so a reader never sees half a report.
//!   An existing file keeps its permissions.
//! - A symbolic link is followed to the file it names, which is then written atomically; the
//!   link stays a link. A link to nothing is refused rather than created through.
//! - A character device (`/dev/null`, `/dev/stdout`, a terminal) or a FIFO is written into
//!   directly: it is never replaced by a file.
//! - A directory, a block device or a socket is refused.
//!
//! A temporary file is removed when the write fails, and also when the process is interrupted
//! by SIGINT or SIGTERM (see [`remove_partial_files_on_signal`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// The name standard output goes by in errors.
pub const STDOUT: &str = "standard output";

/// Temporary files being written right now, each with the file it will become: removed if a
/// signal ends the process.
static PARTIAL: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

/// Whether `path` means standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes to `path`, or to `stdout` when it is `-`, as the module documentation describes.
pub fn write_to(
    path: &Path,
    stdout: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    if is_stdout(path) {
        write_stdout(stdout, render)
    } else {
        write_file(path, render)
    }
}

/// Renders to standard output and flushes it, so that a closed or full stdout is this call's
/// error ([`Error::is_closed_stdout`] tells the first).
pub fn write_stdout(
    stdout: &mut dyn Write,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    render(stdout)
        .and_then(|()| stdout.flush())
        .map_err(|err| Error::io(STDOUT, err))
}

/// Writes to the file `path` (never standard output), as the module documentation describes.
pub fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let origin = path.display().to_string();
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            let real = if is_link {
                fs::canonicalize(path).map_err(|err| Error::io(&origin, err))?
            } else {
                path.to_owned()
            };
            write_atomically(&real, Some(meta.permissions()), render)
                .map_err(|err| Error::io(&origin, err))
        }
        Ok(meta) if meta.is_dir() => Err(Error::Usage(format!(
            "{origin}: is a directory; name a file to write the report into"
        ))),
        Ok(meta) if writes_in_place(&meta) => {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|err| Error::io(&origin, err))?;
            let mut writer = io::BufWriter::new(&mut file);
            render(&mut writer)
                .and_then(|()| writer.flush())
                .map_err(|err| Error::io(&origin, err))
        }
        Ok(_) => Err(Error::Usage(format!(
            "{origin}: is neither a regular file, a character device nor a FIFO; name a file to write the report into"
        ))),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Ok(target) = fs::read_link(path) {
                return Err(Error::Usage(format!(
                    "{origin}: is a symbolic link to {}, which does not exist; ringfence writes through a link only to an existing file",
                    target.display()
                )));
            }
            write_atomically(path, None, render).map_err(|err| Error::io(&origin, err))
        }
        Err(err) => Err(Error::io(&origin, err)),
    }
}

/// Character devices and FIFOs are written into, never replaced.
#[cfg(unix)]
fn writes_in_place(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn writes_in_place(_meta: &fs::Metadata) -> bool {
    false
}

/// Writes through a temporary file in the target's directory and renames it into place.
fn write_atomically(
    path: &Path,
    permissions: Option<fs::Permissions>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ringfence-");
    // A report is an ordinary file: readable as the umask allows, not private like a temp file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // Declared before the file, so dropped after it: a failed write removes the file first.
    let mut registered = Registered(None);
    let mut file = {
        let mut partial = lock_partial();
        let file = builder
            .tempfile_in(dir)
            .map_err(|err| in_folder(dir, err))?;
        partial.push((file.path().to_owned(), path.to_owned()));
        registered.0 = Some(file.path().to_owned());
        file
    };
    {
        let mut writer = io::BufWriter::new(file.as_file_mut());
        render(&mut writer)?;
        writer.flush()?;
    }
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    // Held across the rename, so a signal never removes a file that has just become the report.
    let mut partial = lock_partial();
    file.persist(path).map_err(|err| err.error)?;
    if let Some(done) = registered.0.take() {
        partial.retain(|(p, _)| *p != done);
    }
    Ok(())
}

/// A failure to create the temporary file, said of the folder rather than of a random name
/// the user never chose.
fn in_folder(dir: &Path, err: io::Error) -> io::Error {
    // tempfile appends ` at path "<the random name>"` to the system's message.
    let message = err.to_string();
    let cause = message.split(" at path ").next().unwrap_or(&message);
    io::Error::new(
        err.kind(),
        format!("cannot create a file in {}: {cause}", dir.display()),
    )
}

/// Unregisters a temporary file when its write ends without a rename.
struct Registered(Option<PathBuf>);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            lock_partial().retain(|(p, _)| *p != path);
        }
    }
}

fn lock_partial() -> std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf)>> {
    // A panic while holding the lock leaves a list that is still right.
    PARTIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes every temporary file being written, and returns them with their targets.
fn remove_partial_files() -> Vec<(PathBuf, PathBuf)> {
    remove_and_keep_locked(lock_partial())
}

/// Like [`remove_partial_files`], unless the lock is held (by the thread that is running out
/// of memory, say): then nothing is removed rather than waiting forever.
pub(crate) fn remove_partial_files_if_free() -> Vec<(PathBuf, PathBuf)> {
    match PARTIAL.try_lock() {
        Ok(partial) => remove_and_keep_locked(partial),
        Err(_) => Vec::new(),
    }
}

/// Removes the listed files. The lock stays held until the caller's exit: no write renames
/// into place after this.
fn remove_and_keep_locked(
    mut partial: std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf)>>,
) -> Vec<(PathBuf, PathBuf)> {
    let removed = partial
        .drain(..)
        .filter(|(temporary, _)| fs::remove_file(temporary).is_ok())
        .collect();
    std::mem::forget(partial);
    removed
}

/// On SIGINT or SIGTERM, removes the temporary files of unfinished writes, says so on
/// standard error, and exits with 128 + the signal's number (130, 143), as a shell would
/// report it. Called once by the binary; a library user keeps its own signal handling.
#[cfg(unix)]
pub fn remove_partial_files_on_signal() -> io::Result<()> {
    use signal_hook::consts::signal::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("ringfence-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let removed = remove_partial_files();
                let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
                let mut stderr = io::stderr().lock();
                let _ = writeln!(stderr, "\nringfence: interrupted by {name}");
                for (temporary, target) in removed {
                    let _ = writeln!(
                        stderr,
                        "ringfence: {} was not written (its unfinished temporary file {} is removed)",
                        target.display(),
                        temporary.display()
                    );
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn remove_partial_files_on_signal() -> io::Result<()> {
    Ok(())
}
