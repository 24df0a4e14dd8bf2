"""When to copy the screen, and handing each copy to GStreamer.

In damage mode (the default) a frame is captured as soon as the app has drawn (X DAMAGE), at
most `max_fps` times a second: an app that animates all the time (the demo does, at 60 Hz)
costs the encoder no more than that. Two things lift the cap:
- an input the server has just injected (`expect(value)`): until a frame shows the input's
  marker (or URGENT_S pass), every frame the app draws is copied and its marker read; the one
  that shows the input is encoded at once, not at the cap's next slot, and for HOLD_S the ones
  before it are not encoded at all (the encoder stays free for it);
- a keyframe request (`refresh()`): the encoder needs a frame even if nothing changed.
With nothing drawn, a frame goes out every KEEPALIVE_S anyway (receivers' statistics and
layer selection want some packets). In tick mode a frame is captured every 1/max_fps s,
drawn or not (what a fixed-rate capture such as GStreamer's ximagesrc does).
"""
import ctypes
import os
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

KEEPALIVE_S = 1.0
# How long an input keeps frames captured without waiting for the cap (s).
URGENT_S = 0.3
# How long other frames are held back for it (s): about two of the app's frames. An input that
# never shows (text with nothing focused) must not stall the picture for long.
HOLD_S = 0.04


class CaptureLoop(threading.Thread):
    def __init__(self, capture, strip, appsrc, pipeline, max_fps, modulo, on_frame, damage_driven=True):
        """on_frame(pts, marker_value, captured_at_ms) is called for every frame pushed."""
        self.damage_driven = damage_driven
        super().__init__(name="capture", daemon=True)
        self.capture, self.strip, self.appsrc, self.pipeline = capture, strip, appsrc, pipeline
        self.min_gap = 1.0 / max_fps
        self.modulo = modulo
        self.on_frame = on_frame
        self.frames = 0
        self._urgent = None  # (marker value awaited, deadline)
        self._refresh = False
        self._stopped = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._last_pts = -1
        self._lock = threading.Lock()

    def expect(self, value):
        """An input with marker `value` was just injected: capture at once until a frame shows it."""
        if not self.damage_driven:
            return
        now = time.monotonic()
        with self._lock:
            self._urgent = (value % self.modulo, now + URGENT_S, now + HOLD_S)
        self._wake()

    def refresh(self):
        """Capture a frame now, changed or not (a keyframe was asked for)."""
        self._refresh = True
        self._wake()

    def stop(self):
        self._stopped = True
        self._wake()

    def _wake(self):
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _shows(self, value):
        """Whether a frame showing marker `value` shows the awaited input (or a later one)."""
        with self._lock:
            if self._urgent is None:
                return True
            awaited = self._urgent[0]
        return value is not None and (value - awaited) % self.modulo < self.modulo // 2

    def run(self):
        last = 0.0  # when the last frame was pushed
        unsent = False  # the screen changed since the last frame pushed
        fresh = False  # ... since the last copy
        try:
            while not self._stopped:
                now = time.monotonic()
                with self._lock:
                    urgent = self._urgent is not None and now < self._urgent[1]
                    hold = urgent and now < self._urgent[2]
                    if self._urgent is not None and not urgent:
                        self._urgent = None
                changed = unsent or not self.damage_driven
                # Right after an input, the frames that do not show it wait (below): the encoder
                # is then free the moment the input's frame comes.
                due = changed and not hold and now - last >= self.min_gap
                if self._refresh or now - last >= KEEPALIVE_S or due:
                    self._refresh = False
                    unsent = fresh = False
                    last = now
                    self.capture.grab()
                    self.push(self.prepare())
                    continue
                if urgent and fresh:
                    # An input has not shown yet: copy what was just drawn (0.6 ms) and encode
                    # it at once if it shows the input; an animation frame that does not waits
                    # for its slot, so the encoder is free when the input's frame comes.
                    fresh = False
                    self.capture.grab()
                    frame = self.prepare()
                    if frame[0] is not None and self._shows(frame[0]):
                        unsent = False
                        last = now
                        self.push(frame)
                    continue
                timeout = KEEPALIVE_S - (now - last)
                if hold:
                    with self._lock:
                        until = self._urgent[2] if self._urgent else now
                    timeout = min(timeout, until - now)
                elif changed:
                    timeout = min(timeout, self.min_gap - (now - last))
                if self.capture.wait_for_damage(timeout, self._wake_r):
                    unsent = fresh = True
                try:
                    os.read(self._wake_r, 64)
                except BlockingIOError:
                    pass
        finally:
            self.capture.close()

    def prepare(self):
        """The copy just grabbed, with its marker moved into the strip: (marker value, capture time)."""
        captured_at = time.monotonic_ns() / 1e6
        address = self.capture.address
        value = self.strip.read(address)
        self.strip.hide(address)
        self.strip.paint(address, value)
        return value, captured_at

    def push(self, frame):
        value, captured_at = frame
        if value is not None and self._shows(value):
            with self._lock:
                self._urgent = None
        address, size = self.capture.address, self.capture.size
        buf = Gst.Buffer.new_allocate(None, size, None)
        ok, m = buf.map(Gst.MapFlags.WRITE)
        if not ok:
            return
        try:
            dst = (ctypes.c_char * size).from_buffer(m.data)
            ctypes.memmove(dst, address, size)
            del dst
        finally:
            buf.unmap(m)
        clock = self.pipeline.get_clock()
        if clock is None:
            return  # not playing yet
        pts = max(clock.get_time() - self.pipeline.get_base_time(), self._last_pts + 1)
        self._last_pts = pts
        buf.pts = pts
        buf.dts = Gst.CLOCK_TIME_NONE
        buf.duration = Gst.CLOCK_TIME_NONE
        self.frames += 1
        self.on_frame(pts, value, captured_at)
        self.appsrc.emit("push-buffer", buf)
