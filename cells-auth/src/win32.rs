//! Windows security, in the few calls the seams need: this user's SID, the
//! user a process runs as, and a security descriptor that admits only this
//! user. Used by the agent's named pipe and by the owner-only files.

use std::io;
use std::os::windows::io::{AsRawHandle as _, FromRawHandle as _, OwnedHandle};

use windows_sys::Win32::Foundation::{LocalFree, HANDLE};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    EqualSid, GetLengthSid, GetTokenInformation, IsWellKnownSid, TokenUser, WinBuiltinAdministratorsSid,
    WinLocalSystemSid, PSECURITY_DESCRIPTOR, PSID, SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// A security identifier, copied out of whatever held it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Sid(Vec<u8>);

impl std::fmt::Debug for Sid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sid({})", self.to_string_form())
    }
}

impl Sid {
    /// Copies the SID at `sid`.
    ///
    /// # Safety
    /// `sid` points at a valid SID.
    pub(crate) unsafe fn copy_from(sid: PSID) -> Self {
        let len = GetLengthSid(sid) as usize;
        Self(std::slice::from_raw_parts(sid.cast::<u8>(), len).to_vec())
    }

    pub(crate) fn as_psid(&self) -> PSID {
        self.0.as_ptr().cast_mut().cast()
    }

    /// Whether the SID at `other` is this one.
    ///
    /// # Safety
    /// `other` points at a valid SID.
    pub(crate) unsafe fn is(&self, other: PSID) -> bool {
        EqualSid(self.as_psid(), other) != 0
    }

    /// `S-1-5-21-...`.
    pub(crate) fn to_string_form(&self) -> String {
        let mut text: *mut u16 = std::ptr::null_mut();
        // SAFETY: a valid SID in; the string out is LocalAlloc'd and freed below.
        unsafe {
            if ConvertSidToStringSidW(self.as_psid(), &mut text) == 0 {
                return String::from("S-?");
            }
            let form = from_wide_nul(text);
            LocalFree(text.cast());
            form
        }
    }
}

/// The system and the machine's administrators, who may write anywhere:
/// their access is not another user's.
///
/// # Safety
/// `sid` points at a valid SID.
pub(crate) unsafe fn is_system_or_administrators(sid: PSID) -> bool {
    IsWellKnownSid(sid, WinLocalSystemSid) != 0 || IsWellKnownSid(sid, WinBuiltinAdministratorsSid) != 0
}

/// # Safety
/// `text` points at a NUL-terminated UTF-16 string.
unsafe fn from_wide_nul(text: *const u16) -> String {
    let mut len = 0;
    while *text.add(len) != 0 {
        len += 1;
    }
    String::from_utf16_lossy(std::slice::from_raw_parts(text, len))
}

/// A NUL-terminated UTF-16 copy of `text`, for the `W` calls.
pub(crate) fn wide(text: impl AsRef<std::ffi::OsStr>) -> Vec<u16> {
    use std::os::windows::ffi::OsStrExt as _;
    text.as_ref().encode_wide().chain(std::iter::once(0)).collect()
}

/// The user this process runs as.
pub(crate) fn current_user() -> io::Result<Sid> {
    // SAFETY: the pseudo-handle of this process needs no closing.
    token_user(unsafe { GetCurrentProcess() })
}

/// The user the process `pid` runs as.
pub(crate) fn process_user(pid: u32) -> io::Result<Sid> {
    // SAFETY: OpenProcess takes no pointers; a non-null handle is ours to close.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    let process = unsafe { OwnedHandle::from_raw_handle(process) };
    token_user(process.as_raw_handle())
}

fn token_user(process: HANDLE) -> io::Result<Sid> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: a process handle in, a token handle out that we then own.
    if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    let mut needed = 0u32;
    // SAFETY: asks for the size only.
    unsafe { GetTokenInformation(token.as_raw_handle(), TokenUser, std::ptr::null_mut(), 0, &mut needed) };
    // u64s keep the TOKEN_USER aligned.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    // SAFETY: a buffer of at least `needed` bytes.
    let done = unsafe {
        GetTokenInformation(token.as_raw_handle(), TokenUser, buffer.as_mut_ptr().cast(), needed, &mut needed)
    };
    if done == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: GetTokenInformation wrote a TOKEN_USER whose SID lies in the buffer.
    Ok(unsafe { Sid::copy_from((*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid) })
}

/// A security descriptor made from SDDL, freed on drop.
pub(crate) struct SecurityDescriptor(PSECURITY_DESCRIPTOR);

// SAFETY: the descriptor is plain memory, only read after it is made.
unsafe impl Send for SecurityDescriptor {}
// SAFETY: as above.
unsafe impl Sync for SecurityDescriptor {}

impl SecurityDescriptor {
    /// Full access for this user alone, inherited by what is created
    /// inside (a directory's files); nothing inherited from above (`P`).
    pub(crate) fn only_current_user() -> io::Result<Self> {
        let user = current_user()?.to_string_form();
        Self::from_sddl(&format!("D:P(A;OICI;FA;;;{user})"))
    }

    fn from_sddl(sddl: &str) -> io::Result<Self> {
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        let text = wide(sddl);
        // SAFETY: a NUL-terminated string in; a LocalAlloc'd descriptor out, freed on drop.
        let done = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                text.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if done == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self(descriptor))
    }

    /// Attributes for a `Create*` call; valid while `self` lives.
    pub(crate) fn attributes(&self) -> SECURITY_ATTRIBUTES {
        SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.0,
            bInheritHandle: 0,
        }
    }
}

impl Drop for SecurityDescriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
        unsafe { LocalFree(self.0) };
    }
}
