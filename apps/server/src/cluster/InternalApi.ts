import type { IncomingMessage, ServerResponse } from 'node:http';
import { OffloadError } from '@offload/protocol';
import type { z } from 'zod';
import { moduleLogger } from '../logger.js';
import { sameSecret } from '../util/sameSecret.js';
import { INTERNAL_PREFIX, MAX_INTERNAL_BODY_BYTES, SECRET_HEADER } from './internalProtocol.js';

const log = moduleLogger('internal-api');

/** One route of the internal API: a method, a path under the prefix, its body's schema, a handler. */
export interface InternalRoute<S extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the path after INTERNAL_PREFIX; capture groups become `params`. */
  path: RegExp;
  /** POST bodies: validated before the handler sees them. */
  body?: S;
  handle(params: string[], body: z.infer<S>): Promise<{ status: number; body: unknown }>;
}

/** Declares a route with its body's type inferred from its schema. */
export function route<S extends z.ZodType>(r: InternalRoute<S>): InternalRoute {
  return r as unknown as InternalRoute;
}

/** HTTP status of each typed error an internal route may answer. */
const STATUS: Partial<Record<OffloadError['code'], number>> = {
  'bad-request': 400,
  'bad-json': 400,
  'invalid-message': 400,
  unauthorized: 401,
  'not-allowed': 403,
  'url-not-allowed': 403,
  'session-not-found': 404,
  'too-large': 413,
  'at-capacity': 503,
  'not-ready': 503,
};

/**
 * The node-to-node API under /internal/v1 (mounted by the HTTP server only when clustering
 * is on): every request must carry OFFLOAD_CLUSTER_SECRET in `x-offload-cluster-secret`
 * (compared in constant time), bodies are JSON of at most 16 KiB validated by each route's
 * schema, every failure is a typed error `{ error: { code, message } }`. Routes are a table:
 * phase 2 adds its pipe endpoints with `add()`.
 */
export class InternalApi {
  readonly #secret: string;
  readonly #routes: InternalRoute[] = [];
  #ready = false;

  constructor(secret: string) {
    this.#secret = secret;
  }

  add(...routes: InternalRoute[]): this {
    this.#routes.push(...routes);
    return this;
  }

  /** Requests before this answer `not-ready` (the node is still joining the cluster). */
  open(): void {
    this.#ready = true;
  }

  /** Whether `pathname` is the internal API's (then it answered, or will). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname !== INTERNAL_PREFIX && !pathname.startsWith(`${INTERNAL_PREFIX}/`)) return false;
    this.#serve(req, res, pathname.slice(INTERNAL_PREFIX.length)).catch((err: unknown) => {
      const typed = err instanceof OffloadError ? err : undefined;
      if (!typed) log.error({ err, path: pathname }, 'internal request failed');
      send(res, typed ?? new OffloadError('internal', 'The internal request failed.'));
    });
    return true;
  }

  async #serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const given = req.headers[SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, this.#secret)) {
      req.resume();
      throw new OffloadError('unauthorized', `The internal API needs the cluster secret (${SECRET_HEADER}).`);
    }
    if (!this.#ready) throw new OffloadError('not-ready', 'This node is still joining the cluster.');
    let params: string[] | undefined;
    const r = this.#routes.find((x) => {
      const m = x.path.exec(path);
      if (m && x.method === req.method) params = m.slice(1);
      return m && x.method === req.method;
    });
    if (!r || !params) {
      req.resume();
      throw new OffloadError('bad-request', `No internal route ${req.method} ${INTERNAL_PREFIX}${path}.`);
    }
    let body: unknown;
    if (r.body) {
      const parsed = r.body.safeParse(await readJson(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new OffloadError(
          'invalid-message',
          `Invalid body: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'}.`,
        );
      }
      body = parsed.data;
    } else req.resume();
    const out = await r.handle(params, body);
    res.writeHead(out.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(out.body));
  }
}

function send(res: ServerResponse, err: OffloadError): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(STATUS[err.code] ?? 500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: err.toWire() }));
}

/**
 * The request's JSON body, at most MAX_INTERNAL_BODY_BYTES: past that it answers at once and
 * the rest of the body is read and dropped (the socket stays usable for the answer).
 */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_INTERNAL_BODY_BYTES) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_INTERNAL_BODY_BYTES) chunks.push(chunk);
      else if (chunks.length > 0) {
        chunks.length = 0;
        reject(tooLarge());
      }
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_INTERNAL_BODY_BYTES) return reject(tooLarge());
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      } catch {
        reject(new OffloadError('bad-json', 'The body is not valid JSON.'));
      }
    });
  });
}

function tooLarge(): OffloadError {
  return new OffloadError('too-large', `The body is larger than ${MAX_INTERNAL_BODY_BYTES} bytes.`);
}
