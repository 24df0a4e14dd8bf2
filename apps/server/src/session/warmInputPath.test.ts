import { describe, expect, it } from 'vitest';
import { WARM_SAMPLES, warmInputPath } from './warmInputPath.js';

describe('warmInputPath', () => {
  it('runs every sample message all the way through the input path', () => {
    // A sample the gate refused (a schema that changed) would leave its code cold: all must pass.
    expect(warmInputPath()).toBe(WARM_SAMPLES);
  });
});
