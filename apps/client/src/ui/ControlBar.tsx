import { lazy, Suspense, useState } from 'react';
import { useClient, useOffload } from './OffloadContext';

/** The sensors panel loads only when opened: most viewers never do. */
const SensorsPanel = lazy(() => import('./SensorsPanel').then((m) => ({ default: m.SensorsPanel })));

/**
 * Who controls the app, and the one button that moves control: take it (nobody has it),
 * ask for it (someone else has it), hand it over (someone asked), or give it up. The
 * server decides; this only shows what it said and asks.
 */
export function ControlBar() {
  const client = useClient();
  const control = useOffload((s) => s.control);
  const request = useOffload((s) => s.controlRequest);
  const setRequest = useOffload((s) => s.setControlRequest);
  const [asked, setAsked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sensorsOpen, setSensorsOpen] = useState(false);
  if (!control) return null;

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch {
      // Shown as a warning by the client; the state stays what the server says.
    } finally {
      setBusy(false);
    }
  };

  const who = control.controllerName ?? 'another participant';
  let text: string;
  let state: 'control' | 'watching' | 'vacant';
  if (control.inControl) {
    text = 'You have control';
    state = 'control';
  } else if (control.controllerId) {
    text = `You are watching — ${who} has control`;
    state = 'watching';
  } else {
    text = 'You are watching — nobody has control';
    state = 'vacant';
  }
  const requested = asked !== null && asked === control.controllerId;

  return (
    <div className="control-bar" data-testid="control-bar" data-state={state}>
      <span data-testid="control-status">{text}</span>
      {control.inControl && request && (
        <button
          type="button"
          className="primary"
          data-testid="control-grant"
          disabled={busy}
          onClick={() => run(() => client.grantControl(request.viewerId))}
        >
          Hand over to {request.name ?? 'the requester'}
        </button>
      )}
      {control.inControl && request && (
        <button type="button" className="link" onClick={() => setRequest(null)}>
          Dismiss
        </button>
      )}
      {control.inControl && !request && (
        <button
          type="button"
          data-testid="control-release"
          disabled={busy}
          onClick={() => run(() => client.releaseControl())}
        >
          Give up control
        </button>
      )}
      {!control.inControl && control.canControl && state === 'vacant' && (
        <button
          type="button"
          className="primary"
          data-testid="control-take"
          disabled={busy}
          onClick={() => run(() => client.takeControl())}
        >
          Take control
        </button>
      )}
      {!control.inControl && control.canControl && state === 'watching' && (
        <button
          type="button"
          data-testid="control-request"
          disabled={busy || requested}
          onClick={() =>
            run(async () => {
              await client.requestControl();
              setAsked(control.controllerId);
            })
          }
        >
          {requested ? 'Asked for control' : 'Ask for control'}
        </button>
      )}
      {control.inControl && (
        <button
          type="button"
          data-testid="sensors-toggle"
          aria-expanded={sensorsOpen}
          onClick={() => setSensorsOpen(!sensorsOpen)}
        >
          Sensors
        </button>
      )}
      {control.inControl && sensorsOpen && (
        <Suspense fallback={null}>
          <SensorsPanel />
        </Suspense>
      )}
    </div>
  );
}
