"""Unit tests of the sender's pure parts (run by src/media/sender.test.ts, or
`python3 -m unittest discover -s apps/server/src/media/sender`)."""
import ctypes
import unittest

from marker_strip import BLACK, WHITE, MarkerStrip, decode
from rtp_out import with_playout_delay


def rtp(payload=b"\x01\x02\x03", csrc=0, ext=None):
    """A minimal RTP packet: V=2, PT 102, seq 7, ts 9000, SSRC 0x11223344."""
    b0 = 0x80 | csrc | (0x10 if ext is not None else 0)
    header = bytes((b0, 102, 0, 7)) + (9000).to_bytes(4, "big") + (0x11223344).to_bytes(4, "big")
    header += b"\x00\x00\x00\x01" * csrc
    if ext is not None:
        header += ext
    return header + payload


class PlayoutDelayTest(unittest.TestCase):
    def test_adds_a_one_byte_extension_with_min_max_zero(self):
        out = with_playout_delay(rtp(), 6)
        self.assertEqual(out[0], 0x90)  # X bit set
        self.assertEqual(out[12:16], b"\xbe\xde\x00\x01")  # one-byte profile, 1 word
        self.assertEqual(out[16:20], bytes((0x62, 0, 0, 0)))  # id 6, L=2; min = max = 0
        self.assertEqual(out[20:], b"\x01\x02\x03")
        self.assertEqual(out[1:12], rtp()[1:12])

    def test_encodes_a_delay_in_10_ms_steps(self):
        out = with_playout_delay(rtp(), 6, delay_ms=150)  # 15 = 0x00F
        self.assertEqual(out[16:20], bytes((0x62, 0x00, 0xF0, 0x0F)))

    def test_keeps_csrcs_and_appends_to_an_existing_one_byte_block(self):
        existing = b"\xbe\xde\x00\x01" + bytes((0x11, 0xAA, 0xBB, 0x00))  # id 1, 2 bytes, 1 pad
        out = with_playout_delay(rtp(csrc=1, ext=existing), 6)
        self.assertEqual(out[16:20], b"\xbe\xde\x00\x02")
        self.assertEqual(out[20:24], bytes((0x11, 0xAA, 0xBB, 0x00)))
        self.assertEqual(out[24:28], bytes((0x62, 0, 0, 0)))
        self.assertEqual(out[28:], b"\x01\x02\x03")

    def test_leaves_other_packets_alone(self):
        two_byte = b"\x10\x00\x00\x01" + bytes((1, 1, 0xAA, 0))
        self.assertEqual(with_playout_delay(rtp(ext=two_byte), 6), rtp(ext=two_byte))
        self.assertEqual(with_playout_delay(b"\x80\x00", 6), b"\x80\x00")  # too short
        self.assertEqual(with_playout_delay(b"\x00" * 20, 6), b"\x00" * 20)  # not RTP v2


class MarkerStripTest(unittest.TestCase):
    W, H, CELLS, STRIP = 64, 40, 18, 3

    def frame(self):
        buf = ctypes.create_string_buffer(self.W * (self.H + self.STRIP) * 4)
        ctypes.memset(buf, 0x40, len(buf))  # grey app
        return buf, ctypes.addressof(buf)

    def px(self, buf, x, y):
        o = (y * self.W + x) * 4
        return buf.raw[o:o + 4]

    def draw_page_marker(self, buf, value):
        """What the page draws: one pixel a cell on the app's last row."""
        bits = [True, False] + [((value >> (self.CELLS - 3 - i)) & 1) == 1 for i in range(self.CELLS - 2)]
        for i, on in enumerate(bits):
            o = ((self.H - 1) * self.W + i) * 4
            buf[o:o + 4] = WHITE if on else BLACK

    def test_reads_hides_and_redraws_the_marker_below_the_app(self):
        strip = MarkerStrip(self.W, self.H, self.W * 4, self.CELLS, 1, self.STRIP)
        buf, address = self.frame()
        buf[((self.H - 2) * self.W + 5) * 4:((self.H - 2) * self.W + 5) * 4 + 4] = b"\x01\x02\x03\x00"
        self.draw_page_marker(buf, 0xBEEF)
        value = strip.read(address)
        self.assertEqual(value, 0xBEEF)
        strip.hide(address)
        # The marker's pixels now show the row above them.
        for x in range(self.CELLS):
            self.assertEqual(self.px(buf, x, self.H - 1), self.px(buf, x, self.H - 2))
        self.assertEqual(self.px(buf, 5, self.H - 1), b"\x01\x02\x03\x00")
        strip.paint(address, value)
        # Strip cells are STRIP px square: read their centres back through decode().
        for row in range(self.H, self.H + self.STRIP):
            luma = [self.px(buf, i * self.STRIP + 1, row)[2] for i in range(self.CELLS)]
            self.assertEqual(decode(luma), 0xBEEF)
        self.assertEqual(self.px(buf, self.CELLS * self.STRIP, self.H), BLACK)  # beyond the cells

    def test_a_page_without_a_marker_reads_none_and_paints_an_empty_strip(self):
        strip = MarkerStrip(self.W, self.H, self.W * 4, self.CELLS, 1, self.STRIP)
        buf, address = self.frame()
        self.assertIsNone(strip.read(address))
        strip.paint(address, None)
        self.assertTrue(all(self.px(buf, x, self.H) == BLACK for x in range(self.W)))

    def test_refuses_a_strip_wider_than_the_screen(self):
        with self.assertRaises(ValueError):
            MarkerStrip(10, 10, 40, 18, 1, 16)


class ArgsTest(unittest.TestCase):
    BASE = ["--display", ":9", "--width", "720", "--height", "1280", "--layer", "720x1296:3000:7",
            "--pt", "102", "--marker-cells", "8", "--marker-modulo", "256", "--strip-px", "16"]

    def parse(self, extra):
        import gst_sender  # the GStreamer bindings load only for this test class
        return gst_sender.parse_args(self.BASE + extra)

    def test_a_prepared_sender_needs_no_ports(self):
        a = self.parse(["--wait-connect"])
        self.assertTrue(a.wait_connect)
        self.assertEqual((a.rtp_port, a.rtcp_port), (0, 0))

    def test_otherwise_both_ports_are_required(self):
        self.assertEqual(self.parse(["--rtp-port", "5000", "--rtcp-port", "5001"]).rtp_port, 5000)
        with self.assertRaises(SystemExit):
            self.parse(["--rtp-port", "5000"])
        with self.assertRaises(SystemExit):
            self.parse([])


if __name__ == "__main__":
    unittest.main()
