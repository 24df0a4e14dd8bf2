import { createRoot } from 'react-dom/client';
import { StreamClient } from './core/StreamClient';
import { resolveSignalingUrl } from './core/signalingUrl';
import { bindClientToStore } from './store/bindClient';
import { createOffloadStore, type OffloadStore } from './store/store';
import { App } from './ui/App';
import { OffloadProvider } from './ui/OffloadContext';
import './ui/styles.css';

declare global {
  interface Window {
    /**
     * Test and debug hook: e2e tests read the store and drive the client through it. Not an
     * API for embedders (use the URL parameters); its shape may change with the client.
     */
    __offload?: { client: StreamClient; store: import('zustand/vanilla').StoreApi<OffloadStore> };
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
const client = new StreamClient({ url: signalingUrl() });
bindClientToStore(client, store);
window.__offload = { client, store };

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
window.addEventListener('pagehide', () => client.close());
window.addEventListener('pageshow', (e) => {
  if (e.persisted) window.location.reload();
});

createRoot(document.getElementById('root')!).render(
  <OffloadProvider client={client} store={store}>
    <App />
  </OffloadProvider>,
);
