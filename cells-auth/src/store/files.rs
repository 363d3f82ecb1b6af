//! The account file's helpers: private directories (made and checked by
//! each system's own means, `private/`), atomic writes, and locks between
//! processes. The locks are std's `File::lock`, which is `flock` on Linux
//! and macOS and `LockFileEx` on Windows; the bounded wait is ours, the
//! same on every system.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use super::error::StoreError;
pub(super) use super::private::check_private_dir;
use super::private::{create_private_dir, private_file_options};

pub(super) fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return check_private_dir(dir);
    }
    create_private_dir(dir).map_err(|source| StoreError::Io { action: "io-create", path: dir.to_path_buf(), source })
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { action, path, source }
}

/// Writes to a temporary file beside `path` (mode 0600), syncs it and renames
/// it over `path`: a crash leaves the old file or the new one, never half.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut options = private_file_options();
    options.write(true).create_new(true);
    let mut file = options.open(&tmp).map_err(io_error("io-create", &tmp))?;
    file.write_all(bytes).map_err(io_error("io-write", &tmp))?;
    file.sync_all().map_err(io_error("io-sync", &tmp))?;
    drop(file);
    if let Err(err) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("io-replace", path)(err));
    }
    if let Some(parent) = path.parent() {
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(dir) = fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// An exclusive advisory lock on a file, held until dropped.
#[derive(Debug)]
pub struct FileLock(fs::File);

impl FileLock {
    /// Waits at most `wait` for the lock on `path` (created 0600 if
    /// missing): a process that holds it and is stopped or hung must not
    /// freeze this one.
    pub(super) fn acquire_within(path: &Path, wait: Duration) -> Result<Self, StoreError> {
        let mut options = private_file_options();
        options.create(true).truncate(false).write(true);
        let file = options.open(path).map_err(io_error("io-open", path))?;
        match file.try_lock() {
            Ok(()) => return Ok(Self(file)),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(err)) => return Err(io_error("io-lock", path)(err)),
        }
        // Held elsewhere: wait for it on a thread of its own, for a bounded
        // time. If it comes later, the thread finds nobody waiting and lets go.
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("file-lock".into())
            .spawn(move || {
                let locked = file.lock().map(|()| file);
                let _ = sender.send(locked);
            })
            .map_err(io_error("io-lock", path))?;
        match receiver.recv_timeout(wait) {
            Ok(Ok(file)) => Ok(Self(file)),
            Ok(Err(err)) => Err(io_error("io-lock", path)(err)),
            Err(_) => Err(StoreError::LockTimeout { path: path.to_path_buf(), seconds: wait.as_secs() }),
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}
