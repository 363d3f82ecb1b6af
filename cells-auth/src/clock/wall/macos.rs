//! macOS: no wall-clock timer is at hand without the dispatch library, so a
//! monotonic sleep (which stands still while the Mac sleeps) is never
//! trusted for longer than 30 s: after a wake, the moment is looked at
//! again within that.

use chrono::{DateTime, Utc};

const CHECK: std::time::Duration = std::time::Duration::from_secs(30);

pub(super) async fn wait_once(at: DateTime<Utc>) {
    let left = (at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left.min(CHECK)).await;
}
