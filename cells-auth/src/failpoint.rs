//! Named points where crash-safety tests stop the process, as a power cut
//! would, or make a step fail that the outside cannot make fail. Compiled
//! in only with the `failpoints` feature; a no-op otherwise.

/// The environment variable naming the point to stop at.
pub const FAILPOINT_ENV: &str = "CELLS_AUTH_FAILPOINT";

/// At `name`: aborts the process, without unwinding or cleaning up, when
/// `FAILPOINT_ENV` lists `name`; stops it (SIGSTOP, as a debugger or a
/// suspended laptop would) when it lists `stop:name`, so that a test can
/// change the world around it and let it go on. Entries are comma-separated.
#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
    let Ok(listed) = std::env::var(FAILPOINT_ENV) else { return };
    for entry in listed.split(',') {
        if entry == name {
            std::process::abort();
        }
        #[cfg(unix)]
        if entry.strip_prefix("stop:") == Some(name) {
            // SAFETY: raise has no preconditions; the process continues on SIGCONT.
            unsafe {
                libc::raise(libc::SIGSTOP);
            }
        }
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_name: &str) {}

/// Whether `FAILPOINT_ENV` names `name`: the step there must fail.
#[cfg(feature = "failpoints")]
pub fn fails(name: &str) -> bool {
    std::env::var(FAILPOINT_ENV).is_ok_and(|listed| listed.split(',').any(|entry| entry == name))
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn fails(_name: &str) -> bool {
    false
}

/// Whether this build can stop at failpoints (shown by `--version`).
pub const ENABLED: bool = cfg!(feature = "failpoints");
