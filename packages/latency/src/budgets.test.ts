import { describe, expect, it } from 'vitest';
import { allBudgets, evaluateBudget, makeBudget, NETWORK_PROFILES } from './budgets.js';
import { SEGMENTS, type Segment } from './segments.js';

const zero = () => Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;

describe('budgets', () => {
  it('splits every feasible budget into allowances that add up to its total', () => {
    for (const b of allBudgets().filter((x) => x.feasible)) {
      const sum = Object.values(b.allowances).reduce((a, x) => a + x, 0);
      expect(sum, b.id).toBeCloseTo(b.totalMs, 6);
      for (const s of SEGMENTS) expect(b.allowances[s], `${b.id} ${s}`).toBeGreaterThan(0);
    }
  });

  it('says when the network alone breaks the budget', () => {
    const b = makeBudget('gaming-competitive', '4g');
    expect(b.feasible).toBe(false);
    expect(b.allowances.uplink + b.allowances.network + b.allowances.jitterBuffer).toBeGreaterThan(b.totalMs);
    expect(makeBudget('gaming-competitive', '5g-a').feasible).toBe(true);
  });

  it('gives the network more on a slower access link', () => {
    const a = makeBudget('cloud-phone', '5g-a');
    const b = makeBudget('cloud-phone', '4g');
    expect(b.allowances.uplink).toBeGreaterThan(a.allowances.uplink);
    expect(b.allowances.network).toBeGreaterThan(a.allowances.network);
    expect(b.allowances.renderCapture).toBeLessThan(a.allowances.renderCapture);
    expect(NETWORK_PROFILES['5g']!.source).toMatch(/IMT-2020/);
  });

  it('rejects unknown names', () => {
    expect(() => makeBudget('cloud-toaster', 'wired')).toThrow(TypeError);
    expect(() => makeBudget('cloud-phone', '6g')).toThrow(/unknown network/);
  });

  it('passes within budget and names the segment that burns most when over', () => {
    const b = makeBudget('gaming-casual', 'wired');
    const ok = evaluateBudget(b, { total: 60, segments: { ...zero(), renderCapture: 10 } });
    expect(ok.pass).toBe(true);
    expect(ok.burnsMost).toBe('renderCapture');

    const segments = {
      ...zero(),
      encode: b.allowances.encode * 3,
      renderCapture: b.allowances.renderCapture * 1.1,
    };
    const bad = evaluateBudget(b, { total: 120, segments });
    expect(bad.pass).toBe(false);
    expect(bad.total.pass).toBe(false);
    expect(bad.burnsMost).toBe('encode');
    expect(bad.segments.find((s) => s.segment === 'encode')!.pass).toBe(false);
    expect(bad.segments.find((s) => s.segment === 'decode')!.pass).toBe(true);
  });

  it('treats unmeasured segments as passing', () => {
    const b = makeBudget('cloud-phone', '5g');
    const v = evaluateBudget(b, { total: Number.NaN, segments: { ...zero(), decode: Number.NaN } });
    expect(v.pass).toBe(true);
  });
});
