//! Windows: access lists. A directory we make gets a protected DACL that
//! grants this user alone, inherited by every file made in it (the account
//! file, its temporary twin, the locks, the cache).

use std::fs;
use std::path::Path;

use windows_sys::Win32::Foundation::{LocalFree, ERROR_SUCCESS};
use windows_sys::Win32::Security::Authorization::{GetNamedSecurityInfoW, SE_FILE_OBJECT};
use windows_sys::Win32::Security::{
    AclSizeInformation, GetAce, GetAclInformation, ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, ACL_SIZE_INFORMATION,
    DACL_SECURITY_INFORMATION, INHERIT_ONLY_ACE, OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
};
use windows_sys::Win32::Storage::FileSystem::CreateDirectoryW;

use crate::i18n::Message;
use crate::store::error::StoreError;
use crate::win32::{self, SecurityDescriptor, Sid};

/// `ACCESS_ALLOWED_ACE_TYPE` (winnt.h).
const ACCESS_ALLOWED_ACE_TYPE: u8 = 0;

const FIX: &str = "private-dir-fix-windows";

/// Rights that let their holder change what is in a directory or a file.
const WRITE_RIGHTS: u32 = 0x0002 // FILE_WRITE_DATA, FILE_ADD_FILE
    | 0x0004 // FILE_APPEND_DATA, FILE_ADD_SUBDIRECTORY
    | 0x0010 // FILE_WRITE_EA
    | 0x0040 // FILE_DELETE_CHILD
    | 0x0100 // FILE_WRITE_ATTRIBUTES
    | 0x0001_0000 // DELETE
    | 0x0004_0000 // WRITE_DAC
    | 0x0008_0000 // WRITE_OWNER
    | 0x1000_0000 // GENERIC_ALL
    | 0x4000_0000; // GENERIC_WRITE

/// Creates `dir` with an access list for this user alone (what is missing
/// above it is made as usual).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent)?;
    }
    let descriptor = SecurityDescriptor::only_current_user()?;
    let attributes = descriptor.attributes();
    let name = win32::wide(dir);
    // SAFETY: a NUL-terminated path, and attributes that outlive the call.
    if unsafe { CreateDirectoryW(name.as_ptr(), &attributes) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Files take their access list from the private directory they are made in.
pub(crate) fn private_file_options() -> fs::OpenOptions {
    fs::OpenOptions::new()
}

/// The directory is this user's and nobody else may write in it.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), StoreError> {
    if !dir.exists() {
        return Ok(());
    }
    let unsafe_dir = |reason: Message| StoreError::UnsafeDir { path: dir.to_path_buf(), reason, fix: FIX };
    let me = win32::current_user().map_err(|source| StoreError::Io {
        action: "io-tell-who-owns",
        path: dir.to_path_buf(),
        source,
    })?;
    let name = win32::wide(dir);
    let mut owner: PSID = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a NUL-terminated path; the pointers out point into `descriptor`, freed below.
    let status = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(StoreError::Io {
            action: "io-read-access-list",
            path: dir.to_path_buf(),
            source: std::io::Error::from_raw_os_error(status as i32),
        });
    }
    // SAFETY: owner and dacl point into the descriptor, alive until LocalFree.
    let verdict = unsafe { judge(&me, owner, dacl) };
    // SAFETY: allocated by GetNamedSecurityInfoW.
    unsafe { LocalFree(descriptor.cast()) };
    verdict.map_err(unsafe_dir)
}

/// # Safety
/// `owner` is a valid SID; `dacl` is null or a valid ACL.
unsafe fn judge(me: &Sid, owner: PSID, dacl: *const ACL) -> Result<(), Message> {
    if owner.is_null() || !(me.is(owner) || win32::is_system_or_administrators(owner)) {
        if owner.is_null() {
            return Err(Message::new("private-dir-no-owner"));
        }
        return Err(Message::new("private-dir-other-owner").with("owner", Sid::copy_from(owner).to_string_form()));
    }
    if dacl.is_null() {
        return Err(Message::new("private-dir-no-access-list"));
    }
    let mut size: ACL_SIZE_INFORMATION = std::mem::zeroed();
    if GetAclInformation(
        dacl,
        (&raw mut size).cast(),
        std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
        AclSizeInformation,
    ) == 0
    {
        return Err(Message::new("private-dir-unreadable-access-list"));
    }
    for index in 0..size.AceCount {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        if GetAce(dacl, index, &mut ace) == 0 {
            return Err(Message::new("private-dir-unreadable-access-list"));
        }
        let header = &*ace.cast::<ACE_HEADER>();
        // Entries for what is made inside only, and denials, grant nothing here.
        if header.AceType != ACCESS_ALLOWED_ACE_TYPE || u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0 {
            continue;
        }
        let allowed = &*ace.cast::<ACCESS_ALLOWED_ACE>();
        let sid: PSID = (&raw const allowed.SidStart).cast_mut().cast();
        if allowed.Mask & WRITE_RIGHTS != 0 && !me.is(sid) && !win32::is_system_or_administrators(sid) {
            return Err(
                Message::new("private-dir-writable-by-others").with("who", Sid::copy_from(sid).to_string_form())
            );
        }
    }
    Ok(())
}
