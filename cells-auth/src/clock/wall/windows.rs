//! Windows: a waitable timer with an absolute due time. An absolute due
//! time is on the system clock: it follows clock changes, and a timer due
//! while the machine slept is signalled as soon as it resumes. The timer is
//! waited for on a thread of its own, with an event that ends the wait when
//! the sleeper is dropped.

use std::os::windows::io::{AsRawHandle as _, FromRawHandle as _, OwnedHandle};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use windows_sys::Win32::System::Threading::{
    CreateEventW, CreateWaitableTimerExW, SetEvent, SetWaitableTimer, WaitForMultipleObjects, INFINITE,
    TIMER_ALL_ACCESS,
};

/// 100 ns intervals from 1601-01-01 to 1970-01-01.
const UNIX_EPOCH_AS_FILETIME: i64 = 116_444_736_000_000_000;

pub(super) async fn wait_once(at: DateTime<Utc>) {
    match WallTimer::at(at) {
        Ok(timer) => timer.wait().await,
        Err(_) => tokio::time::sleep(super::RETRY).await,
    }
}

struct WallTimer {
    timer: OwnedHandle,
    stop: Arc<OwnedHandle>,
}

/// Ends the waiting thread when the sleeper goes away.
struct StopOnDrop(Arc<OwnedHandle>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        // SAFETY: an event handle that is alive while this Arc is.
        unsafe { SetEvent(self.0.as_raw_handle()) };
    }
}

fn handle(raw: *mut core::ffi::c_void) -> std::io::Result<OwnedHandle> {
    if raw.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a handle just made for us, closed once by OwnedHandle.
    Ok(unsafe { OwnedHandle::from_raw_handle(raw) })
}

impl WallTimer {
    fn at(at: DateTime<Utc>) -> std::io::Result<Self> {
        // SAFETY: no names, default security; the handles are ours.
        let timer = handle(unsafe { CreateWaitableTimerExW(std::ptr::null(), std::ptr::null(), 0, TIMER_ALL_ACCESS) })?;
        // SAFETY: as above; a manual-reset event, not signalled.
        let stop = handle(unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) })?;
        // Positive: an absolute time, in 100 ns since 1601, UTC.
        let due =
            at.timestamp().max(0) * 10_000_000 + i64::from(at.timestamp_subsec_nanos() / 100) + UNIX_EPOCH_AS_FILETIME;
        // SAFETY: a timer handle and a due time that outlives the call; no completion routine.
        if unsafe { SetWaitableTimer(timer.as_raw_handle(), &due, 0, None, std::ptr::null(), 0) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self { timer, stop: Arc::new(stop) })
    }

    /// Until the timer fires.
    async fn wait(self) {
        let (fired, waited) = tokio::sync::oneshot::channel();
        let stop = self.stop.clone();
        let _stop_on_drop = StopOnDrop(self.stop);
        let timer = self.timer;
        let spawned = std::thread::Builder::new().name("wall-timer".into()).spawn(move || {
            let handles = [timer.as_raw_handle(), stop.as_raw_handle()];
            // SAFETY: two handles kept alive by this thread until the wait ends.
            unsafe { WaitForMultipleObjects(2, handles.as_ptr(), 0, INFINITE) };
            let _ = fired.send(());
        });
        match spawned {
            Ok(_) => {
                let _ = waited.await;
            }
            Err(_) => tokio::time::sleep(super::RETRY).await,
        }
    }
}
