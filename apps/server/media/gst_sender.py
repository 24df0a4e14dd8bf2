#!/usr/bin/python3
"""Captures an X display, encodes it for low latency and sends it as RTP to mediasoup.

Why Python and not gst-launch: mediasoup sends RTCP feedback (PLI/FIR keyframe requests)
to the address our RTCP comes from, so one UDP socket must both send and receive RTCP.
GStreamer can share a socket between udpsink and udpsrc only through its API. rtpbin then
turns a PLI/FIR into a force-key-unit event that reaches the encoder.

Simulcast: one capture is converted once, then a tee feeds one scaler + encoder per layer
(--layer WxH:KBPS:SSRC, lowest first). Each layer is its own rtpbin session with its own
SSRC; all sessions send RTP through one socket and RTCP through another (a comedia
PlainTransport accepts one source address). Incoming RTCP goes to every session: a session
acts only on feedback whose media SSRC is its own, so a PLI/FIR for one layer reaches that
layer's encoder only.

Protocol with the parent (the Node server), one JSON object per line:
  stdout: {"event":"ready"} once playing, {"event":"stats",...} every second,
          {"event":"keyframe"} when the encoder was asked for a keyframe, {"event":"error","message":...},
          {"event":"marker","value":V,"capturedAt":ms,"encodedAt":ms} for the first captured frame
          showing a new frame-marker value (times: CLOCK_MONOTONIC, ms)
          (marker and "frames" follow the top layer; stats also list each layer)
  stdin:  {"cmd":"keyframe"} (every layer), {"cmd":"bitrate","kbps":N} (top layer; lower
          layers keep their share); EOF on stdin stops the sender.
"""
import argparse
import collections
import json
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gio, GLib, Gst, GstVideo  # noqa: E402


RTCP_INTERVAL_S = 0.5


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--display", required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--codec", choices=["h264", "vp8"], default="h264")
    p.add_argument("--keyint", type=int, default=300, help="max frames between keyframes")
    p.add_argument("--layer", action="append", required=True, type=parse_layer,
                   help="WIDTHxHEIGHT:KBPS:SSRC, once per simulcast layer, lowest first")
    p.add_argument("--pt", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--rtp-port", type=int, required=True)
    p.add_argument("--rtcp-port", type=int, required=True)
    p.add_argument("--marker-cells", type=int, default=0, help="frame-marker cells (0: no marker)")
    p.add_argument("--marker-px", type=int, default=8, help="frame-marker cell size")
    p.add_argument("--playout-delay-id", type=int, default=0,
                   help="RTP header extension id for playout-delay min = max = 0 (0: none)")
    return p.parse_args()


def parse_layer(v):
    size, kbps, ssrc = v.split(":")
    w, h = size.split("x")
    return {"width": int(w), "height": int(h), "kbps": int(kbps), "ssrc": int(ssrc)}


def read_marker(data, width, height, cells, px):
    """Decodes the frame marker (see @offload/latency marker.ts) from a BGRx frame."""
    stride = width * 4
    y = height - px + px // 2
    luma = []
    for i in range(cells):
        o = y * stride + (i * px + px // 2) * 4
        b, g, r = data[o], data[o + 1], data[o + 2]
        luma.append(0.299 * r + 0.587 * g + 0.114 * b)
    white, black = luma[0], luma[1]
    if white - black < 96:
        return None
    threshold = (white + black) / 2
    v = 0
    for l in luma[2:]:
        v = (v << 1) | (1 if l > threshold else 0)
    return v


def with_playout_delay(packet, ext_id):
    """The RTP packet with a one-byte header extension element playout-delay (min = max = 0)
    added: Chrome renders such frames as soon as they are decoded, with no jitter buffer."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return packet
    # ID (4 bits) | L = length - 1 = 2 (4 bits), then MIN and MAX delay, 12 bits each (10 ms units).
    element = bytes(((ext_id << 4) | 2, 0, 0, 0))
    header = 12 + 4 * (packet[0] & 0x0F)
    if not packet[0] & 0x10:
        return bytes((packet[0] | 0x10,)) + packet[1:header] + b"\xbe\xde\x00\x01" + element + packet[header:]
    if packet[header:header + 2] != b"\xbe\xde":
        return packet  # a two-byte extension block: leave it alone
    words = int.from_bytes(packet[header + 2:header + 4], "big")
    end = header + 4 + 4 * words
    return packet[:header + 2] + (words + 1).to_bytes(2, "big") + packet[header + 4:end] + element + packet[end:]


def encoder_chain(a, i, layer):
    kbps, ssrc = layer["kbps"], layer["ssrc"]
    if a.codec == "h264":
        return (
            f"x264enc name=enc{i} tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
            f"key-int-max={a.keyint} vbv-buf-capacity=200 threads=1 "
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


def layer_branch(a, i, layer):
    """tee → (scaler) → encoder → payloader → rtpbin session i."""
    scale = ""
    if (layer["width"], layer["height"]) != (a.width, a.height):
        scale = f"! videoscale method=bilinear n-threads=1 ! video/x-raw,width={layer['width']},height={layer['height']} "
    return (
        f"t. ! queue name=q{i} max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream "
        f"{scale}! {encoder_chain(a, i, layer)} ! rtpbin.send_rtp_sink_{i} "
        f"rtpbin.send_rtp_src_{i} ! appsink name=rtpsink{i} emit-signals=true sync=false async=false "
        f"rtpbin.send_rtcp_src_{i} ! udpsink name=rtcpsink{i} host={a.host} port={a.rtcp_port} sync=false async=false "
        f"rtcptee. ! rtpbin.recv_rtcp_sink_{i} "
    )


def main():
    a = parse_args()
    Gst.init(None)

    def udp_socket():
        s = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
        s.bind(Gio.InetSocketAddress.new_from_string("127.0.0.1" if a.host.startswith("127.") else "0.0.0.0", 0), False)
        return s

    rtp_sock, rtcp_sock = udp_socket(), udp_socket()
    layers = a.layer
    top = len(layers) - 1
    desc = (
        "rtpbin name=rtpbin rtp-profile=avpf "
        f"ximagesrc name=src display-name={a.display} use-damage=false show-pointer=false "
        f"startx=0 starty=0 endx={a.width - 1} endy={a.height - 1} "
        f"! video/x-raw,framerate={a.fps}/1 "
        "! queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream "
        "! videoconvert n-threads=1 ! video/x-raw,format=I420 ! tee name=t "
        "udpsrc name=rtcpsrc caps=application/x-rtcp ! tee name=rtcptee "
        + "".join(layer_branch(a, i, layer) for i, layer in enumerate(layers))
    )
    pipeline = Gst.parse_launch(desc)
    rtp_dest = Gio.InetSocketAddress.new_from_string(a.host, a.rtp_port)

    def send_rtp(sink):
        # RTP leaves through our own socket (not udpsink) so every packet can carry the
        # playout-delay extension; rtpbin has already counted it for its sender reports.
        sample = sink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, m = buf.map(Gst.MapFlags.READ)
        if ok:
            try:
                packet = bytes(m.data)
            finally:
                buf.unmap(m)
            if a.playout_delay_id:
                packet = with_playout_delay(packet, a.playout_delay_id)
            try:
                rtp_sock.send_to(rtp_dest, packet, None)
            except GLib.Error:
                pass  # the receiver is gone (ICMP unreachable): it is its loss, not ours
        return Gst.FlowReturn.OK

    for i in range(len(layers)):
        pipeline.get_by_name(f"rtpsink{i}").connect("new-sample", send_rtp)
        rtcpsink = pipeline.get_by_name(f"rtcpsink{i}")
        rtcpsink.set_property("socket", rtcp_sock)
        rtcpsink.set_property("close-socket", False)
    rtcpsrc = pipeline.get_by_name("rtcpsrc")
    rtcpsrc.set_property("socket", rtcp_sock)
    rtcpsrc.set_property("close-socket", False)
    # mediasoup switches a viewer between simulcast layers only once it has a sender report
    # (SR) for both streams, to line up their timestamps: send SRs every RTCP_INTERVAL_S
    # rather than rtpbin's 5 s, so a layer switch waits at most that long.
    rtpbin = pipeline.get_by_name("rtpbin")
    for i in range(len(layers)):
        rtpbin.emit("get-internal-session", i).set_property("rtcp-min-interval", int(RTCP_INTERVAL_S * Gst.SECOND))
    encs = [pipeline.get_by_name(f"enc{i}") for i in range(len(layers))]
    pays = [pipeline.get_by_name(f"pay{i}") for i in range(len(layers))]
    enc = encs[top]

    loop = GLib.MainLoop()
    frames = {"n": 0, "bytes": 0, "keyframes_requested": 0}
    per_layer = [{"frames": 0, "bytes": 0, "keyframesRequested": 0} for _ in layers]

    def on_pay_buffer(_pad, info, i):
        # The payloader pushes buffer lists (one per frame) as well as single buffers.
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            n = info.get_buffer_list().calculate_size()
        else:
            n = info.get_buffer().get_size()
        frames["bytes"] += n
        per_layer[i]["bytes"] += n
        return Gst.PadProbeReturn.OK

    def on_enc_event(_pad, info, i):
        ev = info.get_event()
        if GstVideo.video_event_is_force_key_unit(ev):
            frames["keyframes_requested"] += 1
            per_layer[i]["keyframesRequested"] += 1
            emit({"event": "keyframe", "layer": i})
        return Gst.PadProbeReturn.OK

    def on_enc_buffer(_pad, info, i):
        per_layer[i]["frames"] += 1
        if i == top:
            frames["n"] += 1
        return Gst.PadProbeReturn.OK

    # Frame marker: read it once on every captured frame (with the capture time), before the
    # tee, so it works whatever the layers; then, for the frames that reach the top layer's
    # encoder, note the first one showing a new value and when the
    # encoder output it. x264enc rewrites PTS, so outputs are matched to inputs by order
    # (one in, one out, no reordering at zerolatency/realtime settings).
    marker = {"captured": {}, "last": None, "fifo": collections.deque()}

    def on_src_buffer(_pad, info):
        buf = info.get_buffer()
        ok, m = buf.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        try:
            v = read_marker(m.data, a.width, a.height, a.marker_cells, a.marker_px)
        finally:
            buf.unmap(m)
        captured = marker["captured"]
        captured[buf.pts] = (v, time.monotonic_ns() / 1e6)
        if len(captured) > 16:  # frames the leaky queue dropped
            del captured[next(iter(captured))]
        return Gst.PadProbeReturn.OK

    def on_enc_input(_pad, info):
        hit = marker["captured"].pop(info.get_buffer().pts, None)
        if hit is not None and hit[0] is not None and hit[0] != marker["last"]:
            marker["last"] = hit[0]
            marker["fifo"].append(hit)
        else:
            marker["fifo"].append(None)
        return Gst.PadProbeReturn.OK

    def on_enc_output(_pad, info):
        hit = marker["fifo"].popleft() if marker["fifo"] else None
        if hit is not None:
            emit({"event": "marker", "value": hit[0], "capturedAt": hit[1], "encodedAt": time.monotonic_ns() / 1e6})
        return Gst.PadProbeReturn.OK

    if a.marker_cells > 0:
        pipeline.get_by_name("src").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_src_buffer)
        enc.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_enc_input)
        enc.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_enc_output)

    for i in range(len(layers)):
        pays[i].get_static_pad("src").add_probe(
            Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, on_pay_buffer, i)
        encs[i].get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, on_enc_event, i)
        encs[i].get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_enc_buffer, i)

    def request_keyframe():
        for e in encs:
            ev = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
            e.get_static_pad("src").send_event(ev)
        return False

    def set_bitrate(kbps):
        # Lower layers keep their share of the top layer's bitrate.
        for e, layer in zip(encs, layers):
            k = max(1, round(kbps * layer["kbps"] / layers[top]["kbps"]))
            if a.codec == "h264":
                e.set_property("bitrate", int(k))
            else:
                e.set_property("target-bitrate", int(k) * 1000)
        return False

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            emit({"event": "error", "message": f"{err.message} ({dbg})"})
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.STATE_CHANGED and msg.src == pipeline:
            _old, new, _pending = msg.parse_state_changed()
            if new == Gst.State.PLAYING:
                emit({"event": "ready", "rtpPort": rtp_sock.get_local_address().get_port(),
                      "rtcpPort": rtcp_sock.get_local_address().get_port()})

    def report():
        emit({"event": "stats", "frames": frames["n"], "bytes": frames["bytes"],
              "keyframesRequested": frames["keyframes_requested"], "layers": per_layer})
        return True

    def read_stdin():
        for line in sys.stdin:
            try:
                cmd = json.loads(line)
            except ValueError:
                continue
            if cmd.get("cmd") == "keyframe":
                GLib.idle_add(request_keyframe)
            elif cmd.get("cmd") == "bitrate" and isinstance(cmd.get("kbps"), (int, float)):
                GLib.idle_add(set_bitrate, cmd["kbps"])
        GLib.idle_add(loop.quit)  # parent went away: stop

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add_seconds(1, report)
    threading.Thread(target=read_stdin, daemon=True).start()
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        emit({"event": "error", "message": "pipeline failed to start"})
        sys.exit(1)
    try:
        loop.run()
    finally:
        pipeline.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
