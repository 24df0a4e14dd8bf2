import pino from 'pino';

/**
 * How log lines are written: `pretty` (one readable line each, via pino-pretty) when stdout is a
 * terminal, JSON lines otherwise (for log collectors); LOG_FORMAT=json|pretty overrides.
 */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  tty = process.stdout.isTTY === true,
): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return tty ? 'pretty' : 'json';
}

/** The one structured logger; modules take a child namespaced with `{ module }`. */
export const rootLogger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { app: 'offload' },
  ...(logFormat() === 'pretty'
    ? {
        transport: {
          target: 'pino-pretty',
          // One line an entry: time, level, [module] message, then its fields.
          options: {
            translateTime: 'SYS:HH:MM:ss.l',
            ignore: 'pid,hostname,app,module',
            messageFormat: '{if module}[{module}] {end}{msg}',
            singleLine: true,
          },
        },
      }
    : {}),
});

export type Logger = pino.Logger;

export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}
