import { useState } from 'react';
import type { StreamErrorCode, StreamErrorInfo } from '../core/ClientError';
import { useClient } from './OffloadContext';
import { navigate } from './route';

const TITLES: Partial<Record<StreamErrorCode, string>> = {
  'server-unreachable': 'Server unreachable',
  'connection-lost': 'Connection lost',
  'session-not-found': 'Session gone',
  'session-closed': 'Session ended',
  'cannot-consume': 'Codec unsupported',
  'incompatible-protocol': 'Incompatible version',
  'unsupported-browser': 'Browser not supported',
  'media-failed': 'Media connection failed',
  'at-capacity': 'Server busy',
  unauthorized: 'Access denied',
  'token-expired': 'Link expired',
  'not-allowed': 'Not allowed',
  'url-not-allowed': 'Address not allowed',
};

/** What a user can do about each failure. */
function actionFor(code: StreamErrorCode): 'new-session' | 'retry' | 'reload' | null {
  switch (code) {
    case 'session-not-found':
    case 'session-closed':
    case 'runtime-failed':
    case 'not-joined':
      return 'new-session';
    case 'incompatible-protocol':
      return 'reload';
    // A new link (token) has to come from whoever shared this one.
    case 'unauthorized':
    case 'token-expired':
    case 'not-allowed':
    case 'url-not-allowed':
      return null;
    case 'cannot-consume':
    case 'unsupported-browser':
      return null;
    default:
      return 'retry';
  }
}

export function ErrorPanel({ error, onRetry }: { error: StreamErrorInfo; onRetry?: () => void }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const action = actionFor(error.code);

  const startNew = async () => {
    setBusy(true);
    try {
      navigate(await client.createSession());
    } catch {
      // The failure is in the store and replaces this panel.
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="error-panel" data-testid="error" data-code={error.code} role="alert">
      <h2>{TITLES[error.code] ?? 'Something went wrong'}</h2>
      <p>{error.message}</p>
      <div className="actions">
        {action === 'new-session' && (
          <button
            type="button"
            className="primary"
            data-testid="new-session"
            disabled={busy}
            onClick={startNew}
          >
            Start a new demo session
          </button>
        )}
        {action === 'retry' && onRetry && (
          <button type="button" className="primary" data-testid="retry" onClick={onRetry}>
            Retry
          </button>
        )}
        {action === 'reload' && (
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            Reload page
          </button>
        )}
        <button type="button" className="link" onClick={() => navigate(null)}>
          Back to start
        </button>
      </div>
      <code className="error-code">{error.code}</code>
    </div>
  );
}
