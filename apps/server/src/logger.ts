import pino from 'pino';

/** The one structured logger; modules take a child namespaced with `{ module }`. */
export const rootLogger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { app: 'offload' },
});

export type Logger = pino.Logger;

export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}
