//! Named points where crash-safety tests stop the process, as a power cut
//! would, or make a step fail that the outside cannot make fail. Compiled
//! in only with the `failpoints` feature; a no-op otherwise.

/// The environment variable naming the point to stop at.
pub const FAILPOINT_ENV: &str = "CELLS_AUTH_FAILPOINT";

/// Aborts the process, without unwinding or cleaning up, when `FAILPOINT_ENV` names `name`.
#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
    if std::env::var(FAILPOINT_ENV).as_deref() == Ok(name) {
        std::process::abort();
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_name: &str) {}

/// Whether `FAILPOINT_ENV` names `name`: the step there must fail.
#[cfg(feature = "failpoints")]
pub fn fails(name: &str) -> bool {
    std::env::var(FAILPOINT_ENV).as_deref() == Ok(name)
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn fails(_name: &str) -> bool {
    false
}

/// Whether this build can stop at failpoints (shown by `--version`).
pub const ENABLED: bool = cfg!(feature = "failpoints");
