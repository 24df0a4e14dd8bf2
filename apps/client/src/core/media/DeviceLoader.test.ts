import { describe, expect, it, vi } from 'vitest';
import { DeviceLoader } from './DeviceLoader';

/** A stand-in Device: load() resolves (or rejects) when told. */
function fakeDevices() {
  const made: { caps: unknown; finish: (err?: Error) => void }[] = [];
  const create = vi.fn(() => {
    const d = {
      load: ({ routerRtpCapabilities }: { routerRtpCapabilities: unknown }) =>
        new Promise<void>((resolve, reject) => {
          made.push({ caps: routerRtpCapabilities, finish: (err) => (err ? reject(err) : resolve()) });
        }),
    };
    return d as never;
  });
  return { made, create };
}

describe('DeviceLoader', () => {
  it('loads once per set of capabilities: a get() during or after a preload shares it', async () => {
    const { made, create } = fakeDevices();
    const loader = new DeviceLoader(create);
    loader.preload({ codecs: [1] });
    expect(create).not.toHaveBeenCalled(); // after the current task
    await new Promise((r) => setTimeout(r, 0));
    const during = loader.get({ codecs: [1] });
    made[0]!.finish();
    const device = await during;
    expect(await loader.get({ codecs: [1] })).toBe(device);
    expect(create).toHaveBeenCalledTimes(1);
    // Other capabilities: another Device.
    const other = loader.get({ codecs: [2] });
    made[1]!.finish();
    expect(await other).not.toBe(device);
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed load: the next get() tries again', async () => {
    const { made, create } = fakeDevices();
    const loader = new DeviceLoader(create);
    loader.preload({ codecs: [1] });
    await new Promise((r) => setTimeout(r, 0));
    made[0]!.finish(new Error('no such codec'));
    await expect(loader.get({ codecs: [1] })).rejects.toThrow('no such codec');
    const again = loader.get({ codecs: [1] });
    made[1]!.finish();
    await expect(again).resolves.toBeDefined();
    expect(create).toHaveBeenCalledTimes(2);
  });
});
