import { useSyncExternalStore } from 'react';

/** What the URL says to show. */
export interface Route {
  /** `?session=<id>`: play that session; absent: the start page. */
  sessionId: string | null;
  /** `?embed=1`: player only, no page chrome or status bar. */
  embed: boolean;
  /** `?autoconnect=0`: join only when told (the embedding SDK's `connect`), not on load. */
  autoConnect: boolean;
}

const NAVIGATE_EVENT = 'offload:navigate';

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const sessionId = params.get('session')?.trim() || null;
  const embed = params.get('embed');
  const autoConnect = params.get('autoconnect');
  return {
    sessionId,
    embed: embed === '1' || embed === 'true',
    autoConnect: autoConnect !== '0' && autoConnect !== 'false',
  };
}

/** `?latency=0` turns the latency monitor off (no pings, no frame callbacks), e.g. to measure its cost. Read once at start-up. */
export function latencyMonitorEnabled(search: string): boolean {
  const v = new URLSearchParams(search).get('latency');
  return v !== '0' && v !== 'false' && v !== 'off';
}

/** The URL of the player for a session, keeping `server` and `embed`; null → the start page. */
export function sessionUrl(sessionId: string | null, base: string = window.location.href): string {
  const url = new URL(base);
  if (sessionId) url.searchParams.set('session', sessionId);
  else url.searchParams.delete('session');
  url.hash = '';
  // URLSearchParams escapes ':' (host:port); unescaped, the link stays readable and still parses.
  return url.toString().replace(/%3A/gi, ':');
}

/**
 * The link a participant copies to share the session: never with their own access token
 * (it may be a controller's); in token mode the others need their own link (e.g. a viewerUrl
 * from POST /api/sessions).
 */
export function shareUrl(sessionId: string, base: string = window.location.href): string {
  const url = new URL(sessionUrl(sessionId, base));
  url.searchParams.delete('token');
  return url.toString().replace(/%3A/gi, ':');
}

/** Moves to a session (or the start page) without reloading: history.pushState. */
export function navigate(sessionId: string | null): void {
  window.history.pushState(null, '', sessionUrl(sessionId));
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

/** The current route; re-renders on navigate() and on back/forward. */
export function useRoute(): Route {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return parseRoute(search);
}
