//! The background refresh: wakes for the next due account, or when told.

use std::sync::Arc;

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
    /// It sleeps until the next deadline by the wall clock (timers that stop
    /// while the machine sleeps would wake it late), or until told: it wakes
    /// for nothing else.
    pub async fn keep_fresh(self) {
        loop {
            let next = self.next_due().map(|at| self.inner.clock.sleep_until(at));
            tokio::select! {
                _ = async { match next { Some(sleep) => sleep.await, None => std::future::pending().await } } => {
                    self.refresh_due().await;
                }
                _ = self.inner.wake.notified() => {}
            }
        }
    }

    /// The machine woke from sleep, or its network came back: accounts
    /// waiting out a passing failure try again now (their backoff starts
    /// over), and every account that is due is refreshed at once.
    pub async fn resumed(&self) {
        let slots: Vec<Arc<Slot>> = lock(&self.inner.slots).values().cloned().collect();
        for slot in slots {
            if lock(&slot.state).account.next_attempt_at.is_none() {
                continue;
            }
            self.change_account(&slot, |account| {
                account.next_attempt_at = None;
                account.failures = 0;
            })
            .await;
            self.emit(&slot.id);
        }
        self.inner.wake.notify_one();
    }
}
