"""The frame marker, moved out of the picture people see.

The app page draws its marker (see @offload/latency marker.ts) as a row of tiny cells, one
pixel each, in the bottom-left corner of the app screen, in the same task as the app's own
reaction to an input. The capture reads it losslessly off every captured frame, paints the
pixel row above over it (the app's picture loses nothing anyone can see), and draws the value
again, in cells big enough to survive H.264, into a strip below the app screen that is encoded
with the frame but never shown: the client crops it and reads the marker there.
"""
import ctypes

WHITE = b"\xff\xff\xff\x00"  # BGRx
BLACK = b"\x00\x00\x00\x00"


def decode(luma):
    """The marker value from each cell's luma (cells 0/1: white/black reference, then the
    value's bits, most significant first), or None if the reference is missing."""
    white, black = luma[0], luma[1]
    if white - black < 96:
        return None
    threshold = (white + black) / 2
    v = 0
    for l in luma[2:]:
        v = (v << 1) | (1 if l > threshold else 0)
    return v


class MarkerStrip:
    """Works on BGRx frames of `width` x (`height` + `strip_px`) pixels, `stride` bytes a row,
    in memory at an address (the capture's shared memory)."""

    def __init__(self, width, height, stride, cells, page_px, strip_px):
        if cells * strip_px > width:
            raise ValueError("the strip is wider than the screen")
        self.width, self.height, self.stride = width, height, stride
        self.cells, self.page_px, self.strip_px = cells, page_px, strip_px
        self._row_cache = (None, None)

    def read(self, address):
        """The value the page's marker shows (its cells' centres on the app's last row), or None."""
        y = self.height - 1 - self.page_px // 2
        row = ctypes.string_at(address + y * self.stride, self.cells * self.page_px * 4)
        luma = []
        for i in range(self.cells):
            o = (i * self.page_px + self.page_px // 2) * 4
            b, g, r = row[o], row[o + 1], row[o + 2]
            luma.append(0.299 * r + 0.587 * g + 0.114 * b)
        return decode(luma)

    def hide(self, address):
        """Paints the row(s) just above the page's marker over it."""
        n = self.cells * self.page_px * 4
        for k in range(self.page_px):
            dst = address + (self.height - 1 - k) * self.stride
            src = address + (self.height - 1 - self.page_px) * self.stride
            ctypes.memmove(dst, src, n)

    def paint(self, address, value):
        """Draws `value` (None: no marker) into the strip below the app screen."""
        if self._row_cache[0] != value or self._row_cache[1] is None:
            if value is None:
                row = BLACK * self.width
            else:
                bits = [True, False] + [((value >> (self.cells - 3 - i)) & 1) == 1 for i in range(self.cells - 2)]
                row = b"".join((WHITE if on else BLACK) * self.strip_px for on in bits)
                row += BLACK * (self.width - self.cells * self.strip_px)
            self._row_cache = (value, row)
        row = self._row_cache[1]
        for k in range(self.strip_px):
            ctypes.memmove(address + (self.height + k) * self.stride, row, len(row))
