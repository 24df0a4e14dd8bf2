import { type FormEvent, useState } from 'react';
import { ClientError, type StreamErrorInfo } from '../core/ClientError';
import { ErrorPanel } from './ErrorPanel';
import { useClient } from './OffloadContext';
import { navigate } from './route';

export function StartPage({ embed }: { embed: boolean }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StreamErrorInfo | null>(null);
  const [joinId, setJoinId] = useState('');
  const [pageUrl, setPageUrl] = useState('');

  /** A new session on the demo app, or on `url` where the server's URL policy allows it. */
  const open = async (url?: string) => {
    setBusy(true);
    setError(null);
    try {
      navigate(await client.createSession(url ? { url } : {}));
    } catch (err) {
      setError(ClientError.from(err).toInfo());
    } finally {
      setBusy(false);
    }
  };
  const openDemo = () => open();

  const openPage = (e: FormEvent) => {
    e.preventDefault();
    const url = pageUrl.trim();
    if (url) open(url);
  };

  const join = (e: FormEvent) => {
    e.preventDefault();
    const id = joinId.trim();
    if (id) navigate(id);
  };

  return (
    <main className="start">
      {!embed && (
        <header>
          <h1>Offload</h1>
          <p className="tagline">
            Apps run on the server; your browser only shows the screen and sends your input.
          </p>
        </header>
      )}
      <button
        type="button"
        className="primary big"
        data-testid="start-demo"
        disabled={busy}
        onClick={openDemo}
      >
        {busy ? 'Starting…' : 'Open the demo app'}
      </button>
      {error && <ErrorPanel error={error} onRetry={openDemo} />}
      {!embed && (
        <form className="join" onSubmit={openPage}>
          <label htmlFor="page-url">Open a web page</label>
          <div className="row">
            <input
              id="page-url"
              data-testid="page-url"
              type="url"
              value={pageUrl}
              onChange={(e) => setPageUrl(e.target.value)}
              placeholder="https://…"
              autoComplete="url"
              spellCheck={false}
              maxLength={2048}
            />
            <button type="submit" data-testid="page-submit" disabled={busy || !pageUrl.trim()}>
              Open
            </button>
          </div>
        </form>
      )}
      {!embed && (
        <form className="join" onSubmit={join}>
          <label htmlFor="join-id">Join a session</label>
          <div className="row">
            <input
              id="join-id"
              data-testid="join-id"
              value={joinId}
              onChange={(e) => setJoinId(e.target.value)}
              placeholder="Session id"
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
            />
            <button type="submit" data-testid="join-submit" disabled={!joinId.trim()}>
              Join
            </button>
          </div>
        </form>
      )}
    </main>
  );
}
