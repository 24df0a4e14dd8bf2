import './noEval';
import type { ClockEstimate, LatencySample } from '@offload/latency';
import { createRoot } from 'react-dom/client';
import { type LatencyCounts, LatencyMonitor } from './core/latency/LatencyMonitor';
import { wireLatency } from './core/latency/wireLatency';
import { deviceHints, lowPowerMode } from './core/lowPower';
import { StreamClient } from './core/StreamClient';
import { startGamepads } from './core/sensors/pageSensors';
import { cspRefusals, diagnoseSignaling } from './core/signaling/authCheck';
import { resolveSignalingUrl, withToken } from './core/signaling/signalingUrl';
import { embedParentOrigin } from './embed/parentOrigin';
import { bindClientToStore } from './store/bindClient';
import { bindLatencyToStore } from './store/bindLatency';
import { createOffloadStore, type OffloadStore } from './store/store';
import { App } from './ui/App';
import { OffloadProvider } from './ui/OffloadContext';
import { latencyMonitorEnabled, parseRoute } from './ui/route';
import './ui/styles.css';

declare global {
  interface Window {
    /**
     * Test and debug hook: e2e tests read the store and drive the client through it. Not an
     * API for embedders (use the URL parameters); its shape may change with the client.
     */
    __offload?: {
      client: StreamClient;
      store: import('zustand/vanilla').StoreApi<OffloadStore>;
      /** The latency monitor's live data (empty, `enabled: false`, with `?latency=0`). */
      latency: {
        enabled: boolean;
        /** Input-to-photon samples, oldest first (up to 1000), unthrottled. */
        samples(): LatencySample[];
        /** Counters, read when accessed. */
        readonly counts: LatencyCounts | null;
        /** Clock estimate (server − client offset, rtt, errorBound in ms), read when accessed; null before the first pong. */
        readonly clock: ClockEstimate | null;
      };
    };
  }
}

function signalingUrl(): string {
  try {
    return resolveSignalingUrl(window.location);
  } catch (err) {
    console.error(`[offload] ${String(err)}; using this page's server`);
    return resolveSignalingUrl({ ...window.location, search: '' });
  }
}

const store = createOffloadStore();
const withLatency = latencyMonitorEnabled(window.location.search);
const baseUrl = signalingUrl();
/** An access token handed over by the embedding host (never in the page's URL). */
let embedToken: string | undefined;
const url = () => (embedToken ? withToken(baseUrl, embedToken) : baseUrl);
const refused = cspRefusals();
const client = new StreamClient({
  url,
  reportChannel: withLatency,
  diagnose: () => diagnoseSignaling(url(), fetch, refused),
});
// Low-power mode (weak devices, Save-Data, ?lowpower=1): the low simulcast layer, stats every 5 s.
const lowPower = lowPowerMode(window.location.search, deviceHints(navigator));
if (lowPower) void client.setQualityCap('low');
store.getState().setLowPower(lowPower);
const binding = bindClientToStore(client, store, { statsIntervalMs: lowPower ? 5000 : 1000 });
// With ?latency=0 nothing of the monitor exists: no pings, no frame callbacks, no report channel.
const monitor = withLatency
  ? new LatencyMonitor({
      sendPing: (ping) => client.sendPing(ping),
      report: (samples) => void client.reportLatency(samples),
    })
  : null;
if (monitor) {
  wireLatency(client, monitor);
  bindLatencyToStore(monitor, store);
}
store.getState().setLatencyEnabled(withLatency);
// The device's gamepads reach the app while this viewer controls it (polled only while one is connected).
startGamepads(client);
window.__offload = {
  client,
  store,
  latency: {
    enabled: withLatency,
    samples: () => monitor?.samples ?? [],
    get counts() {
      return monitor?.counts ?? null;
    },
    get clock() {
      return monitor?.clock ?? null;
    },
  },
};

// Framed by a page that uses the embedding SDK (?parent=<its origin>): talk to it.
const parentOrigin =
  window.parent !== window
    ? embedParentOrigin(
        new URLSearchParams(window.location.search).get('parent'),
        window.location.ancestorOrigins,
      )
    : null;
// The bridge (and the embedding protocol's schemas) load only in a framed player; it says
// `ready` when it is up, so the host sends nothing before.
if (parentOrigin) {
  void import('./embed/EmbedBridge').then(
    ({ EmbedBridge }) =>
      new EmbedBridge({
        host: window.parent,
        self: window,
        parentOrigin,
        client,
        store,
        sessionId: parseRoute(window.location.search).sessionId,
        setToken: (token) => {
          if (token === embedToken) return true;
          // The socket, once opened, carries the token it was opened with.
          if (client.state !== 'idle') return false;
          embedToken = token;
          return true;
        },
        playerVersion: __OFFLOAD_VERSION__,
        refreshStats: binding.refreshStats,
      }),
  );
}

// e2e tests and embedders wait on this attribute rather than on the UI's wording.
store.subscribe((s, prev) => {
  if (s.connection === prev.connection) return;
  document.documentElement.dataset.offloadState = s.connection.state;
  if (s.connection.error) document.documentElement.dataset.offloadError = s.connection.error.code;
  else delete document.documentElement.dataset.offloadError;
});
document.documentElement.dataset.offloadState = store.getState().connection.state;

// A hidden tab may have dropped frames: ask for a keyframe rather than wait for the next one.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') client.requestKeyFrame();
});
// Tell the server promptly that this viewer is gone; a page restored from the back/forward cache starts afresh.
window.addEventListener('pagehide', () => {
  monitor?.close();
  client.close();
});
window.addEventListener('pageshow', (e) => {
  if (e.persisted) window.location.reload();
});

createRoot(document.getElementById('root')!).render(
  <OffloadProvider client={client} store={store} monitor={monitor}>
    <App />
  </OffloadProvider>,
);
