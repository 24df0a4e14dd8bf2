import type { Segment } from '@offload/latency';
import { SEGMENT_COLOURS } from './format';

/** One horizontal bar, a part per segment, drawn against `scaleMs` (negative parts count as 0). */
export function StackedBar({
  parts,
  scaleMs,
  label,
}: {
  parts: { segment: Segment; ms: number }[];
  scaleMs: number;
  label: string;
}) {
  let x = 0;
  return (
    <svg className="hud-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={label}>
      <rect x="0" y="0" width="100" height="6" className="hud-bar-bg" />
      {parts.map(({ segment, ms }) => {
        const w = scaleMs > 0 && ms > 0 ? (ms / scaleMs) * 100 : 0;
        const rect = <rect key={segment} x={x} y="0" width={w} height="6" fill={SEGMENT_COLOURS[segment]} />;
        x += w;
        return rect;
      })}
    </svg>
  );
}
