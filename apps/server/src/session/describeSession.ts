import type { ScreenInfo } from '@offload/protocol';
import type { VideoSource } from '../media/VideoSource.js';
import type { PooledWorker } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import type { Control } from './Control.js';
import { describeViewer } from './describeViewer.js';
import type { RouterGroup } from './RouterGroup.js';
import type { Viewer } from './Viewer.js';

/** What describeSession reads of a session (a narrow view: no import of Session here). */
export interface DescribableSession {
  readonly id: string;
  readonly state: string;
  readonly createdAt: number;
  readonly worker: PooledWorker;
  readonly runtime: AppRuntime;
  readonly screen: ScreenInfo;
  readonly control: Control;
  readonly capture: { describe(): Record<string, unknown> | null };
  readonly viewers: ReadonlyMap<string, Viewer>;
  readonly routers: RouterGroup;
  videoSources(): Promise<VideoSource[]>;
}

/** A snapshot of a session for debugging and tests: viewers' input counts and the video sources' stats. */
export async function describeSession(session: DescribableSession): Promise<Record<string, unknown>> {
  return {
    id: session.id,
    state: session.state,
    createdAt: new Date(session.createdAt).toISOString(),
    worker: { index: session.worker.index, pid: session.worker.worker.pid },
    runtime: { pid: session.runtime.pid },
    screen: session.screen,
    controllerId: session.control.controllerId,
    capture: session.capture.describe(),
    viewers: [...session.viewers.values()].map(describeViewer),
    video: (await session.videoSources()).map((s) => ({
      codec: s.codec,
      ...s.stats,
      layers: s.layers.map((l, i) => ({ ...l, ...s.stats.layers[i] })),
    })),
    routers: session.routers.describe(),
  };
}
