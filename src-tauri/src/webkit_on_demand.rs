//! WebKitGTK, loaded when the first window is made rather than at start.
//!
//! Linked as usual, WebKitGTK and what it needs (JavaScriptCore, GStreamer,
//! the speech voices) are mapped and relocated before `main`: about 30 MiB
//! of an app that spends its life hidden in the tray. Here every WebKitGTK,
//! JavaScriptCore and libsoup function the app calls is defined by a small
//! stub of our own, so the linker (which passes `--as-needed`) records no
//! need for those libraries. The first call of a stub opens WebKitGTK, looks
//! the function up, and keeps its address for the calls after it. The same
//! is done by the tray (`libappindicator` is opened when the tray is made).
//!
//! The functions are those the app's dependencies call: should an update
//! call one more, the linker takes it from the library as before and the
//! app loads WebKitGTK at start again. The test
//! `started_at_login_webkit_is_not_even_loaded` says which function it was.

use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// WebKitGTK's library, whose dependencies hold JavaScriptCore and libsoup:
/// a lookup through its handle finds their functions too.
const LIBRARY: &CStr = c"libwebkit2gtk-4.1.so.0";

/// Opens WebKitGTK, once. Called before the first window is made, so that
/// a library that cannot be loaded is said there and not in a stub.
pub fn load() -> Result<(), String> {
    library().map(|_| ())
}

static HANDLE: OnceLock<Result<usize, String>> = OnceLock::new();

fn library() -> Result<usize, String> {
    HANDLE
        .get_or_init(|| {
            // Global, as a library the linker had recorded would be; lazy, as
            // the loader binds a program's libraries. Deep: its libraries'
            // symbols are looked up among themselves first. Otherwise each
            // of some 70,000 lookups first goes through the hundred
            // libraries GTK already loaded, and the load took 74 ms instead
            // of the 53 ms it takes linked; it takes 47 ms so. The same
            // symbols are found: what both scopes hold is the same objects,
            // and the app defines none of these libraries' symbols.
            let mut flags = libc::RTLD_LAZY | libc::RTLD_GLOBAL;
            if !preloaded() {
                flags |= libc::RTLD_DEEPBIND;
            }
            // SAFETY: a constant name; dlopen may be called from any thread.
            let handle = unsafe { libc::dlopen(LIBRARY.as_ptr(), flags) };
            if handle.is_null() {
                Err(format!("WebKitGTK cannot be loaded ({}); install libwebkit2gtk-4.1-0", last_error()))
            } else {
                Ok(handle as usize)
            }
        })
        .clone()
}

/// A library preloaded by the user or the system (an allocator, a
/// sanitizer) is meant to come before every other; deep binding would let
/// WebKitGTK's libraries pass it by (its `malloc` against libc's `free`).
fn preloaded() -> bool {
    std::env::var_os("LD_PRELOAD").is_some_and(|list| !list.is_empty())
        || std::fs::metadata("/etc/ld.so.preload").is_ok_and(|file| file.len() > 0)
}

fn last_error() -> String {
    // SAFETY: dlerror returns null or a C string valid until the next dl call.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        "no reason given".into()
    } else {
        unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned()
    }
}

/// Called by a stub's first call, with the function's name and the stub's
/// slot: returns the function's address, and keeps it in the slot. A stub
/// cannot return an error, so one is said on stderr and the app exits.
extern "C" fn resolve(name: *const c_char, slot: *const AtomicUsize) -> usize {
    // SAFETY: the stubs pass their own NUL-terminated name and slot.
    let (name, slot) = unsafe { (CStr::from_ptr(name), &*slot) };
    let address = library().and_then(|handle| {
        // SAFETY: a handle dlopen returned, and a C string.
        let function = unsafe { libc::dlsym(handle as *mut c_void, name.as_ptr()) };
        if function.is_null() {
            Err(format!(
                "WebKitGTK has no {} ({}); install a newer libwebkit2gtk-4.1-0",
                name.to_string_lossy(),
                last_error()
            ))
        } else {
            Ok(function as usize)
        }
    });
    match address {
        Ok(address) => {
            slot.store(address, Ordering::Release);
            address
        }
        Err(err) => {
            eprintln!("cells-sync: {err}");
            std::process::exit(1);
        }
    }
}

/// Tauri asks for WebKitGTK's version when it starts, only to know that a
/// webview can be made (on Linux the answer is always yes). Until WebKitGTK
/// is loaded, these answer 0 rather than load it; the app shows no version
/// before its window is made.
extern "C" fn major_version() -> u32 {
    loaded_version(c"webkit_get_major_version")
}

extern "C" fn minor_version() -> u32 {
    loaded_version(c"webkit_get_minor_version")
}

extern "C" fn micro_version() -> u32 {
    loaded_version(c"webkit_get_micro_version")
}

fn loaded_version(name: &CStr) -> u32 {
    let Some(Ok(handle)) = HANDLE.get() else { return 0 };
    // SAFETY: a handle dlopen returned, and a C string.
    let function = unsafe { libc::dlsym(*handle as *mut c_void, name.as_ptr()) };
    if function.is_null() {
        return 0;
    }
    // SAFETY: WebKitGTK's `guint webkit_get_*_version(void)`.
    let version: extern "C" fn() -> u32 = unsafe { std::mem::transmute(function) };
    version()
}

/// A stub per function: jump to the kept address, or have it resolved. The
/// resolver is called with the caller's argument registers saved (the
/// System V ABI's six integer, eight vector, and `%al` for variadic calls),
/// and the stub then jumps to the function as if it had been called.
macro_rules! stubs {
    ($($name:ident)*) => {
        core::arch::global_asm!(
            $(
                ".pushsection .bss.cells_webkit_on_demand,\"aw\",@nobits",
                ".p2align 3",
                concat!(".Lslot_", stringify!($name), ": .zero 8"),
                ".popsection",
                ".pushsection .rodata.cells_webkit_on_demand,\"a\",@progbits",
                concat!(".Lname_", stringify!($name), ": .asciz \"", stringify!($name), "\""),
                ".popsection",
                ".pushsection .text.cells_webkit_on_demand,\"ax\",@progbits",
                concat!(".globl ", stringify!($name)),
                concat!(".hidden ", stringify!($name)),
                concat!(".type ", stringify!($name), ",@function"),
                ".p2align 4",
                concat!(stringify!($name), ":"),
                concat!("movq .Lslot_", stringify!($name), "(%rip), %r11"),
                "testq %r11, %r11",
                "jz 2f",
                "jmpq *%r11",
                "2:",
                concat!("leaq .Lname_", stringify!($name), "(%rip), %r10"),
                concat!("leaq .Lslot_", stringify!($name), "(%rip), %r11"),
                "jmp .Lcells_webkit_resolve",
                ".popsection",
            )*
            ".pushsection .text.cells_webkit_on_demand,\"ax\",@progbits",
            ".globl webkit_get_major_version",
            ".hidden webkit_get_major_version",
            "webkit_get_major_version: jmp {major}",
            ".globl webkit_get_minor_version",
            ".hidden webkit_get_minor_version",
            "webkit_get_minor_version: jmp {minor}",
            ".globl webkit_get_micro_version",
            ".hidden webkit_get_micro_version",
            "webkit_get_micro_version: jmp {micro}",
            ".p2align 4",
            ".Lcells_webkit_resolve:",
            // Entered with the stack as the caller left it (8 mod 16).
            "pushq %rax",
            "pushq %rdi",
            "pushq %rsi",
            "pushq %rdx",
            "pushq %rcx",
            "pushq %r8",
            "pushq %r9",
            "subq $128, %rsp",
            "movdqu %xmm0, 0(%rsp)",
            "movdqu %xmm1, 16(%rsp)",
            "movdqu %xmm2, 32(%rsp)",
            "movdqu %xmm3, 48(%rsp)",
            "movdqu %xmm4, 64(%rsp)",
            "movdqu %xmm5, 80(%rsp)",
            "movdqu %xmm6, 96(%rsp)",
            "movdqu %xmm7, 112(%rsp)",
            // Seven pushes and 128 bytes: the stack is 16-byte aligned for the call.
            "movq %r10, %rdi",
            "movq %r11, %rsi",
            "call {resolve}",
            "movq %rax, %r11",
            "movdqu 0(%rsp), %xmm0",
            "movdqu 16(%rsp), %xmm1",
            "movdqu 32(%rsp), %xmm2",
            "movdqu 48(%rsp), %xmm3",
            "movdqu 64(%rsp), %xmm4",
            "movdqu 80(%rsp), %xmm5",
            "movdqu 96(%rsp), %xmm6",
            "movdqu 112(%rsp), %xmm7",
            "addq $128, %rsp",
            "popq %r9",
            "popq %r8",
            "popq %rcx",
            "popq %rdx",
            "popq %rsi",
            "popq %rdi",
            "popq %rax",
            "jmpq *%r11",
            ".popsection",
            resolve = sym resolve,
            major = sym major_version,
            minor = sym minor_version,
            micro = sym micro_version,
            options(att_syntax),
        );
    };
}

stubs! {
    // WebKitGTK
    webkit_application_info_new webkit_application_info_set_name webkit_application_info_set_version
    webkit_application_info_unref webkit_automation_session_set_application_info webkit_autoplay_policy_get_type
    webkit_cookie_manager_add_cookie webkit_cookie_manager_add_cookie_finish webkit_cookie_manager_delete_cookie
    webkit_cookie_manager_delete_cookie_finish webkit_cookie_manager_get_all_cookies
    webkit_cookie_manager_get_all_cookies_finish webkit_cookie_manager_get_cookies
    webkit_cookie_manager_get_cookies_finish webkit_cookie_manager_set_persistent_storage webkit_download_cancel
    webkit_download_get_destination webkit_download_get_request webkit_download_set_destination
    webkit_geolocation_permission_request_get_type
    webkit_input_method_context_set_enable_preedit webkit_javascript_result_get_js_value
    webkit_javascript_result_unref webkit_navigation_action_copy webkit_navigation_action_free
    webkit_navigation_action_get_request webkit_navigation_policy_decision_get_navigation_action
    webkit_navigation_policy_decision_get_type webkit_network_proxy_settings_free webkit_network_proxy_settings_new
    webkit_notification_permission_request_get_type webkit_permission_request_allow webkit_permission_request_deny
    webkit_pointer_lock_permission_request_get_type webkit_policy_decision_ignore webkit_policy_decision_use
    webkit_print_operation_new webkit_print_operation_run_dialog webkit_security_manager_register_uri_scheme_as_secure
    webkit_settings_set_enable_back_forward_navigation_gestures webkit_settings_set_enable_developer_extras
    webkit_settings_set_enable_javascript webkit_settings_set_enable_page_cache webkit_settings_set_enable_webaudio
    webkit_settings_set_enable_webgl webkit_settings_set_hardware_acceleration_policy
    webkit_settings_set_javascript_can_access_clipboard webkit_settings_set_user_agent
    webkit_uri_request_get_http_headers webkit_uri_request_get_type webkit_uri_request_get_uri
    webkit_uri_scheme_request_finish_error webkit_uri_scheme_request_finish_with_response
    webkit_uri_scheme_request_get_http_body webkit_uri_scheme_request_get_http_headers
    webkit_uri_scheme_request_get_http_method webkit_uri_scheme_request_get_uri
    webkit_uri_scheme_request_get_web_view webkit_uri_scheme_response_new webkit_uri_scheme_response_set_content_type
    webkit_uri_scheme_response_set_http_headers webkit_uri_scheme_response_set_status
    webkit_user_content_manager_add_script webkit_user_content_manager_get_type webkit_user_content_manager_new
    webkit_user_content_manager_register_script_message_handler webkit_user_media_permission_request_get_type
    webkit_user_script_new webkit_user_script_unref webkit_web_context_get_security_manager
    webkit_web_context_get_type webkit_web_context_get_website_data_manager webkit_web_context_new_ephemeral
    webkit_web_context_register_uri_scheme webkit_web_context_set_automation_allowed
    webkit_web_context_set_use_system_appearance_for_scrollbars webkit_web_context_set_web_extensions_directory
    webkit_web_view_get_context webkit_web_view_get_input_method_context webkit_web_view_get_settings
    webkit_web_view_get_title webkit_web_view_get_type webkit_web_view_get_uri
    webkit_web_view_get_user_content_manager webkit_web_view_get_website_data_manager webkit_web_view_load_html
    webkit_web_view_load_request webkit_web_view_load_uri webkit_web_view_reload webkit_web_view_run_javascript
    webkit_web_view_run_javascript_finish webkit_web_view_set_background_color webkit_web_view_set_zoom_level
    webkit_website_data_manager_clear webkit_website_data_manager_clear_finish
    webkit_website_data_manager_get_cookie_manager webkit_website_data_manager_get_type
    webkit_website_data_manager_set_network_proxy_settings webkit_website_policies_get_type
    // WebKitGTK, in debug builds too (their web inspector)
    webkit_automation_session_get_type webkit_cookie_manager_get_type webkit_download_get_type
    webkit_input_method_context_get_type webkit_permission_request_get_type webkit_policy_decision_get_type
    webkit_print_operation_get_type webkit_security_manager_get_type webkit_settings_get_type
    webkit_uri_scheme_request_get_type webkit_uri_scheme_response_get_type webkit_web_inspector_close
    webkit_web_inspector_get_type webkit_web_inspector_show webkit_web_view_get_inspector
    // JavaScriptCore
    jsc_value_get_type jsc_value_to_json jsc_value_to_string
    // libsoup
    soup_cookie_free soup_cookie_get_domain soup_cookie_get_expires soup_cookie_get_http_only soup_cookie_get_name
    soup_cookie_get_path soup_cookie_get_same_site_policy soup_cookie_get_secure soup_cookie_get_value soup_cookie_new
    soup_cookie_set_expires soup_cookie_set_http_only soup_cookie_set_same_site_policy soup_cookie_set_secure
    soup_message_headers_append soup_message_headers_foreach soup_message_headers_new soup_message_headers_ref
    soup_message_headers_unref
}
