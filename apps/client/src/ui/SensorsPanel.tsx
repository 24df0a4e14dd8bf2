import { type FormEvent, useState } from 'react';
import { pageSensorsFor } from '../core/sensors/pageSensors';
import { useClient } from './OffloadContext';

/**
 * The controller's senses for the app: share this device's location and motion (the browser
 * asks first), or set them by hand — a place in a form, a tilt with sliders (a desktop has no
 * motion sensors; a test rig none at all). Readings go on the sensors channel.
 */
export function SensorsPanel() {
  const client = useClient();
  // The page's one DeviceSensors: sharing goes on with the panel closed.
  const sensors = pageSensorsFor(client);
  const [sharing, setSharing] = useState(() => ({
    location: sensors.sharing('location'),
    motion: sensors.sharing('motion'),
  }));
  const [error, setError] = useState<string | null>(null);
  const [place, setPlace] = useState({ latitude: '', longitude: '' });
  const [tilt, setTilt] = useState({ alpha: 0, beta: 0, gamma: 0 });

  /** Shares the device's location or motion, or stops; the box says which (idempotent). */
  const share = async (what: 'location' | 'motion', on: boolean) => {
    setError(null);
    // Ticked at once; the browser may still be asking the user (and the device looking for a fix).
    setSharing((s) => ({ ...s, [what]: on }));
    if (!on) return sensors.stop(what);
    if (sensors.sharing(what)) return;
    try {
      await (what === 'location' ? sensors.shareLocation() : sensors.shareMotion());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setSharing((s) => ({ ...s, [what]: false }));
    }
  };

  const setLocation = (e: FormEvent) => {
    e.preventDefault();
    const latitude = Number(place.latitude);
    const longitude = Number(place.longitude);
    if (
      !(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) ||
      place.latitude === '' ||
      place.longitude === ''
    ) {
      setError('Latitude −90…90, longitude −180…180.');
      return;
    }
    setError(null);
    sensors.stop('location');
    setSharing((s) => ({ ...s, location: false }));
    sensors.offer({ type: 'sensor', kind: 'location', latitude, longitude, accuracy: 10 });
  };

  const slide = (axis: 'alpha' | 'beta' | 'gamma', value: number) => {
    const next = { ...tilt, [axis]: value };
    setTilt(next);
    sensors.offer({ type: 'sensor', kind: 'orientation', ...next });
  };
  const slider = (axis: 'alpha' | 'beta' | 'gamma', label: string, min: number, max: number) => (
    <label key={axis}>
      {label} <output>{tilt[axis]}°</output>
      <input
        type="range"
        data-testid={`sensor-${axis}`}
        min={min}
        max={max}
        step={1}
        value={tilt[axis]}
        disabled={sharing.motion}
        onChange={(e) => slide(axis, Number(e.target.value))}
      />
    </label>
  );
  const shareBox = (what: 'location' | 'motion') => (
    <label>
      <input
        type="checkbox"
        data-testid={`share-${what}`}
        checked={sharing[what]}
        onChange={(e) => void share(what, e.currentTarget.checked)}
      />{' '}
      Share this device's {what}
    </label>
  );
  const coordinate = (field: 'latitude' | 'longitude', label: string) => (
    <label>
      {label}{' '}
      <input
        inputMode="decimal"
        data-testid={`sensor-${field}`}
        value={place[field]}
        onChange={(e) => setPlace({ ...place, [field]: e.target.value })}
        size={9}
      />
    </label>
  );

  return (
    <section className="sensors-panel" data-testid="sensors-panel" aria-label="Sensors for the app">
      <div className="row">
        {shareBox('location')}
        {shareBox('motion')}
      </div>
      <form className="row" onSubmit={setLocation}>
        {coordinate('latitude', 'Latitude')}
        {coordinate('longitude', 'Longitude')}
        <button type="submit" data-testid="sensor-set-location">
          Set location
        </button>
      </form>
      <div className="row">
        {slider('alpha', 'Compass', 0, 359)}
        {slider('beta', 'Tilt forward', -90, 90)}
        {slider('gamma', 'Tilt sideways', -89, 89)}
      </div>
      {error && (
        <p className="sensors-error" role="alert" data-testid="sensors-error">
          {error}
        </p>
      )}
    </section>
  );
}
