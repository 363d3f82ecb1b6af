//! Owner-only files and directories: the one part of the account file's
//! handling that differs between systems. The rule is the same on all
//! three: the configuration directory is the user's own and nobody else
//! may write in it (whoever can replace the account file can say where the
//! tokens are sent), and what we create in it only the user can read.
//!
//! | system | made private by | checked by |
//! |---|---|---|
//! | Linux, macOS (`unix.rs`) | mode 0700 / 0600 | owner uid, no group or other write bit |
//! | Windows (`windows.rs`) | a protected DACL granting the user alone, inherited by the files | owner SID, and no ACE allowing writes to anyone but the user, SYSTEM or Administrators |

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

pub(super) use system::{check_private_dir, create_private_dir, private_file_options};
#[cfg(unix)]
pub(crate) use unix::current_uid;
