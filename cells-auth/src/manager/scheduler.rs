//! The background refresh: wakes for the next due account, or when told.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};

use super::refresh::Need;
use super::registry::{lock, AccountManager, Slot};
use super::timing::due_at;

impl AccountManager {
    /// When the background refresh should next look at the accounts.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let slots: Vec<Arc<Slot>> = lock(&self.inner.slots).values().cloned().collect();
        slots.iter().filter_map(|slot| due_at(&lock(&slot.state).account)).min()
    }

    /// Refreshes every account that is due (proactively, or to retry after
    /// a passing failure); returns how many were attempted.
    pub async fn refresh_due(&self) -> usize {
        let now = self.inner.clock.now();
        let due: Vec<Arc<Slot>> = lock(&self.inner.slots)
            .values()
            .filter(|slot| due_at(&lock(&slot.state).account).is_some_and(|at| at <= now))
            .cloned()
            .collect();
        for slot in &due {
            let _ = self.refresh_once(slot, Need::Proactive).await;
        }
        due.len()
    }

    /// Keeps every account fresh in the background until the task is aborted.
    pub fn spawn_background_refresh(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.clone().keep_fresh())
    }

    /// The background refresh loop itself, for a caller with its own runtime.
    pub async fn keep_fresh(self) {
        loop {
            let now = self.inner.clock.now();
            let wait = self
                .next_due()
                .map(|at| (at - now).to_std().unwrap_or_default())
                .unwrap_or(StdDuration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(wait) => { self.refresh_due().await; }
                _ = self.inner.wake.notified() => {}
            }
        }
    }
}
