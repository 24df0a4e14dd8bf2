"""Change-driven capture of an X display, through Xlib (ctypes): MIT-SHM for the copy,
DAMAGE for the moment to copy.

Why not GStreamer's ximagesrc: it captures on a fixed 1/fps tick, so a frame the app drew
waits half a tick on average (17 ms at 30 fps) before it is even copied, and it copies every
tick whether anything changed or not. Here the X server tells us (a DamageNotify event) as
soon as the app has drawn, and the copy is one XShmGetImage into shared memory: no X server
grab, no pixels through the socket.

One thread at a time may use an X11Capture (one Xlib connection, no XInitThreads).
"""
import ctypes
import ctypes.util
import os
import select

_x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
_xext = ctypes.CDLL(ctypes.util.find_library("Xext") or "libXext.so.6")
_xdamage = ctypes.CDLL(ctypes.util.find_library("Xdamage") or "libXdamage.so.1")
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

_c_ulong, _c_int, _c_void_p = ctypes.c_ulong, ctypes.c_int, ctypes.c_void_p

ZPIXMAP = 2
ALL_PLANES = _c_ulong(0xFFFFFFFFFFFFFFFF)
X_DAMAGE_REPORT_NON_EMPTY = 3
X_DAMAGE_NOTIFY = 0
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0


class XShmSegmentInfo(ctypes.Structure):
    _fields_ = [("shmseg", _c_ulong), ("shmid", _c_int), ("shmaddr", _c_void_p), ("readOnly", _c_int)]


class XImage(ctypes.Structure):
    # Only the leading fields we read; the struct is allocated by Xlib.
    _fields_ = [
        ("width", _c_int), ("height", _c_int), ("xoffset", _c_int), ("format", _c_int),
        ("data", _c_void_p), ("byte_order", _c_int), ("bitmap_unit", _c_int),
        ("bitmap_bit_order", _c_int), ("bitmap_pad", _c_int), ("depth", _c_int),
        ("bytes_per_line", _c_int), ("bits_per_pixel", _c_int),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("type", _c_int), ("pad", ctypes.c_long * 24)]


_x11.XOpenDisplay.restype = _c_void_p
_x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x11.XDefaultScreen.argtypes = [_c_void_p]
_x11.XRootWindow.restype = _c_ulong
_x11.XRootWindow.argtypes = [_c_void_p, _c_int]
_x11.XDefaultVisual.restype = _c_void_p
_x11.XDefaultVisual.argtypes = [_c_void_p, _c_int]
_x11.XDefaultDepth.argtypes = [_c_void_p, _c_int]
_x11.XConnectionNumber.argtypes = [_c_void_p]
_x11.XPending.argtypes = [_c_void_p]
_x11.XNextEvent.argtypes = [_c_void_p, ctypes.POINTER(XEvent)]
_x11.XSync.argtypes = [_c_void_p, _c_int]
_x11.XFlush.argtypes = [_c_void_p]
_x11.XCloseDisplay.argtypes = [_c_void_p]
_x11.XFree.argtypes = [_c_void_p]
_xext.XShmQueryExtension.argtypes = [_c_void_p]
_xext.XShmCreateImage.restype = ctypes.POINTER(XImage)
_xext.XShmCreateImage.argtypes = [
    _c_void_p, _c_void_p, ctypes.c_uint, _c_int, _c_void_p, ctypes.POINTER(XShmSegmentInfo),
    ctypes.c_uint, ctypes.c_uint,
]
_xext.XShmAttach.argtypes = [_c_void_p, ctypes.POINTER(XShmSegmentInfo)]
_xext.XShmDetach.argtypes = [_c_void_p, ctypes.POINTER(XShmSegmentInfo)]
_xext.XShmGetImage.argtypes = [_c_void_p, _c_ulong, ctypes.POINTER(XImage), _c_int, _c_int, _c_ulong]
_xdamage.XDamageQueryExtension.argtypes = [_c_void_p, ctypes.POINTER(_c_int), ctypes.POINTER(_c_int)]
_xdamage.XDamageCreate.restype = _c_ulong
_xdamage.XDamageCreate.argtypes = [_c_void_p, _c_ulong, _c_int]
_xdamage.XDamageSubtract.argtypes = [_c_void_p, _c_ulong, _c_ulong, _c_ulong]
_libc.shmget.argtypes = [_c_int, ctypes.c_size_t, _c_int]
_libc.shmat.restype = _c_void_p
_libc.shmat.argtypes = [_c_int, _c_void_p, _c_int]
_libc.shmdt.argtypes = [_c_void_p]
_libc.shmctl.argtypes = [_c_int, _c_int, _c_void_p]


class X11CaptureError(Exception):
    pass


class X11Capture:
    """Copies the rectangle (0, 0, width, height) of the root window of `display`."""

    def __init__(self, display, width, height):
        self.width, self.height = width, height
        self._dpy = _x11.XOpenDisplay(display.encode())
        if not self._dpy:
            raise X11CaptureError(f"cannot open display {display}")
        screen = _x11.XDefaultScreen(self._dpy)
        self._root = _x11.XRootWindow(self._dpy, screen)
        if not _xext.XShmQueryExtension(self._dpy):
            raise X11CaptureError("the X server has no MIT-SHM")
        event_base, error_base = _c_int(), _c_int()
        if not _xdamage.XDamageQueryExtension(self._dpy, ctypes.byref(event_base), ctypes.byref(error_base)):
            raise X11CaptureError("the X server has no DAMAGE")
        self._damage_event = event_base.value + X_DAMAGE_NOTIFY
        # The root window's damage covers what every window on the screen draws.
        self._damage = _xdamage.XDamageCreate(self._dpy, self._root, X_DAMAGE_REPORT_NON_EMPTY)
        self._shm = XShmSegmentInfo()
        self._image = _xext.XShmCreateImage(
            self._dpy, _x11.XDefaultVisual(self._dpy, screen), _x11.XDefaultDepth(self._dpy, screen),
            ZPIXMAP, None, ctypes.byref(self._shm), width, height,
        )
        if not self._image:
            raise X11CaptureError("XShmCreateImage failed")
        image = self._image.contents
        if image.bits_per_pixel != 32:
            raise X11CaptureError(f"{image.bits_per_pixel} bits per pixel; want 32 (BGRx)")
        self.stride = image.bytes_per_line
        self.size = self.stride * height
        self._shm.shmid = _libc.shmget(IPC_PRIVATE, self.size, IPC_CREAT | 0o600)
        if self._shm.shmid < 0:
            raise X11CaptureError(f"shmget failed: {os.strerror(ctypes.get_errno())}")
        self._shm.shmaddr = _libc.shmat(self._shm.shmid, None, 0)
        if self._shm.shmaddr in (None, ctypes.c_void_p(-1).value):
            raise X11CaptureError(f"shmat failed: {os.strerror(ctypes.get_errno())}")
        image.data = self._shm.shmaddr
        self._shm.readOnly = 0
        if not _xext.XShmAttach(self._dpy, ctypes.byref(self._shm)):
            raise X11CaptureError("XShmAttach failed")
        _x11.XSync(self._dpy, 0)
        # Marked for removal now: the segment goes away with the last detach, even if we crash.
        _libc.shmctl(self._shm.shmid, IPC_RMID, None)
        self.address = self._shm.shmaddr
        self.fd = _x11.XConnectionNumber(self._dpy)
        self._event = XEvent()

    def ping(self):
        """A round trip to the X server. If it has gone away, Xlib's I/O error handler ends this
        process (its default): a sender waiting to be connected never outlives its display."""
        _x11.XSync(self._dpy, 0)

    def wait_for_damage(self, timeout_s, wake_fd=None):
        """Waits up to timeout_s for the screen to change (or wake_fd to be readable).
        Returns True if it changed since the last grab()."""
        if self._drain():
            return True
        fds = [self.fd] if wake_fd is None else [self.fd, wake_fd]
        readable, _, _ = select.select(fds, [], [], max(0.0, timeout_s))
        return self.fd in readable and self._drain()

    def _drain(self):
        damaged = False
        while _x11.XPending(self._dpy):
            _x11.XNextEvent(self._dpy, ctypes.byref(self._event))
            if self._event.type == self._damage_event:
                damaged = True
        return damaged

    def grab(self):
        """Copies the screen into shared memory (at self.address, self.stride bytes a row,
        BGRx). What is drawn after the copy starts is reported as new damage."""
        # Subtract first: anything drawn from here on raises a new DamageNotify.
        _xdamage.XDamageSubtract(self._dpy, self._damage, 0, 0)
        if not _xext.XShmGetImage(self._dpy, self._root, self._image, 0, 0, ALL_PLANES):
            raise X11CaptureError("XShmGetImage failed")

    def close(self):
        if self._dpy:
            _xext.XShmDetach(self._dpy, ctypes.byref(self._shm))
            _x11.XSync(self._dpy, 0)
            _libc.shmdt(self._shm.shmaddr)
            _x11.XCloseDisplay(self._dpy)
            self._dpy = None
