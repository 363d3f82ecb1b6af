//! Linux and macOS: modes and the owner's uid.

use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use crate::i18n::Message;
use crate::store::error::StoreError;

/// Creates `dir` (and what is missing above it) with mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a file of mode 0600.
pub(crate) fn private_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

const FIX: &str = "private-dir-fix-unix";

/// The user this process runs as.
pub(crate) fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The directory is this user's and nobody else may write in it.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), StoreError> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(StoreError::Io { action: "io-read", path: dir.to_path_buf(), source }),
    };
    if meta.uid() != current_uid() {
        return Err(StoreError::UnsafeDir {
            path: dir.to_path_buf(),
            reason: Message::new("private-dir-other-owner").with("owner", format!("uid {}", meta.uid())),
            fix: FIX,
        });
    }
    if meta.mode() & 0o022 != 0 {
        return Err(StoreError::UnsafeDir {
            path: dir.to_path_buf(),
            reason: Message::new("private-dir-writable-by-others")
                .with("who", format!("mode {:o}", meta.mode() & 0o777)),
            fix: FIX,
        });
    }
    Ok(())
}
