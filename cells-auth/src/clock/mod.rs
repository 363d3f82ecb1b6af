//! The clock, injected so that expiry, skew and backoff are tested without
//! sleeping; and waiting for a wall-clock moment, which the background
//! refresh does between deadlines.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// A future that ends at a moment of the clock.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Resolves once [`now`](Self::now) has reached `at`, however the time
    /// got there: by running, by a suspend (which monotonic timers do not
    /// count), or by the clock being set.
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        Box::pin(wall::sleep_until(at))
    }
}

/// A clock that moves only when told to; for tests. Sleepers wake as soon
/// as it is moved past their moment.
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<tokio::sync::watch::Sender<DateTime<Utc>>>);

impl FakeClock {
    pub fn at(start: DateTime<Utc>) -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(start)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.0.send_replace(at);
    }

    pub fn advance(&self, by: Duration) {
        self.0.send_modify(|now| *now += by);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.borrow()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let mut moves = self.0.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, so is the test.
            let _ = moves.wait_for(|now| *now >= at).await;
        })
    }
}

mod wall;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fake_clock_wakes_its_sleepers_when_moved_past_their_moment() {
        let clock = FakeClock::at(Utc::now());
        let at = clock.now() + Duration::hours(2);
        let mut sleeper = clock.sleep_until(at);
        clock.advance(Duration::minutes(119));
        let polled = std::future::poll_fn(|cx| std::task::Poll::Ready(sleeper.as_mut().poll(cx))).await;
        assert!(polled.is_pending(), "a minute early");
        clock.advance(Duration::minutes(1));
        sleeper.await;
    }

    #[tokio::test]
    async fn the_system_clock_wakes_at_a_wall_clock_moment() {
        let at = Utc::now() + Duration::milliseconds(50);
        SystemClock.sleep_until(at).await;
        assert!(Utc::now() >= at);
        // A moment already past resolves at once.
        SystemClock.sleep_until(Utc::now() - Duration::hours(1)).await;
    }
}
