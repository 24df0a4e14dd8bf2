import { useState } from 'react';
import { useOffload } from './OffloadContext';
import { shareUrl } from './route';

/** The slim bar under (desktop) or over (phone) the player: state, link, and stream numbers. */
export function StatusBar({
  routeSessionId,
  onKeyboard,
}: {
  routeSessionId: string;
  onKeyboard?: () => void;
}) {
  const state = useOffload((s) => s.connection.state);
  // Before (or without) a successful join, the id from the URL is still worth sharing.
  const sessionId = useOffload((s) => s.session.sessionId) ?? routeSessionId;
  const stats = useOffload((s) => s.media.stats);
  const hudVisible = useOffload((s) => s.latency.hudVisible);
  const lowPower = useOffload((s) => s.media.lowPower);
  const lent = useOffload((s) => s.media.lent);
  const toggleHud = useOffload((s) => s.toggleHud);
  const [copied, setCopied] = useState(false);

  const share = async () => {
    if (!sessionId) return;
    const url = shareUrl(sessionId);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (insecure origin, iframe without permission): the link is still selectable.
      window
        .getSelection()
        ?.selectAllChildren(document.querySelector('[data-testid="session-id"]') ?? document.body);
    }
  };

  const codec = stats?.codec?.replace(/^video\//, '');
  return (
    <div className="status-bar" data-testid="status-bar">
      <span className={`dot ${state}`} aria-hidden="true" />
      <span data-testid="status-state">{state}</span>
      {sessionId && (
        <button type="button" className="session" title="Copy a link to this session" onClick={share}>
          <span data-testid="session-id">{sessionId}</span>
          <span className="copied">{copied ? ' copied' : ''}</span>
        </button>
      )}
      {lowPower && (
        <span
          className="low-power"
          data-testid="low-power"
          title="Low-power mode: the low layer, fewer stats (?lowpower=0 turns it off)"
        >
          low power
        </span>
      )}
      {lent.length > 0 && (
        <span className="lent" data-testid="device-lent" role="status">
          ● the app uses your {lent.map((k) => (k === 'video' ? 'camera' : 'microphone')).join(' and ')}
        </span>
      )}
      <span className="stats" data-testid="stats">
        {stats?.fps != null && <span>{stats.fps} fps</span>}
        {codec && <span>{codec}</span>}
        {stats?.width != null && stats.height != null && (
          <span>
            {stats.width}×{stats.height}
          </span>
        )}
        {stats?.bitrateKbps != null && <span>{stats.bitrateKbps} kb/s</span>}
        {stats?.rttMs != null && <span>RTT {Math.round(stats.rttMs)} ms</span>}
      </span>
      <button
        type="button"
        className="hud-toggle"
        data-testid="hud-toggle"
        aria-pressed={hudVisible}
        title="Latency HUD (Alt+Shift+L)"
        onClick={toggleHud}
      >
        HUD
      </button>
      {onKeyboard && (
        <button
          type="button"
          className="kbd"
          title="Show keyboard"
          aria-label="Show keyboard"
          onClick={onKeyboard}
        >
          ⌨
        </button>
      )}
    </div>
  );
}
