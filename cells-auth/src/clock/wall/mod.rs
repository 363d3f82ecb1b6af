//! Waiting for a wall-clock moment: the refresh that must happen right
//! after a laptop wakes. A monotonic timer stands still while the machine
//! sleeps; these wake on the wall clock, one file per system:
//!
//! | system | how |
//! |---|---|
//! | Linux (`linux.rs`) | `timerfd` on `CLOCK_REALTIME`, absolute, cancelled when the clock is set |
//! | Windows (`windows.rs`) | a waitable timer with an absolute due time (which follows the system clock) |
//! | macOS (`macos.rs`) | a monotonic sleep never trusted for more than 30 s: the wall clock is looked at again |

use chrono::{DateTime, Utc};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as system;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as system;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as system;

/// Without a timer to be had (out of descriptors or handles), the moment is
/// looked at again after this.
#[cfg_attr(target_os = "macos", allow(dead_code))]
const RETRY: std::time::Duration = std::time::Duration::from_secs(30);

pub(super) async fn sleep_until(at: DateTime<Utc>) {
    while Utc::now() < at {
        system::wait_once(at).await;
    }
}
