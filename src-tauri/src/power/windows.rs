//! Windows: the resume event of `WM_POWERBROADCAST` (`PBT_APMRESUMEAUTOMATIC`),
//! delivered by callback (`PowerRegisterSuspendResumeNotification`), so no
//! window is needed; and `NotifyIpInterfaceChange` for the network coming
//! back. Both callbacks run on the system's threads for the life of the app.

use std::ffi::c_void;

use cells_auth::manager::AccountManager;
use windows_sys::Win32::Foundation::{ERROR_SUCCESS, HANDLE};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    MibAddInstance, NotifyIpInterfaceChange, MIB_IPINTERFACE_ROW, MIB_NOTIFICATION_TYPE,
};
use windows_sys::Win32::Networking::WinSock::AF_UNSPEC;
use windows_sys::Win32::System::Power::{PowerRegisterSuspendResumeNotification, DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS};
use windows_sys::Win32::UI::WindowsAndMessaging::{DEVICE_NOTIFY_CALLBACK, PBT_APMRESUMEAUTOMATIC};

pub(super) fn watch(manager: AccountManager) {
    // Lives as long as the app: the callbacks may come at any time.
    let context: &'static AccountManager = Box::leak(Box::new(manager));
    let context = std::ptr::from_ref(context).cast::<c_void>().cast_mut();
    let mut parameters = DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS { Callback: Some(on_power), Context: context };
    let mut registration: *mut c_void = std::ptr::null_mut();
    // SAFETY: the parameters are read during the call; the context lives forever.
    let status = unsafe {
        PowerRegisterSuspendResumeNotification(
            DEVICE_NOTIFY_CALLBACK,
            (&raw mut parameters).cast(),
            (&raw mut registration).cast(),
        )
    };
    if status != ERROR_SUCCESS {
        eprintln!("cells-sync: not watching for resume (error {status})");
    }
    let mut network: HANDLE = std::ptr::null_mut();
    // SAFETY: the context lives forever; no initial notification.
    let status = unsafe { NotifyIpInterfaceChange(AF_UNSPEC, Some(on_network), context, false, &mut network) };
    if status != ERROR_SUCCESS {
        eprintln!("cells-sync: not watching for network changes (error {status})");
    }
}

/// # Safety
/// `context` is the leaked `AccountManager` of `watch`.
unsafe extern "system" fn on_power(context: *const c_void, kind: u32, _setting: *const c_void) -> u32 {
    if kind == PBT_APMRESUMEAUTOMATIC {
        super::resumed(&*context.cast::<AccountManager>());
    }
    0
}

/// # Safety
/// As `on_power`.
unsafe extern "system" fn on_network(
    context: *const c_void,
    _row: *const MIB_IPINTERFACE_ROW,
    kind: MIB_NOTIFICATION_TYPE,
) {
    // An interface that comes up is the network coming back.
    if kind == MibAddInstance {
        super::resumed(&*context.cast::<AccountManager>());
    }
}
