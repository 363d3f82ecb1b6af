//! Linux: a timer on the wall clock itself (`timerfd`, `CLOCK_REALTIME`,
//! absolute). It fires at the moment even across a suspend, and early when
//! the clock is set (`TFD_TIMER_CANCEL_ON_SET`), after which the moment is
//! looked at again. The process wakes for nothing else.

use std::io;
use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};

use chrono::{DateTime, Utc};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

pub(super) async fn wait_once(at: DateTime<Utc>) {
    match WallTimer::at(at) {
        Ok(timer) => timer.wait().await,
        Err(_) => tokio::time::sleep(super::RETRY).await,
    }
}

struct WallTimer(AsyncFd<OwnedFd>);

impl WallTimer {
    fn at(at: DateTime<Utc>) -> io::Result<Self> {
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
    async fn wait(&self) {
        loop {
            let Ok(mut ready) = self.0.readable().await else { return };
            let mut expirations = [0u8; 8];
            // SAFETY: reading 8 bytes into an 8-byte buffer from our descriptor.
            let read =
                ready.try_io(|fd| match unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) } {
                    n if n < 0 => Err(io::Error::last_os_error()),
                    n => Ok(n),
                });
            match read {
                // Fired, or ECANCELED (the clock was set), or broken: the caller looks at the clock.
                Ok(_) => return,
                Err(_would_block) => continue,
            }
        }
    }
}
