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

/// Waiting for a wall-clock moment.
mod wall {
    use chrono::{DateTime, Utc};

    /// Without a wall-clock timer, a monotonic one never trusted for longer
    /// than this (it stands still while the machine sleeps).
    #[cfg(not(target_os = "linux"))]
    const CHECK: std::time::Duration = std::time::Duration::from_secs(30);

    pub(super) async fn sleep_until(at: DateTime<Utc>) {
        while Utc::now() < at {
            wait_once(at).await;
        }
    }

    /// Linux: a timer on the wall clock itself (`timerfd`, `CLOCK_REALTIME`,
    /// absolute). It fires at `at` even across a suspend, and early when the
    /// clock is set (`TFD_TIMER_CANCEL_ON_SET`), after which the moment is
    /// looked at again. The process wakes for nothing else.
    #[cfg(target_os = "linux")]
    async fn wait_once(at: DateTime<Utc>) {
        match timer::WallTimer::at(at) {
            Ok(timer) => timer.wait().await,
            // No timer to be had (out of descriptors): look again in a while.
            Err(_) => tokio::time::sleep(std::time::Duration::from_secs(30)).await,
        }
    }

    #[cfg(not(target_os = "linux"))]
    async fn wait_once(at: DateTime<Utc>) {
        let left = (at - Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(left.min(CHECK)).await;
    }

    #[cfg(target_os = "linux")]
    mod timer {
        use std::io;
        use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};

        use chrono::{DateTime, Utc};
        use tokio::io::unix::AsyncFd;
        use tokio::io::Interest;

        pub(super) struct WallTimer(AsyncFd<OwnedFd>);

        impl WallTimer {
            pub(super) fn at(at: DateTime<Utc>) -> io::Result<Self> {
                // SAFETY: timerfd_create takes no pointers; a non-negative
                // result is a descriptor we own from here on.
                let fd = unsafe { libc::timerfd_create(libc::CLOCK_REALTIME, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
                if fd < 0 {
                    return Err(io::Error::last_os_error());
                }
                // SAFETY: as above.
                let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                let spec = libc::itimerspec {
                    it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
                    it_value: libc::timespec {
                        tv_sec: at.timestamp().max(0) as libc::time_t,
                        // Never zero: an all-zero it_value disarms the timer.
                        tv_nsec: at.timestamp_subsec_nanos().max(1) as libc::c_long,
                    },
                };
                let flags = libc::TFD_TIMER_ABSTIME | libc::TFD_TIMER_CANCEL_ON_SET;
                // SAFETY: a valid descriptor and a valid itimerspec; no old value asked for.
                if unsafe { libc::timerfd_settime(fd.as_raw_fd(), flags, &spec, std::ptr::null_mut()) } < 0 {
                    return Err(io::Error::last_os_error());
                }
                // SAFETY: the AsyncFd owns the OwnedFd, which stays open and
                // the same descriptor until the AsyncFd is dropped.
                let registered = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) };
                Ok(Self(registered.map_err(io::Error::from)?))
            }

            /// Until the timer fires, or the clock is set.
            pub(super) async fn wait(&self) {
                loop {
                    let Ok(mut ready) = self.0.readable().await else { return };
                    let mut expirations = [0u8; 8];
                    // SAFETY: reading 8 bytes into an 8-byte buffer from our descriptor.
                    let read = ready.try_io(|fd| {
                        match unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) } {
                            n if n < 0 => Err(io::Error::last_os_error()),
                            n => Ok(n),
                        }
                    });
                    match read {
                        // Fired, or ECANCELED (the clock was set), or broken: the caller looks at the clock.
                        Ok(_) => return,
                        Err(_would_block) => continue,
                    }
                }
            }
        }
    }
}

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
