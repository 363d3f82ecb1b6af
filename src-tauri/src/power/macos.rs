//! macOS: the shared workspace's `NSWorkspaceDidWakeNotification`, observed
//! on its notification center for the life of the app.

use std::ptr::NonNull;

use block2::RcBlock;
use cells_auth::manager::AccountManager;
use objc2_app_kit::{NSWorkspace, NSWorkspaceDidWakeNotification};
use objc2_foundation::NSNotification;

pub(super) fn watch(manager: AccountManager) {
    let block = RcBlock::new(move |_: NonNull<NSNotification>| super::resumed(&manager));
    let center = NSWorkspace::sharedWorkspace().notificationCenter();
    // SAFETY: a notification name of AppKit's, no object filter, the posting
    // queue; the block is retained by the center.
    let observer = unsafe {
        center.addObserverForName_object_queue_usingBlock(Some(NSWorkspaceDidWakeNotification), None, None, &block)
    };
    // Observed for as long as the app runs.
    std::mem::forget(observer);
}
