import { describe, expect, it } from 'vitest';
import { lowPowerMode } from './lowPower';

describe('lowPowerMode', () => {
  it('follows ?lowpower= when given', () => {
    expect(lowPowerMode('?lowpower=1', { deviceMemory: 8 })).toBe(true);
    expect(lowPowerMode('?lowpower=0', { deviceMemory: 1, saveData: true })).toBe(false);
  });
  it('is on for devices with little memory or a user saving data, off otherwise', () => {
    expect(lowPowerMode('', { deviceMemory: 2 })).toBe(true);
    expect(lowPowerMode('', { deviceMemory: 0.5 })).toBe(true);
    expect(lowPowerMode('', { deviceMemory: 4 })).toBe(false);
    expect(lowPowerMode('', { deviceMemory: 8, saveData: true })).toBe(true);
    expect(lowPowerMode('', {})).toBe(false);
  });
});
