//! The X server the desktop tests run on (Xvfb): windows being mapped and
//! unmapped, closing one as its title bar would, and a picture of what one
//! shows on the screen.

use std::os::raw::{c_int, c_long, c_uchar, c_ulong};
use std::time::{Duration, Instant};

use x11_dl::xlib;

/// The X display, listening to the root window's children being mapped and unmapped.
pub struct Display {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
}

impl Display {
    pub fn open() -> Self {
        let xlib = xlib::Xlib::open().expect("libX11 (the bench runs under Xvfb)");
        // SAFETY: Xlib calls on a display we opened and close on drop.
        unsafe {
            let display = (xlib.XOpenDisplay)(std::ptr::null());
            assert!(!display.is_null(), "no X display: run under xvfb-run");
            let root = (xlib.XDefaultRootWindow)(display);
            (xlib.XSelectInput)(display, root, xlib::SubstructureNotifyMask);
            (xlib.XSync)(display, xlib::False);
            Self { xlib, display }
        }
    }

    /// The next event of `kind` for a top-level, non-override-redirect window, within `timeout`.
    pub fn wait_for(&self, kind: i32, timeout: Duration) -> Option<xlib::Window> {
        let deadline = Instant::now() + timeout;
        // SAFETY: as above; the event is read only as the variant its type names.
        unsafe {
            let fd = (self.xlib.XConnectionNumber)(self.display);
            loop {
                while (self.xlib.XPending)(self.display) > 0 {
                    let mut event: xlib::XEvent = std::mem::zeroed();
                    (self.xlib.XNextEvent)(self.display, &mut event);
                    match event.get_type() {
                        xlib::MapNotify if kind == xlib::MapNotify && event.map.override_redirect == 0 => {
                            return Some(event.map.window)
                        }
                        xlib::UnmapNotify if kind == xlib::UnmapNotify => return Some(event.unmap.window),
                        _ => {}
                    }
                }
                let left = deadline.checked_duration_since(Instant::now())?;
                let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                libc::poll(&mut poll, 1, left.as_millis().min(i32::MAX as u128) as i32);
            }
        }
    }

    /// Asks `window` to close, as its title bar's close button does (WM_DELETE_WINDOW).
    pub fn close(&self, window: xlib::Window) {
        // SAFETY: as above.
        unsafe {
            let protocols = (self.xlib.XInternAtom)(self.display, c"WM_PROTOCOLS".as_ptr(), xlib::False);
            let delete = (self.xlib.XInternAtom)(self.display, c"WM_DELETE_WINDOW".as_ptr(), xlib::False);
            let mut message: xlib::XClientMessageEvent = std::mem::zeroed();
            message.type_ = xlib::ClientMessage;
            message.window = window;
            message.message_type = protocols;
            message.format = 32;
            message.data.set_long(0, delete as c_long);
            message.data.set_long(1, xlib::CurrentTime as c_long);
            let mut event = xlib::XEvent { client_message: message };
            (self.xlib.XSendEvent)(self.display, window, xlib::False, xlib::NoEventMask, &mut event);
            (self.xlib.XFlush)(self.display);
        }
    }

    /// What the viewable top-level window of process `pid` shows on the
    /// screen, as a PNG; `None` when that process has no such window.
    pub fn capture_png(&self, pid: u32) -> Option<Vec<u8>> {
        let window = self.top_level_of(pid)?;
        // SAFETY: as above; the image is read within its width, height and
        // bytes per line, and destroyed by its own function.
        unsafe {
            let mut attributes: xlib::XWindowAttributes = std::mem::zeroed();
            (self.xlib.XGetWindowAttributes)(self.display, window, &mut attributes);
            let (width, height) = (attributes.width, attributes.height);
            let image =
                (self.xlib.XGetImage)(self.display, window, 0, 0, width as u32, height as u32, !0, xlib::ZPixmap);
            if image.is_null() {
                return None;
            }
            let get_pixel = (*image).funcs.get_pixel?;
            let channel = |pixel: c_ulong, mask: c_ulong| ((pixel & mask) >> mask.trailing_zeros()) as u8;
            let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
            for y in 0..height {
                for x in 0..width {
                    let pixel = get_pixel(image, x, y);
                    rgb.extend([
                        channel(pixel, (*image).red_mask),
                        channel(pixel, (*image).green_mask),
                        channel(pixel, (*image).blue_mask),
                    ]);
                }
            }
            if let Some(destroy) = (*image).funcs.destroy_image {
                destroy(image);
            }
            let mut png = Vec::new();
            let mut encoder = png::Encoder::new(&mut png, width as u32, height as u32);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.write_header().ok()?.write_image_data(&rgb).ok()?;
            Some(png)
        }
    }

    /// The largest viewable, non-override-redirect child of the root whose
    /// `_NET_WM_PID` is `pid` (GTK sets it on its windows itself).
    pub fn top_level_of(&self, pid: u32) -> Option<xlib::Window> {
        // SAFETY: as above; every list and property Xlib returns is freed with XFree.
        unsafe {
            let root = (self.xlib.XDefaultRootWindow)(self.display);
            let wm_pid = (self.xlib.XInternAtom)(self.display, c"_NET_WM_PID".as_ptr(), xlib::False);
            let (mut root_out, mut parent, mut children, mut count) = (0, 0, std::ptr::null_mut(), 0);
            if (self.xlib.XQueryTree)(self.display, root, &mut root_out, &mut parent, &mut children, &mut count) == 0 {
                return None;
            }
            let windows =
                if children.is_null() { &[][..] } else { std::slice::from_raw_parts(children, count as usize) };
            let mut best: Option<(xlib::Window, c_int)> = None;
            for &window in windows {
                let mut attributes: xlib::XWindowAttributes = std::mem::zeroed();
                if (self.xlib.XGetWindowAttributes)(self.display, window, &mut attributes) == 0
                    || attributes.map_state != xlib::IsViewable
                    || attributes.override_redirect != 0
                {
                    continue;
                }
                let (mut kind, mut format, mut items, mut after) = (0, 0 as c_int, 0, 0);
                let mut data: *mut c_uchar = std::ptr::null_mut();
                let read = (self.xlib.XGetWindowProperty)(
                    self.display,
                    window,
                    wm_pid,
                    0,
                    1,
                    xlib::False,
                    xlib::XA_CARDINAL,
                    &mut kind,
                    &mut format,
                    &mut items,
                    &mut after,
                    &mut data,
                );
                let owner = (read == 0 && items == 1 && format == 32 && !data.is_null())
                    .then(|| *(data as *const c_ulong) as u32);
                if !data.is_null() {
                    (self.xlib.XFree)(data.cast());
                }
                let area = attributes.width * attributes.height;
                if owner == Some(pid) && best.is_none_or(|(_, largest)| area > largest) {
                    best = Some((window, area));
                }
            }
            if !children.is_null() {
                (self.xlib.XFree)(children.cast());
            }
            best.map(|(window, _)| window)
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SAFETY: the display we opened.
        unsafe {
            (self.xlib.XCloseDisplay)(self.display);
        }
    }
}
