"""RTP from the pipeline to mediasoup, through a socket of our own.

Every packet gets the playout-delay header extension (min = max = 0): Chrome then renders each
frame as soon as it is decoded instead of holding it in its jitter buffer. GStreamer 1.22 has
no element that writes it, so the packets leave through an appsink and this module: one call
a frame (the payloader's buffer list), a plain socket per packet (sending a 16-packet frame
packet by packet through appsink signals and Gio took 2.4 ms here).
"""
import socket

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


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
    """Sends what appsinks receive (RTP packets, one per buffer) to host:port from one UDP
    socket of its own (a comedia PlainTransport takes RTP from one source address)."""

    def __init__(self, host, port, playout_delay_id, playout_delay_ms=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1" if host.startswith("127.") else "0.0.0.0", 0))
        self.dest = (host, port)
        self.playout_delay_id = playout_delay_id
        self.playout_delay_ms = playout_delay_ms

    @property
    def port(self):
        return self.sock.getsockname()[1]

    def attach(self, appsink, counts):
        """Sends what `appsink` receives; counts its packets' bytes and its frames (packets
        with the RTP marker bit, the last of a frame) into counts["bytes"], counts["frames"]."""
        appsink.set_property("buffer-list", True)
        appsink.connect("new-sample", self._on_sample, counts)

    def _on_sample(self, sink, counts):
        sample = sink.emit("pull-sample")
        buffers = sample.get_buffer_list()
        if buffers is None:
            self._send(sample.get_buffer(), counts)
        else:
            for i in range(buffers.length()):
                self._send(buffers.get(i), counts)
        return Gst.FlowReturn.OK

    def _send(self, buf, counts):
        packet = buf.extract_dup(0, buf.get_size())
        counts["bytes"] += len(packet)
        if len(packet) > 1 and packet[1] & 0x80:
            counts["frames"] += 1
        if self.playout_delay_id:
            packet = with_playout_delay(packet, self.playout_delay_id, self.playout_delay_ms)
        try:
            self.sock.sendto(packet, self.dest)
        except OSError:
            pass  # the receiver is gone (ICMP unreachable): its loss, not the pipeline's

    def close(self):
        self.sock.close()
