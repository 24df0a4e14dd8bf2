"""Frame-marker timing for the latency monitor: when each new marker value was captured and encoded."""
import collections
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


class MarkerTiming:
    """When the first captured frame showing each new marker value was captured, and when the
    top layer's encoder put it out. x264enc rewrites PTS, so outputs are matched to inputs by
    order (one in, one out, no reordering at zerolatency/realtime settings)."""

    def __init__(self, emit):
        self.emit = emit
        self.captured = {}
        self.last = None
        self.fifo = collections.deque()

    def on_capture(self, pts, value, captured_at):
        self.captured[pts] = (value, captured_at)
        while len(self.captured) > 16:  # frames a leaky queue dropped
            del self.captured[next(iter(self.captured))]

    def reset(self):
        """Forgets frames in flight (the prepared sender's warm-up frame)."""
        self.captured.clear()
        self.fifo.clear()
        self.last = None

    def on_encoder_input(self, _pad, info):
        hit = self.captured.pop(info.get_buffer().pts, None)
        if hit is not None and hit[0] is not None and hit[0] != self.last:
            self.last = hit[0]
            self.fifo.append(hit)
        else:
            self.fifo.append(None)
        return Gst.PadProbeReturn.OK

    def on_encoder_output(self, _pad, _info):
        hit = self.fifo.popleft() if self.fifo else None
        if hit is not None:
            self.emit({"event": "marker", "value": hit[0], "capturedAt": hit[1], "encodedAt": time.monotonic_ns() / 1e6})
        return Gst.PadProbeReturn.OK
