// The built-in demo app: something real to stream and to test input against.
// It publishes its state on window.offloadApp.state() (read back by tests in debug mode).
(() => {
  const state = {
    count: 0,
    text: '',
    strokes: 0,
    lastInput: null,
    location: null,
    orientation: null,
    motion: null,
    gamepad: null,
    gamepadEvents: [],
    tone: { playing: false, hz: 880 },
    // The camera screen: status is off, asking, on, ended or the error's name (NotAllowedError…).
    camera: { status: 'off', width: 0, height: 0, tracks: [], mic: null },
  };
  const $ = (id) => document.getElementById(id);
  const noteInput = (e) => {
    state.lastInput = { type: e.type, pointerType: e.pointerType || null, at: Date.now() };
  };

  // Counter: reacts on pointerdown (touch or mouse) so a tap shows up in the next frame.
  const counter = $('counter');
  counter.addEventListener('pointerdown', (e) => {
    noteInput(e);
    state.count++;
    $('count').textContent = String(state.count);
    // Hue jumps 137° per tap: every tap changes the button's colour a lot (pixel tests see it).
    counter.style.background = `hsl(${(210 + state.count * 137) % 360} 80% 45%)`;
  });

  // Sound: ♫ in the dock starts and stops a tone of a known pitch (tests listen for it). On
  // pointerdown, like the counter, so the sound starts with the tap.
  let audio = null;
  const tone = $('tone');
  tone.addEventListener('pointerdown', (e) => {
    noteInput(e);
    if (!audio) {
      const ctx = new AudioContext({ latencyHint: 'interactive' });
      const gain = new GainNode(ctx, { gain: 0 });
      const osc = new OscillatorNode(ctx, { type: 'sine', frequency: state.tone.hz });
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      audio = { ctx, gain };
    }
    state.tone.playing = !state.tone.playing;
    audio.gain.gain.setValueAtTime(state.tone.playing ? 0.4 : 0, audio.ctx.currentTime);
    audio.ctx.resume();
    tone.setAttribute('aria-pressed', String(state.tone.playing));
  });

  // Camera screen: ◉ opens it and asks for the camera and microphone (getUserMedia: on Offload,
  // the controller's device answers); the video shows the camera, and a Web Audio analyser the
  // microphone's loudest frequency over the last second (tests compare both with the device's).
  const cameraButton = $('camera');
  let cam = null;
  const showMic = (mic) => {
    state.camera.mic = mic;
    $('mic-text').textContent = mic ? `microphone: ${mic.peakHz} Hz, ${mic.peakDb} dB` : 'microphone: —';
    $('mic-level').style.width = `${mic ? Math.max(0, Math.min(100, (mic.levelDb + 90) * 1.2)) : 0}%`;
  };
  const closeCamera = (status) => {
    if (cam) {
      for (const t of cam.stream.getTracks()) t.stop();
      clearInterval(cam.timer);
      cam.ctx?.close();
      cam = null;
    }
    $('cam').srcObject = null;
    $('camera-screen').hidden = true;
    cameraButton.setAttribute('aria-pressed', 'false');
    state.camera = { ...state.camera, status, tracks: [] };
    showMic(null);
  };
  const openCamera = async () => {
    $('camera-screen').hidden = false;
    cameraButton.setAttribute('aria-pressed', 'true');
    $('cam-status').textContent = 'asking for the camera…';
    state.camera.status = 'asking';
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    } catch (e) {
      state.camera.status = e.name || 'Error';
      $('cam-status').textContent = `no camera: ${e.name}: ${e.message}`;
      return;
    }
    if (state.camera.status !== 'asking') {
      for (const t of stream.getTracks()) t.stop(); // closed while it asked
      return;
    }
    const video = $('cam');
    video.srcObject = stream;
    video.play().catch(() => {});
    const ctx = new AudioContext();
    const analyser = new AnalyserNode(ctx, { fftSize: 4096, smoothingTimeConstant: 0 });
    ctx.createMediaStreamSource(stream).connect(analyser);
    void ctx.resume();
    const bins = new Float32Array(analyser.frequencyBinCount);
    const recent = [];
    const timer = setInterval(() => {
      analyser.getFloatFrequencyData(bins);
      let peak = 1;
      for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
      recent.push({ hz: Math.round((peak * ctx.sampleRate) / analyser.fftSize), db: bins[peak] });
      if (recent.length > 20) recent.shift();
      const loudest = recent.reduce((a, b) => (b.db > a.db ? b : a));
      const db = (v) => (Number.isFinite(v) ? Math.round(v) : -200);
      showMic({ peakHz: loudest.hz, peakDb: db(loudest.db), levelDb: db(recent.at(-1).db) });
      state.camera.width = video.videoWidth;
      state.camera.height = video.videoHeight;
    }, 50);
    cam = { stream, ctx, timer };
    state.camera.status = 'on';
    state.camera.tracks = stream.getTracks().map((t) => ({ kind: t.kind, label: t.label }));
    $('cam-status').textContent = 'camera on';
    for (const t of stream.getTracks())
      t.addEventListener('ended', () => {
        if (cam?.stream === stream) closeCamera('ended');
      });
  };
  cameraButton.addEventListener('pointerdown', (e) => {
    noteInput(e);
    if (cam || state.camera.status === 'asking') closeCamera('off');
    else void openCamera();
  });

  // Text field: mirrors what the app received, character for character.
  const text = $('text');
  const sync = () => {
    state.text = text.value;
    $('echo-text').textContent = text.value;
  };
  text.addEventListener('input', sync);
  text.addEventListener('keydown', noteInput);

  // Finger paint: one stroke per pointer (multi-touch draws several at once).
  const canvas = $('paint');
  const ctx = canvas.getContext('2d');
  const fitCanvas = () => {
    const r = canvas.getBoundingClientRect();
    canvas.width = Math.round(r.width);
    canvas.height = Math.round(r.height);
  };
  fitCanvas();
  const strokes = new Map();
  const colors = ['#e63946', '#2a9d8f', '#457b9d', '#f4a261', '#8338ec'];
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  canvas.addEventListener('pointerdown', (e) => {
    noteInput(e);
    canvas.setPointerCapture(e.pointerId);
    strokes.set(e.pointerId, { last: at(e), color: colors[state.strokes % colors.length] });
    state.strokes++;
  });
  canvas.addEventListener('pointermove', (e) => {
    const s = strokes.get(e.pointerId);
    if (!s) return;
    const p = at(e);
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 10;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(s.last[0], s.last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    s.last = p;
  });
  const end = (e) => strokes.delete(e.pointerId);
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  $('clear').addEventListener('pointerdown', (e) => {
    noteInput(e);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
  });

  // Running animation: the screen is never static, like a real phone UI (`?still` turns it
  // off: a screen that changes only on input, for measurements).
  const ball = $('ball');
  const strip = $('strip');
  let frames = 0;
  const tick = (t) => {
    const span = strip.clientWidth - ball.clientWidth;
    const x = (Math.sin(t / 700) * 0.5 + 0.5) * span;
    ball.style.transform = `translateX(${x.toFixed(1)}px)`;
    $('frames').textContent = String(++frames);
    requestAnimationFrame(tick);
  };
  if (!new URLSearchParams(location.search).has('still')) requestAnimationFrame(tick);

  const clock = () => {
    const d = new Date();
    $('clock').textContent =
      `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  };
  clock();
  setInterval(clock, 10_000);

  // The phone's senses, through the web's own APIs (Offload feeds them from the controller's
  // device): geolocation, deviceorientation, devicemotion.
  const round = (v, d = 4) => (v == null ? null : Number(v.toFixed(d)));
  navigator.geolocation?.watchPosition(
    (p) => {
      state.location = {
        latitude: p.coords.latitude,
        longitude: p.coords.longitude,
        accuracy: p.coords.accuracy,
      };
      $('geo').textContent = `${p.coords.latitude.toFixed(4)}, ${p.coords.longitude.toFixed(4)}`;
      $('geo-dot').classList.add('on');
    },
    () => {},
    { enableHighAccuracy: true },
  );
  addEventListener('deviceorientation', (e) => {
    if (e.beta == null || e.gamma == null) return;
    state.orientation = { alpha: round(e.alpha, 2), beta: round(e.beta, 2), gamma: round(e.gamma, 2) };
    const clamp = (v) => Math.max(-1, Math.min(1, v / 45));
    $('bubble').style.transform = `translate(${clamp(e.gamma) * 12}px, ${clamp(e.beta) * 12}px)`;
  });
  addEventListener('devicemotion', (e) => {
    const g = e.accelerationIncludingGravity;
    if (!g || g.x == null) return;
    const r = e.rotationRate;
    state.motion = {
      accelerationIncludingGravity: { x: round(g.x), y: round(g.y), z: round(g.z) },
      rotationRate:
        r && r.alpha != null
          ? { alpha: round(r.alpha, 2), beta: round(r.beta, 2), gamma: round(r.gamma, 2) }
          : null,
    };
  });

  // Gamepads, through the Gamepad API: polled every frame while one is connected (one loop).
  let polling = false;
  const pollPad = () => {
    const pad = [...navigator.getGamepads()].find((p) => p);
    $('pad').hidden = !pad;
    polling = !!pad;
    if (!pad) {
      state.gamepad = null;
      return;
    }
    state.gamepad = {
      id: pad.id,
      index: pad.index,
      mapping: pad.mapping,
      pressed: pad.buttons.flatMap((b, i) => (b.pressed ? [i] : [])),
      axes: pad.axes.map((v) => round(v, 3)),
    };
    for (let i = 0; i < 4; i++) $(`btn-${i}`).classList.toggle('on', !!pad.buttons[i]?.pressed);
    $('stick-dot').style.transform = `translate(${(pad.axes[0] || 0) * 18}px, ${(pad.axes[1] || 0) * 18}px)`;
    requestAnimationFrame(pollPad);
  };
  addEventListener('gamepadconnected', (e) => {
    state.gamepadEvents.push(`connected:${e.gamepad.index}`);
    if (!polling) {
      polling = true;
      requestAnimationFrame(pollPad);
    }
  });
  addEventListener('gamepaddisconnected', (e) => state.gamepadEvents.push(`disconnected:${e.gamepad.index}`));

  // Where the senses show, as fractions of the screen (tests read the pixels there).
  const centre = (id) => {
    const r = $(id).getBoundingClientRect();
    return { x: (r.left + r.width / 2) / innerWidth, y: (r.top + r.height / 2) / innerHeight };
  };
  const box = (id) => {
    const r = $(id).getBoundingClientRect();
    return {
      x: r.left / innerWidth,
      y: r.top / innerHeight,
      w: r.width / innerWidth,
      h: r.height / innerHeight,
    };
  };
  window.offloadApp = {
    state: () => ({
      ...state,
      focused: document.activeElement?.id || null,
      layout: {
        geoDot: centre('geo-dot'),
        level: centre('level'),
        padA: $('pad').hidden ? null : centre('btn-0'),
        tone: centre('tone'),
        cameraButton: centre('camera'),
        cameraVideo: box('cam'),
      },
    }),
  };
})();
