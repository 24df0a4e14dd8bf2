/** The raw CDP binding through which the app page's shim asks for (and gives back) the device's media. */
export const CAPTURE_BINDING = '__offloadCapture';
/** The page object the server calls with answers, frames and sound (see CAPTURE_SHIM). */
export const CAPTURE_HOOK = '__offloadCaptureHook';

/**
 * The app page's `navigator.mediaDevices.getUserMedia` and `enumerateDevices`, fed by the
 * controller's camera and microphone. Runs before the app's own scripts (an init script; top
 * frame only: a subframe keeps the browser's own, which finds no device on the server).
 *
 * A request goes to the server through CAPTURE_BINDING (`{t:'request', n, audio, video}`); the
 * server answers through CAPTURE_HOOK: `start(n)` (the device lent its tracks: resolve),
 * `refuse(n, name, message)` (reject with that DOMException), `frame(n, jpegBase64)` (the
 * camera's next picture: drawn on a canvas whose captureStream is the app's video track),
 * `pcm(n, s16Base64)` (20 ms of the microphone, 48 kHz mono: scheduled into a Web Audio
 * MediaStreamDestination, the app's audio track) and `end(n)` (the capture stopped on the
 * device or control moved: the tracks end and fire `ended`). When the app stops every track of
 * a request, the shim says `{t:'stop', n}`. A request the server never answers is refused after
 * `timeoutMs` (NotAllowedError): getUserMedia never hangs.
 *
 * What the app could do with the hook: feed its own tracks frames of its own; nothing beyond
 * its page (the server checks every message of the binding).
 */
export function captureShim(timeoutMs: number): string {
  return `(() => {
  if (window !== window.top || !navigator.mediaDevices) return;
  const post = (m) => { try { window.${CAPTURE_BINDING}(JSON.stringify(m)); } catch {} };
  const pending = new Map();
  const live = new Map();
  let seq = 0;
  let granted = false;
  const wants = (c) => c === true || (typeof c === 'object' && c !== null);
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const named = (track, label) => Object.defineProperty(track, 'label', { value: label });

  const videoTrack = (cap) => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const g = canvas.getContext('2d');
    g.fillRect(0, 0, canvas.width, canvas.height);
    cap.video = { canvas, g, chain: Promise.resolve(), busy: false };
    return named(canvas.captureStream().getVideoTracks()[0], 'Offload camera (the controller’s device)');
  };
  const audioTrack = (cap) => {
    const ac = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    const dest = new MediaStreamAudioDestinationNode(ac, { channelCount: 1 });
    cap.audio = { ac, dest, next: 0 };
    void ac.resume();
    return named(dest.stream.getAudioTracks()[0], 'Offload microphone (the controller’s device)');
  };
  const finish = (n, tell) => {
    const cap = live.get(n);
    if (!cap) return;
    live.delete(n);
    cap.audio?.ac.close().catch(() => {});
    if (tell) post({ t: 'stop', n });
  };
  const trackStopped = (n) => {
    const cap = live.get(n);
    if (cap && cap.tracks.every((t) => t.readyState === 'ended')) finish(n, true);
  };

  const hook = {
    start(n) {
      const p = pending.get(n);
      if (!p) return post({ t: 'stop', n });
      pending.delete(n);
      clearTimeout(p.timer);
      const cap = { tracks: [] };
      if (p.video) cap.tracks.push(videoTrack(cap));
      if (p.audio) cap.tracks.push(audioTrack(cap));
      for (const track of cap.tracks) {
        const stop = track.stop.bind(track);
        Object.defineProperty(track, 'stop', { value: () => { stop(); trackStopped(n); } });
      }
      live.set(n, cap);
      granted = true;
      p.resolve(new MediaStream(cap.tracks));
    },
    refuse(n, name, message) {
      const p = pending.get(n);
      if (!p) return;
      pending.delete(n);
      clearTimeout(p.timer);
      p.reject(new DOMException(message, name));
    },
    frame(n, b64) {
      const v = live.get(n)?.video;
      if (!v || v.busy) return;
      v.busy = true;
      createImageBitmap(new Blob([bytes(b64)], { type: 'image/jpeg' }))
        .then((bmp) => {
          if (v.canvas.width !== bmp.width || v.canvas.height !== bmp.height) {
            v.canvas.width = bmp.width;
            v.canvas.height = bmp.height;
          }
          v.g.drawImage(bmp, 0, 0);
          bmp.close();
        })
        .catch(() => {})
        .finally(() => { v.busy = false; });
    },
    pcm(n, b64) {
      const a = live.get(n)?.audio;
      if (!a) return;
      const raw = bytes(b64);
      const samples = new Int16Array(raw.buffer, 0, raw.length >> 1);
      const buf = a.ac.createBuffer(1, samples.length, 48000);
      const ch = buf.getChannelData(0);
      for (let i = 0; i < samples.length; i++) ch[i] = samples[i] / 32768;
      const now = a.ac.currentTime;
      // 40 ms ahead absorbs the chunks' uneven arrival; more than 300 ms behind, start afresh.
      if (a.next < now + 0.01 || a.next > now + 0.3) a.next = now + 0.04;
      const src = new AudioBufferSourceNode(a.ac, { buffer: buf });
      src.connect(a.dest);
      src.start(a.next);
      a.next += buf.duration;
    },
    end(n) {
      const cap = live.get(n);
      if (!cap) return;
      finish(n, false);
      for (const t of cap.tracks) {
        if (t.readyState === 'ended') continue;
        t.stop();
        t.dispatchEvent(new Event('ended'));
      }
    },
  };
  Object.defineProperty(window, '${CAPTURE_HOOK}', { value: Object.freeze(hook) });

  const getUserMedia = function getUserMedia(constraints) {
    const c = constraints || {};
    const audio = wants(c.audio), video = wants(c.video);
    if (!audio && !video)
      return Promise.reject(new TypeError("getUserMedia: ask for at least one of audio and video."));
    return new Promise((resolve, reject) => {
      const n = ++seq;
      const timer = setTimeout(() => {
        pending.delete(n);
        post({ t: 'stop', n });
        reject(new DOMException('The device did not answer in time.', 'NotAllowedError'));
      }, ${timeoutMs});
      pending.set(n, { resolve, reject, timer, audio, video });
      post({ t: 'request', n, audio, video });
    });
  };
  const device = (kind, deviceId, label) => {
    const d = { deviceId, kind, label: granted ? label : '', groupId: 'offload' };
    return Object.freeze({ ...d, toJSON: () => d });
  };
  const enumerateDevices = function enumerateDevices() {
    return Promise.resolve([
      device('audioinput', 'offload-microphone', 'Offload microphone (the controller’s device)'),
      device('videoinput', 'offload-camera', 'Offload camera (the controller’s device)'),
    ]);
  };
  const proto = Object.getPrototypeOf(navigator.mediaDevices);
  Object.defineProperty(proto, 'getUserMedia', { configurable: true, writable: true, value: getUserMedia });
  Object.defineProperty(proto, 'enumerateDevices', { configurable: true, writable: true, value: enumerateDevices });
})();`;
}
