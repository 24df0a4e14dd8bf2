"""RTP from the pipeline to mediasoup, through a socket of our own.

Every packet gets the playout-delay header extension (min = max = 0): Chrome then renders each
frame as soon as it is decoded instead of holding it in its jitter buffer. GStreamer 1.22 has
no element that writes it, so the packets leave through an appsink and this module.
"""
import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402


def playout_delay_element(ext_id, delay_ms):
    """A one-byte header extension element playout-delay with min = max = delay_ms: ID (4 bits),
    L = length - 1 = 2 (4 bits), then MIN and MAX, 12 bits each, in 10 ms units."""
    d = min(0xFFF, delay_ms // 10)
    return bytes(((ext_id << 4) | 2, d >> 4, ((d & 0xF) << 4) | (d >> 8), d & 0xFF))


def with_playout_delay(packet, ext_id, delay_ms=0):
    """The RTP packet with the playout-delay element added (min = max = delay_ms): at 0, Chrome
    renders such frames as soon as they are decoded, with no jitter buffer."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return packet
    element = playout_delay_element(ext_id, delay_ms)
    header = 12 + 4 * (packet[0] & 0x0F)
    if not packet[0] & 0x10:
        return bytes((packet[0] | 0x10,)) + packet[1:header] + b"\xbe\xde\x00\x01" + element + packet[header:]
    if packet[header:header + 2] != b"\xbe\xde":
        return packet  # a two-byte extension block: leave it alone
    words = int.from_bytes(packet[header + 2:header + 4], "big")
    end = header + 4 + 4 * words
    return packet[:header + 2] + (words + 1).to_bytes(2, "big") + packet[header + 4:end] + element + packet[end:]


class RtpOut:
    """Sends what an appsink receives (one RTP packet per buffer) to host:port from `sock`."""

    def __init__(self, sock, host, port, playout_delay_id, playout_delay_ms=0):
        self.sock = sock
        self.dest = Gio.InetSocketAddress.new_from_string(host, port)
        self.playout_delay_id = playout_delay_id
        self.playout_delay_ms = playout_delay_ms

    def attach(self, appsink):
        appsink.connect("new-sample", self._on_sample)

    def _on_sample(self, sink):
        buf = sink.emit("pull-sample").get_buffer()
        ok, m = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.FlowReturn.OK
        try:
            packet = bytes(m.data)
        finally:
            buf.unmap(m)
        if self.playout_delay_id:
            packet = with_playout_delay(packet, self.playout_delay_id, self.playout_delay_ms)
        try:
            self.sock.send_to(self.dest, packet, None)
        except GLib.Error:
            pass  # the receiver is gone (ICMP unreachable): its loss, not the pipeline's
        return Gst.FlowReturn.OK
