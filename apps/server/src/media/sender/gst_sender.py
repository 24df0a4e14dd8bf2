#!/usr/bin/python3
"""Captures an X display, encodes it for low latency and sends it as RTP to mediasoup.

Capture (capture_loop.py, x11_capture.py): the screen is copied as soon as the app has drawn
(X DAMAGE + MIT-SHM), not on a fixed tick; the frame marker is read off each copy, hidden, and
drawn again into a strip below the app screen (marker_strip.py). The frames go into an appsrc.

Why Python and not gst-launch: mediasoup sends RTCP feedback (PLI/FIR keyframe requests) to
the address our RTCP comes from, so one UDP socket must both send and receive RTCP. GStreamer
can share a socket between udpsink and udpsrc only through its API. rtpbin then turns a
PLI/FIR into a force-key-unit event that reaches the encoder.

Simulcast: one capture is converted once, then a tee feeds one scaler + encoder per layer
(--layer WxH:KBPS:SSRC, lowest first, sizes of the whole frame with its strip). Each layer is
its own rtpbin session with its own SSRC; all sessions send RTP through one socket
(rtp_out.py, which adds the playout-delay extension) and RTCP through another (the
PlainTransport is connected to these two addresses and takes packets from them only).
Incoming RTCP goes to every session: a session acts only on feedback whose media SSRC is its
own, so a PLI/FIR for one layer reaches that layer's encoder only.

Prepared start (--wait-connect): everything is built (imports, pipeline, X connection) and
one frame has been through the converter, the scalers and the encoders (each sets itself up on
its first frame: 250-400 ms on a busy box), its output dropped; nothing is captured or sent
until the parent says where to send. A warm app runtime keeps one waiting, so a new session's
video starts without the sender's start-up (~0.3-0.7 s of the first frame), and the server
starts every sender this way, so that its PlainTransport can be connected to the sender's
sockets before anything is sent.

Protocol with the parent (the Node server), one JSON object per line:
  stdout: {"event":"prepared","rtpPort":N,"rtcpPort":M} with --wait-connect, once built and
          waiting for "connect" (the local ports RTP and RTCP will leave from);
          {"event":"ready","rtpPort":N,"rtcpPort":M} once playing, {"event":"stats",...} every second,
          {"event":"keyframe"} when the encoder was asked for a keyframe, {"event":"error","message":...},
          {"event":"marker","value":V,"capturedAt":ms,"encodedAt":ms} for the first captured frame
          showing a new frame-marker value (times: CLOCK_MONOTONIC, ms)
          (marker and "frames" follow the top layer; stats also list each layer)
  stdin:  {"cmd":"connect","rtpPort":N,"rtcpPort":M} (with --wait-connect: send there, start),
          {"cmd":"keyframe"} (every layer), {"cmd":"bitrate","kbps":N} (top layer; lower
          layers keep their share), {"cmd":"expect","marker":V} (an input with marker value V
          was injected: capture without waiting until a frame shows it), {"cmd":"layers",
          "active":[i,...]} (the lower layers viewers receive; others are encoded at a trickle);
          EOF on stdin stops the sender.
"""
import argparse
import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gio, GLib, Gst, GstVideo  # noqa: E402

from capture_loop import CaptureLoop  # noqa: E402
from layer_gate import LayerGate  # noqa: E402
from marker_strip import MarkerStrip  # noqa: E402
from marker_timing import MarkerTiming  # noqa: E402
from rtp_out import RtpOut  # noqa: E402
from x11_capture import X11Capture  # noqa: E402

RTCP_INTERVAL_S = 0.5


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_layer(v):
    size, kbps, ssrc = v.split(":")
    w, h = size.split("x")
    return {"width": int(w), "height": int(h), "kbps": int(kbps), "ssrc": int(ssrc)}


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--display", required=True)
    p.add_argument("--width", type=int, required=True, help="app screen width (px)")
    p.add_argument("--height", type=int, required=True, help="app screen height (px), without the strip")
    p.add_argument("--fps", type=int, default=30, help="most frames a second (captures follow the app's drawing)")
    p.add_argument("--codec", choices=["h264", "vp8"], default="h264")
    p.add_argument("--keyint", type=int, default=300, help="max frames between keyframes")
    p.add_argument("--layer", action="append", required=True, type=parse_layer,
                   help="WIDTHxHEIGHT:KBPS:SSRC of the whole frame (app + strip), once per simulcast layer, lowest first")
    p.add_argument("--pt", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--rtp-port", type=int, default=0)
    p.add_argument("--rtcp-port", type=int, default=0)
    p.add_argument("--wait-connect", action="store_true",
                   help='build everything, say "prepared", and start only on {"cmd":"connect",...}')
    p.add_argument("--marker-cells", type=int, required=True, help="frame-marker cells (2 reference + value bits)")
    p.add_argument("--marker-modulo", type=int, required=True, help="frame-marker values cycle")
    p.add_argument("--page-px", type=int, default=1, help="the page's marker cell size (px)")
    p.add_argument("--strip-px", type=int, required=True, help="marker strip height = its cell size (px)")
    p.add_argument("--playout-delay-id", type=int, default=0,
                   help="RTP header extension id for playout-delay (0: no extension)")
    p.add_argument("--playout-delay-ms", type=int, default=0, help="playout delay min = max (ms, 10 ms steps)")
    p.add_argument("--capture", choices=["damage", "tick"], default="damage",
                   help="damage: when the app draws, up to --fps; tick: every 1/fps s")
    a = p.parse_args(argv)
    if not a.wait_connect and not (a.rtp_port and a.rtcp_port):
        p.error("--rtp-port and --rtcp-port are required (or --wait-connect)")
    return a


def encoder_chain(a, i, layer):
    kbps, ssrc = layer["kbps"], layer["ssrc"]
    top = i == len(a.layer) - 1
    if a.codec == "h264":
        # The top layer in two slices encoded side by side (sliced threads: no frame delay), the
        # others in one: a tap's frame is encoded in about half the time on our 2 cores.
        threads = "threads=2 sliced-threads=true" if top else "threads=1"
        return (
            f"x264enc name=enc{i} tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
            f"key-int-max={a.keyint} vbv-buf-capacity=200 {threads} "
            "! video/x-h264,profile=constrained-baseline,stream-format=byte-stream "
            f"! rtph264pay name=pay{i} pt={a.pt} ssrc={ssrc} config-interval=-1 "
            "aggregate-mode=zero-latency mtu=1200"
        )
    # libvpx realtime: one thread (two collapse on our 2-core machines), cpu-used 8.
    return (
        f"vp8enc name=enc{i} deadline=1 cpu-used=8 threads=1 end-usage=cbr "
        f"target-bitrate={kbps * 1000} keyframe-max-dist={a.keyint} error-resilient=default "
        "lag-in-frames=0 buffer-size=200 buffer-initial-size=100 buffer-optimal-size=150 "
        f"! rtpvp8pay name=pay{i} pt={a.pt} ssrc={ssrc} mtu=1200 picture-id-mode=15-bit"
    )


def layer_branch(a, i, layer, frame_size):
    """tee → (scaler) → encoder → payloader → rtpbin session i → appsink (RtpOut)."""
    scale = ""
    if (layer["width"], layer["height"]) != frame_size:
        scale = f"! videoscale method=bilinear n-threads=1 ! video/x-raw,width={layer['width']},height={layer['height']} "
    # Lower layers pass a valve the sender shuts while no viewer receives them (LayerGate).
    valve = "" if i == len(a.layer) - 1 else f"valve name=valve{i} drop=false drop-mode=forward-sticky-events ! "
    return (
        f"t. ! {valve}queue name=q{i} max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream "
        f"{scale}! {encoder_chain(a, i, layer)} ! rtpbin.send_rtp_sink_{i} "
        f"rtpbin.send_rtp_src_{i} ! appsink name=rtpsink{i} emit-signals=true sync=false async=false "
        f"rtpbin.send_rtcp_src_{i} ! udpsink name=rtcpsink{i} host={a.host} port={a.rtcp_port} sync=false async=false "
        f"rtcptee. ! rtpbin.recv_rtcp_sink_{i} "
    )


def udp_socket(host):
    s = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
    s.bind(Gio.InetSocketAddress.new_from_string("127.0.0.1" if host.startswith("127.") else "0.0.0.0", 0), False)
    return s


class Sender:
    def __init__(self, a):
        self.a = a
        frame_w, frame_h = a.width, a.height + a.strip_px
        self.layers = a.layer
        top = len(self.layers) - 1
        desc = (
            "rtpbin name=rtpbin rtp-profile=avpf "
            "appsrc name=src is-live=true format=time do-timestamp=false block=false "
            "max-buffers=1 max-bytes=0 leaky-type=downstream "
            f"caps=video/x-raw,format=BGRx,width={frame_w},height={frame_h},framerate={a.fps}/1 "
            # No dithering, no chroma filter: the fast path (2 ms rather than 3.2 ms a frame here),
            # in two halves side by side.
            "! videoconvert n-threads=2 dither=none chroma-mode=none ! video/x-raw,format=I420 ! tee name=t "
            "udpsrc name=rtcpsrc caps=application/x-rtcp ! tee name=rtcptee "
            + "".join(layer_branch(a, i, layer, (frame_w, frame_h)) for i, layer in enumerate(self.layers))
        )
        self.pipeline = Gst.parse_launch(desc)
        self.rtcp_sock = udp_socket(a.host)
        self.rtp_out = RtpOut(a.host, a.rtp_port, a.playout_delay_id, a.playout_delay_ms)
        # Frames and bytes per layer are counted where the packets leave (no pad probes: every
        # Python probe on a streaming thread waits for the GIL).
        self.per_layer = [{"frames": 0, "bytes": 0, "keyframesRequested": 0} for _ in self.layers]
        for i in range(len(self.layers)):
            self.rtp_out.attach(self.pipeline.get_by_name(f"rtpsink{i}"), self.per_layer[i])
            rtcpsink = self.pipeline.get_by_name(f"rtcpsink{i}")
            rtcpsink.set_property("socket", self.rtcp_sock)
            rtcpsink.set_property("close-socket", False)
        rtcpsrc = self.pipeline.get_by_name("rtcpsrc")
        rtcpsrc.set_property("socket", self.rtcp_sock)
        rtcpsrc.set_property("close-socket", False)
        # mediasoup switches a viewer between simulcast layers only once it has a sender report
        # (SR) for both streams, to line up their timestamps: send SRs every RTCP_INTERVAL_S
        # rather than rtpbin's 5 s, so a layer switch waits at most that long.
        rtpbin = self.pipeline.get_by_name("rtpbin")
        for i in range(len(self.layers)):
            rtpbin.emit("get-internal-session", i).set_property("rtcp-min-interval", int(RTCP_INTERVAL_S * Gst.SECOND))
        self.encs = [self.pipeline.get_by_name(f"enc{i}") for i in range(len(self.layers))]

        self.timing = MarkerTiming(emit)
        self.gate = LayerGate({i: self.pipeline.get_by_name(f"valve{i}") for i in range(top)})
        enc = self.encs[top]
        enc.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self.timing.on_encoder_input)
        enc.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.timing.on_encoder_output)
        for i in range(len(self.layers)):
            self.encs[i].get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self._on_enc_event, i)

        capture = X11Capture(a.display, frame_w, frame_h)
        self.x11 = capture
        if capture.stride != frame_w * 4:
            raise RuntimeError(f"unexpected row stride {capture.stride}")
        strip = MarkerStrip(a.width, a.height, capture.stride, a.marker_cells, a.page_px, a.strip_px)
        self.capture = CaptureLoop(capture, strip, self.pipeline.get_by_name("src"), self.pipeline, a.fps,
                                   a.marker_modulo, self.timing.on_capture, damage_driven=a.capture == "damage")
        self.loop = GLib.MainLoop()
        self.started = False
        # While a prepared sender waits (--wait-connect), its pipeline plays and one frame has
        # gone through it (see _warm_up); what the encoders and the RTP sessions make of it is
        # dropped here until connect().
        self._warm_frames = set()
        if a.wait_connect:
            for i, e in enumerate(self.encs):
                e.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self._hold_until_connected, i)
            for i in range(len(self.layers)):
                self.pipeline.get_by_name(f"rtcpsink{i}").get_static_pad("sink").add_probe(
                    Gst.PadProbeType.BUFFER, self._hold_until_connected, None)

    def _hold_until_connected(self, _pad, _info, layer):
        if self.started:
            return Gst.PadProbeReturn.REMOVE
        if layer is not None and layer not in self._warm_frames:
            self._warm_frames.add(layer)
            if len(self._warm_frames) == len(self.layers):
                emit({"event": "prepared", **self._ports()})
        return Gst.PadProbeReturn.DROP

    def _warm_up(self):
        """One frame through the whole pipeline before any viewer waits for one: the converter,
        the scalers and the encoders set themselves up on their first frame (250-400 ms on a busy
        box), which otherwise a session's first frame waited for."""
        self.capture.capture.grab()
        self.capture.push(self.capture.prepare())
        return False

    def _on_enc_event(self, _pad, info, i):
        if GstVideo.video_event_is_force_key_unit(info.get_event()):
            self.per_layer[i]["keyframesRequested"] += 1
            self.gate.open_briefly(i)
            emit({"event": "keyframe", "layer": i})
            # On a still screen no frame would come to carry the keyframe: capture one now.
            self.capture.refresh()
        return Gst.PadProbeReturn.OK

    def request_keyframe(self):
        for e in self.encs:
            ev = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
            e.get_static_pad("src").send_event(ev)
        return False

    def set_bitrate(self, kbps):
        # Lower layers keep their share of the top layer's bitrate.
        top = self.layers[-1]["kbps"]
        for e, layer in zip(self.encs, self.layers):
            k = max(1, round(kbps * layer["kbps"] / top))
            if self.a.codec == "h264":
                e.set_property("bitrate", int(k))
            else:
                e.set_property("target-bitrate", int(k) * 1000)
        return False

    def _on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            emit({"event": "error", "message": f"{err.message} ({dbg})"})
            self.loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            self.loop.quit()
        elif msg.type == Gst.MessageType.STATE_CHANGED and msg.src == self.pipeline:
            _old, new, _pending = msg.parse_state_changed()
            if new == Gst.State.PLAYING:
                if not self.started:
                    self._warm_up()
                    return
                self._start_capture()

    def _ports(self):
        """The local ports RTP and RTCP leave from (the PlainTransport connects to them)."""
        return {"rtpPort": self.rtp_out.port, "rtcpPort": self.rtcp_sock.get_local_address().get_port()}

    def _start_capture(self):
        if not self.capture.is_alive():
            self.capture.start()
        emit({"event": "ready", **self._ports()})

    def _report(self):
        emit({"event": "stats", "frames": self.per_layer[-1]["frames"],
              "bytes": sum(layer["bytes"] for layer in self.per_layer),
              "keyframesRequested": sum(layer["keyframesRequested"] for layer in self.per_layer),
              "layers": self.per_layer,
              "captured": self.capture.frames})
        return True

    def connect(self, rtp_port, rtcp_port):
        """Where to send (the PlainTransport's ports), then play: the prepared start's second half."""
        if self.started:
            return False
        self.rtp_out.dest = (self.a.host, rtp_port)
        for i in range(len(self.layers)):
            self.pipeline.get_by_name(f"rtcpsink{i}").set_property("port", rtcp_port)
        self.started = True
        self.timing.reset()
        # The encoders saw the warm-up frame: the first frame a viewer gets must be a keyframe.
        self.request_keyframe()
        self._start_capture()
        return False

    def _check_display(self):
        if self.started:
            return False
        self.x11.ping()
        return True

    def _play(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            emit({"event": "error", "message": "pipeline failed to start"})
            self.loop.quit()

    def _read_stdin(self):
        for line in sys.stdin:
            try:
                cmd = json.loads(line)
            except ValueError:
                continue
            if not isinstance(cmd, dict):
                continue
            if cmd.get("cmd") == "expect" and isinstance(cmd.get("marker"), int):
                self.capture.expect(cmd["marker"])  # at once, not through the main loop
            elif cmd.get("cmd") == "layers" and isinstance(cmd.get("active"), list):
                self.gate.set_active({i for i in cmd["active"] if isinstance(i, int)})
            elif cmd.get("cmd") == "connect" and all(
                isinstance(cmd.get(k), int) and 0 < cmd[k] < 65536 for k in ("rtpPort", "rtcpPort")
            ):
                GLib.idle_add(self.connect, cmd["rtpPort"], cmd["rtcpPort"])
            elif cmd.get("cmd") == "keyframe":
                GLib.idle_add(self.request_keyframe)
            elif cmd.get("cmd") == "bitrate" and isinstance(cmd.get("kbps"), (int, float)):
                GLib.idle_add(self.set_bitrate, cmd["kbps"])
        GLib.idle_add(self.loop.quit)  # parent went away: stop

    def run(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self._on_message)
        GLib.timeout_add_seconds(1, self._report)
        threading.Thread(target=self._read_stdin, daemon=True).start()
        if self.a.wait_connect:
            # "prepared" once the warm-up frame has been through every encoder.
            self._play()
            # While it waits, the X server must still be there: if the display goes (its app
            # runtime closed), the round trip fails and Xlib ends this process.
            GLib.timeout_add_seconds(2, self._check_display)
        else:
            self.started = True
            self._play()
        try:
            self.loop.run()
        finally:
            self.capture.stop()
            self.pipeline.set_state(Gst.State.NULL)


def main():
    a = parse_args()
    # Several threads run Python here (capture, RTP out, pad probes): hand the GIL over sooner
    # than every 5 ms, so none of them waits on another's burst.
    sys.setswitchinterval(0.0005)
    Gst.init(None)
    try:
        sender = Sender(a)
    except Exception as err:  # noqa: BLE001 - reported to the parent, which logs it
        emit({"event": "error", "message": str(err)})
        sys.exit(1)
    sender.run()


if __name__ == "__main__":
    main()
