//! Windows: a value named `com.pydio.CellsSync` under the user's
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\Run` key, which Windows
//! runs at login (and lists in Task Manager's Startup apps).

use cells_auth::i18n::Message;
use tauri::AppHandle;
use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
use windows_sys::Win32::System::Registry::{
    RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW, HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_SZ,
};

use super::{HIDDEN, NAME};
use crate::error::{Error, Result};

const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

pub fn is_on(_app: &AppHandle) -> bool {
    let (key, name) = (wide(RUN), wide(NAME));
    let mut size = 0u32;
    // SAFETY: NUL-terminated names; asks only whether the value is there and its size.
    let status = unsafe {
        RegGetValueW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut size,
        )
    };
    status == ERROR_SUCCESS
}

pub fn set(app: &AppHandle, on: bool) -> Result<bool> {
    let (key, name) = (wide(RUN), wide(NAME));
    let status = if on {
        let program = super::this_program()?;
        let command = wide(&format!("\"{}\" {HIDDEN}", program.display()));
        // SAFETY: NUL-terminated names, and a NUL-terminated REG_SZ of the size given.
        unsafe {
            RegSetKeyValueW(
                HKEY_CURRENT_USER,
                key.as_ptr(),
                name.as_ptr(),
                REG_SZ,
                command.as_ptr().cast(),
                (command.len() * 2) as u32,
            )
        }
    } else {
        // SAFETY: NUL-terminated names.
        match unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, key.as_ptr(), name.as_ptr()) } {
            ERROR_FILE_NOT_FOUND => ERROR_SUCCESS,
            status => status,
        }
    };
    if status != ERROR_SUCCESS {
        let err = std::io::Error::from_raw_os_error(status as i32);
        return Err(Error::new(
            Message::new("app-cannot-change-registry").with("key", format!("HKCU\\{RUN}\\{NAME}")).with("reason", err),
        ));
    }
    Ok(is_on(app))
}
