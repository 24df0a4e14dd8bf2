/** What the page can tell about the device (the parts of `navigator` read). */
export interface DeviceHints {
  /** GB of RAM, coarsened by the browser (Chromium: 0.25…8); undefined where unsupported. */
  deviceMemory?: number;
  /** The user asked for less data (Save-Data / Data Saver). */
  saveData?: boolean;
}

/** Devices with at most this much memory (GB) play in low-power mode unless told otherwise. */
export const LOW_POWER_MAX_MEMORY_GB = 2;

/**
 * Whether to play in low-power mode: `?lowpower=1` or `?lowpower=0` decide; otherwise a
 * device with little memory (≤ 2 GB: cheap phones, set-top boxes) or one whose user asked
 * to save data. (Core counts are no guide: cheap phones have 8 slow cores.) Low-power mode
 * receives the low simulcast layer (a quarter of the pixels to decode) and polls stream stats
 * every 5 s instead of every second.
 */
export function lowPowerMode(search: string, hints: DeviceHints): boolean {
  const v = new URLSearchParams(search).get('lowpower');
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return (
    (hints.deviceMemory !== undefined && hints.deviceMemory <= LOW_POWER_MAX_MEMORY_GB) ||
    hints.saveData === true
  );
}

/** The device hints of this browser. */
export function deviceHints(nav: Navigator): DeviceHints {
  const n = nav as Navigator & { deviceMemory?: number; connection?: { saveData?: boolean } };
  return { deviceMemory: n.deviceMemory, saveData: n.connection?.saveData };
}
