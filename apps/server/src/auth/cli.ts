import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { parseDuration, signToken } from './tokens.js';

/**
 * Mints an access token with the server's OFFLOAD_AUTH_SECRET:
 *   pnpm --filter @offload/server token -- --role controller [--session ID] [--ttl 1h] [--name Ann]
 * Without --session, a controller token may create one new session.
 */
const USAGE =
  'usage: token --role controller|viewer [--session ID] [--ttl 1h] [--name NAME]\n' +
  '  (reads OFFLOAD_AUTH_SECRET; a viewer token needs --session)';

try {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      role: { type: 'string' },
      session: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const config = loadConfig();
  if (!config.auth.secret)
    throw new TypeError('OFFLOAD_AUTH_SECRET is not set (the server runs in open mode)');
  if (values.role !== 'controller' && values.role !== 'viewer')
    throw new TypeError('--role must be controller or viewer');
  const ttlS = parseDuration(values.ttl);
  if (ttlS > config.auth.maxTtlS) {
    throw new TypeError(
      `--ttl ${values.ttl} is longer than OFFLOAD_TOKEN_MAX_TTL_S (${config.auth.maxTtlS} s)`,
    );
  }
  console.log(
    await signToken(config.auth.secret, { role: values.role, sid: values.session, sub: values.name }, ttlS),
  );
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof TypeError ? err.message : String(err));
  console.error(USAGE);
  process.exit(2);
}
