import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { ClusterSettings } from './cluster/Cluster.js';
import { DEFAULT_REFRESH_HZ } from './runtime/XServer.js';

/**
 * Every knob of the server, read once from the environment. Defaults work out of the box on
 * one machine (everything on loopback). Each variable is listed in the README.
 */
const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  /** HTTP + WebSocket listen address. */
  OFFLOAD_HOST: z.string().default('127.0.0.1'),
  /** HTTP + WebSocket port. */
  OFFLOAD_PORT: int(0, 65535).default(8080),
  /** mediasoup workers; default one per core. */
  OFFLOAD_WORKERS: int(1, 64).default(Math.max(1, os.availableParallelism())),
  /** IP the WebRtcServer listens on. */
  OFFLOAD_RTC_LISTEN_IP: z.string().default('127.0.0.1'),
  /** Address announced to clients in ICE candidates (public IP or host name); default the listen IP. */
  OFFLOAD_RTC_ANNOUNCED_ADDRESS: z.string().optional(),
  /** First WebRtcServer port (UDP and TCP); worker i listens on port + i. */
  OFFLOAD_RTC_PORT: int(1, 65535).default(44444),
  /** Most concurrent sessions on this host; more get an "at-capacity" error. */
  OFFLOAD_MAX_SESSIONS: int(1, 1000).default(4),
  /** A session with no viewer for this long is closed (s). */
  OFFLOAD_SESSION_IDLE_TIMEOUT_S: int(1, 86_400).default(60),
  /** How long a viewer whose connection dropped keeps its place, so its client can resume (s). */
  OFFLOAD_RESUME_GRACE_S: int(0, 3600).default(30),
  /** Where the server keeps state that must outlive a restart (its resume-token key). */
  OFFLOAD_STATE_DIR: z.string().default(path.join(os.homedir(), '.local', 'state', 'offload')),
  /** Most viewers of one session. */
  OFFLOAD_MAX_VIEWERS: int(1, 1000).default(16),
  /**
   * What one session's processes (X server, app browser, video sender) may use together,
   * enforced by a cgroup each (the server must be root or own a delegated cgroup subtree):
   * CPU in cores, memory in MiB (past it the kernel's OOM killer ends a process of that session
   * only, and the session recovers), processes + threads. 0 = no limit.
   */
  OFFLOAD_SESSION_CPUS: z.coerce.number().min(0).max(1024).default(2),
  OFFLOAD_SESSION_MEMORY_MB: int(0, 1_048_576).default(2048),
  OFFLOAD_SESSION_PIDS: int(0, 1_000_000).default(1024),
  /** App screen width × height in CSS px (the video resolution) and whether it takes touch. */
  OFFLOAD_SCREEN_WIDTH: int(160, 3840).default(720),
  OFFLOAD_SCREEN_HEIGHT: int(160, 3840).default(1280),
  OFFLOAD_SCREEN_TOUCH: bool.default(true),
  /**
   * The app screen's refresh rate (Hz): the app browser draws its frames at this rate, so an
   * input shows in its pipeline about 2 refreshes later. 60 runs the screen on Xvfb; any
   * other rate on Xorg's dummy driver (Debian's xserver-xorg-video-dummy; without it, 60).
   */
  OFFLOAD_APP_REFRESH_HZ: int(24, 240).default(DEFAULT_REFRESH_HZ),
  /** Most frames captured and encoded a second (frames/s): frames follow the app's drawing, up to this. */
  OFFLOAD_FPS: int(1, 60).default(30),
  /**
   * `damage`: a frame is captured as soon as the app draws (X DAMAGE), up to OFFLOAD_FPS, and
   * at once while an injected input has not shown yet; `tick`: every 1/OFFLOAD_FPS s, drawn or not.
   */
  OFFLOAD_CAPTURE: z.enum(['damage', 'tick']).default('damage'),
  /**
   * Playout delay the RTP playout-delay extension asks receivers for (ms, min = max, 10 ms
   * steps): 0 renders each frame as soon as it is decoded; `off` sends no extension (the
   * receiver's own jitter buffer decides).
   */
  OFFLOAD_PLAYOUT_DELAY_MS: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(2000).multipleOf(10)])
    .default(0),
  /**
   * One-finger touches as mouse events for Chromium's touch emulator (1–3 ms to the page)
   * rather than as injected touch events, which Chromium holds until the page's next frame.
   */
  OFFLOAD_TOUCH_EMULATION: bool.default(true),
  /** The app's sound: a PulseAudio server per app runtime, recorded and sent to every viewer (Opus). */
  OFFLOAD_AUDIO: bool.default(true),
  /**
   * A server running as root starts each app browser as a uid of its own (61184–65519, no
   * account needed); set this to run them all as one existing unprivileged account instead.
   * A server that is not root runs them as its own account.
   */
  OFFLOAD_APP_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/i, 'an account name')
    .optional(),
  /** Extra flags for app browsers (space-separated), after Offload's own. */
  OFFLOAD_CHROMIUM_ARGS: z.string().default(''),
  /** Encoder target bitrate (kbit/s). */
  OFFLOAD_VIDEO_KBPS: int(100, 50_000).default(3000),
  /** Largest gap between keyframes (s); PLI/FIR from viewers produce one sooner. */
  OFFLOAD_KEYFRAME_INTERVAL_S: int(1, 600).default(10),
  /** Video codecs to produce, comma-separated (h264, vp8); the first that a viewer can decode is used. */
  OFFLOAD_CODECS: z
    .string()
    .default('h264,vp8')
    .transform((s) => s.split(',').map((c) => c.trim().toLowerCase()))
    .pipe(z.array(z.enum(['h264', 'vp8'])).min(1)),
  /** Simulcast layers encoded from the one capture (1 = off); each viewer gets the one its bandwidth allows. */
  OFFLOAD_SIMULCAST: int(1, 3).default(2),
  /** Each simulcast layer below the top is this many times smaller in width and height. */
  OFFLOAD_SIMULCAST_SCALE: z.coerce.number().min(1).max(8).default(2),
  /** Each simulcast layer below the top gets this fraction of the next layer's bitrate. */
  OFFLOAD_SIMULCAST_BITRATE: z.coerce.number().gt(0).max(1).default(0.2),
  /** Viewers of one session per router: past this, the session's video is piped to a router on another worker. */
  OFFLOAD_VIEWERS_PER_ROUTER: int(1, 10_000).default(50),
  /** URL the app runtime opens; default the built-in demo app served by this server. */
  OFFLOAD_APP_URL: z.string().url().optional(),
  /** Chromium binary for app runtimes. */
  OFFLOAD_CHROMIUM: z.string().default('/usr/bin/chromium'),
  /** Input events per second a viewer may send (sustained; bursts up to 2× are absorbed). */
  OFFLOAD_INPUT_RATE: int(1, 100_000).default(500),
  /**
   * App runtimes kept started and idle so a new session skips the app's start-up. They count
   * against OFFLOAD_MAX_SESSIONS: the pool refills only while sessions + warm runtimes < the limit.
   */
  OFFLOAD_WARM_RUNTIMES: int(0, 64).default(1),
  /**
   * Real-time priority (SCHED_FIFO, 1–99) of the server's main thread, which takes every input
   * from the data channels and hands it to the app browser: it then runs as soon as an input
   * arrives instead of waiting behind the apps' drawing. What it starts runs normally. Needs
   * root or CAP_SYS_NICE (a warning otherwise); 0 = off.
   */
  OFFLOAD_RT_PRIORITY: int(0, 99).default(10),
  /** Serve the built client from this folder (default: apps/client/dist). */
  OFFLOAD_CLIENT_DIR: z.string().optional(),
  /** Enables /debug endpoints (app state read-back for tests); never on in production. */
  OFFLOAD_DEBUG: bool.default(false),
  // auth, roles and URL policy
  /** HS256 key for access tokens (≥ 32 characters). Unset: open mode, anyone reaching the port may create and join sessions. */
  OFFLOAD_AUTH_SECRET: z.string().min(32, 'must have at least 32 characters').optional(),
  /** Longest lifetime a token may have (s); longer-lived tokens are refused. */
  OFFLOAD_TOKEN_MAX_TTL_S: int(60, 31_536_000).default(86_400),
  /** Enables POST /api/sessions for a backend that holds this key (Bearer); needs OFFLOAD_AUTH_SECRET. */
  OFFLOAD_API_KEY: z.string().min(16, 'must have at least 16 characters').optional(),
  /** Base URL of the player in links that POST /api/sessions returns; default http://<Host header>/. */
  OFFLOAD_PUBLIC_URL: z.string().url().optional(),
  /** Origins (comma list, or *) whose pages may open the signaling WebSocket; default: the server's own origin. */
  OFFLOAD_ALLOWED_ORIGINS: z.string().optional(),
  /** Other Offload servers (comma list of host[:port]) the player served here may be pointed at with ?server=; unset: none. */
  OFFLOAD_PLAYER_SERVERS: z.string().optional(),
  /** Host names (comma list) clients reach this server under, besides IP addresses, localhost and OFFLOAD_PUBLIC_URL's. */
  OFFLOAD_ALLOWED_HOSTS: z.string().optional(),
  /** Run in open mode (no OFFLOAD_AUTH_SECRET) on an address other than loopback: anyone who reaches it drives a browser here. */
  OFFLOAD_INSECURE_OPEN_MODE: bool.default(false),
  /** Let sessions open URLs on loopback/private/link-local addresses (the SSRF guard is off for them). */
  OFFLOAD_ALLOW_PRIVATE_URLS: bool.default(false),
  /** Host patterns (comma list: example.com, *.example.org) a session may open; unset: any public host. */
  OFFLOAD_URL_ALLOWLIST: z.string().optional(),
  // a cluster of nodes (see cluster/Cluster.ts and the README's *Running a cluster*)
  /** Redis shared by the cluster's nodes (redis://…, rediss://…); unset: this node on its own. */
  OFFLOAD_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
    .optional(),
  /** This node's id in the cluster; default <hostname>:<port>. */
  OFFLOAD_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - (at most 128)')
    .optional(),
  /** Where the other nodes reach this one's internal API; default http://<OFFLOAD_HOST>:<port>/. */
  OFFLOAD_NODE_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#@]+\/?$/, 'http(s)://host[:port]/')
    .optional(),
  /** Shared by every node of a cluster: authenticates the internal API (≥ 32 characters). */
  OFFLOAD_CLUSTER_SECRET: z.string().min(32, 'must have at least 32 characters').optional(),
  /** Between a node's heartbeats (ms); a node that misses 3 is gone. */
  OFFLOAD_CLUSTER_HEARTBEAT_MS: int(100, 60_000).default(2000),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` on a terminal, `json` otherwise (see logger.ts); read by the logger itself. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type Config = {
  host: string;
  port: number;
  workers: number;
  rtc: { listenIp: string; announcedAddress: string | undefined; port: number };
  maxSessions: number;
  maxViewers: number;
  /** Per-session cgroup limits (0 = none). */
  sessionLimits: { cpus: number; memoryMB: number; pids: number };
  sessionIdleTimeoutS: number;
  resumeGraceS: number;
  stateDir: string;
  screen: { width: number; height: number; touch: boolean };
  /** The app screen's refresh rate (Hz). */
  appRefreshHz: number;
  video: {
    fps: number;
    capture: 'damage' | 'tick';
    /** 'off': no playout-delay extension. */
    playoutDelayMs: number | 'off';
    kbps: number;
    keyframeIntervalS: number;
    codecs: ('h264' | 'vp8')[];
    simulcast: { layers: number; scaleStep: number; bitrateStep: number };
  };
  viewersPerRouter: number;
  appUrl: string | undefined;
  chromium: string;
  chromiumArgs: string[];
  /** One account all app browsers run as when the server is root (else a uid each). */
  appUser: string | undefined;
  touchEmulation: boolean;
  /** Whether apps get a sound card whose sound goes to viewers. */
  audio: boolean;
  inputRate: number;
  warmRuntimes: number;
  /** SCHED_FIFO priority of the server's main thread; 0 = normal scheduling. */
  realtimePriority: number;
  clientDir: string | undefined;
  debug: boolean;
  logLevel: string;
  auth: {
    /** undefined: open mode. */
    secret: string | undefined;
    maxTtlS: number;
    apiKey: string | undefined;
    publicUrl: string | undefined;
    /** undefined: same origin only; ['*']: any. */
    allowedOrigins: string[] | undefined;
    /** Host names clients may use (lowercase), besides IP literals and localhost. */
    allowedHosts: string[];
    /** Other servers (host[:port]) the player may connect to with ?server=. */
    playerServers: string[];
  };
  urlPolicy: { allowPrivate: boolean; hostAllowlist: string[] | undefined };
  /** Redis, this node's id and URLs (see cluster/Cluster.ts); no Redis: a single node. */
  cluster: ClusterSettings;
};

/** Whether a listen address takes connections from this machine only. */
function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty variables count as unset, as in a shell.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(defined);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${lines}`);
  }
  const e = r.data;
  if (e.OFFLOAD_API_KEY && !e.OFFLOAD_AUTH_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  OFFLOAD_API_KEY: needs OFFLOAD_AUTH_SECRET (the API mints tokens)',
    );
  }
  const list = (s: string | undefined) =>
    s
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  if (!e.OFFLOAD_AUTH_SECRET && !isLoopback(e.OFFLOAD_HOST) && !e.OFFLOAD_INSECURE_OPEN_MODE) {
    throw new ConfigError(
      `Invalid configuration:\n  OFFLOAD_HOST: "${e.OFFLOAD_HOST}" is reachable from other machines, and without ` +
        'OFFLOAD_AUTH_SECRET anyone who reaches it may start browsers here and drive them. Set ' +
        'OFFLOAD_AUTH_SECRET (tokens), or OFFLOAD_INSECURE_OPEN_MODE=1 on a network you trust.',
    );
  }
  if (e.OFFLOAD_REDIS_URL && !e.OFFLOAD_CLUSTER_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  OFFLOAD_CLUSTER_SECRET: required with OFFLOAD_REDIS_URL (the nodes of a cluster ' +
        'authenticate their internal API with it; the same value, ≥ 32 characters, on every node)',
    );
  }
  for (const h of list(e.OFFLOAD_PLAYER_SERVERS) ?? []) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(h)) {
      throw new ConfigError(
        `Invalid configuration:\n  OFFLOAD_PLAYER_SERVERS: "${h}" is not host or host:port`,
      );
    }
  }
  for (const o of list(e.OFFLOAD_ALLOWED_ORIGINS) ?? []) {
    if (o !== '*' && !/^https?:\/\/[^/]+\/?$/.test(o)) {
      throw new ConfigError(
        `Invalid configuration:\n  OFFLOAD_ALLOWED_ORIGINS: "${o}" is not an origin (https://host[:port]) or *`,
      );
    }
  }
  return {
    host: e.OFFLOAD_HOST,
    port: e.OFFLOAD_PORT,
    workers: e.OFFLOAD_WORKERS,
    rtc: {
      listenIp: e.OFFLOAD_RTC_LISTEN_IP,
      announcedAddress: e.OFFLOAD_RTC_ANNOUNCED_ADDRESS,
      port: e.OFFLOAD_RTC_PORT,
    },
    maxSessions: e.OFFLOAD_MAX_SESSIONS,
    maxViewers: e.OFFLOAD_MAX_VIEWERS,
    sessionLimits: {
      cpus: e.OFFLOAD_SESSION_CPUS,
      memoryMB: e.OFFLOAD_SESSION_MEMORY_MB,
      pids: e.OFFLOAD_SESSION_PIDS,
    },
    sessionIdleTimeoutS: e.OFFLOAD_SESSION_IDLE_TIMEOUT_S,
    resumeGraceS: e.OFFLOAD_RESUME_GRACE_S,
    stateDir: e.OFFLOAD_STATE_DIR,
    screen: { width: e.OFFLOAD_SCREEN_WIDTH, height: e.OFFLOAD_SCREEN_HEIGHT, touch: e.OFFLOAD_SCREEN_TOUCH },
    appRefreshHz: e.OFFLOAD_APP_REFRESH_HZ,
    video: {
      fps: e.OFFLOAD_FPS,
      capture: e.OFFLOAD_CAPTURE,
      playoutDelayMs: e.OFFLOAD_PLAYOUT_DELAY_MS,
      kbps: e.OFFLOAD_VIDEO_KBPS,
      keyframeIntervalS: e.OFFLOAD_KEYFRAME_INTERVAL_S,
      codecs: [...new Set(e.OFFLOAD_CODECS)],
      simulcast: {
        layers: e.OFFLOAD_SIMULCAST,
        scaleStep: e.OFFLOAD_SIMULCAST_SCALE,
        bitrateStep: e.OFFLOAD_SIMULCAST_BITRATE,
      },
    },
    viewersPerRouter: e.OFFLOAD_VIEWERS_PER_ROUTER,
    appUrl: e.OFFLOAD_APP_URL,
    chromium: e.OFFLOAD_CHROMIUM,
    chromiumArgs: e.OFFLOAD_CHROMIUM_ARGS.split(/\s+/).filter(Boolean),
    appUser: e.OFFLOAD_APP_USER,
    touchEmulation: e.OFFLOAD_TOUCH_EMULATION,
    audio: e.OFFLOAD_AUDIO,
    inputRate: e.OFFLOAD_INPUT_RATE,
    warmRuntimes: e.OFFLOAD_WARM_RUNTIMES,
    realtimePriority: e.OFFLOAD_RT_PRIORITY,
    clientDir: e.OFFLOAD_CLIENT_DIR,
    debug: e.OFFLOAD_DEBUG,
    logLevel: e.LOG_LEVEL,
    auth: {
      secret: e.OFFLOAD_AUTH_SECRET,
      maxTtlS: e.OFFLOAD_TOKEN_MAX_TTL_S,
      apiKey: e.OFFLOAD_API_KEY,
      publicUrl: e.OFFLOAD_PUBLIC_URL,
      allowedOrigins: list(e.OFFLOAD_ALLOWED_ORIGINS),
      allowedHosts: [
        ...(list(e.OFFLOAD_ALLOWED_HOSTS) ?? []),
        ...(e.OFFLOAD_PUBLIC_URL ? [new URL(e.OFFLOAD_PUBLIC_URL).hostname] : []),
        // The other nodes call this one's internal API by this name.
        ...(e.OFFLOAD_NODE_URL ? [new URL(e.OFFLOAD_NODE_URL).hostname] : []),
      ].map((h) => h.toLowerCase()),
      playerServers: (list(e.OFFLOAD_PLAYER_SERVERS) ?? []).map((h) => h.toLowerCase()),
    },
    urlPolicy: {
      allowPrivate: e.OFFLOAD_ALLOW_PRIVATE_URLS,
      hostAllowlist: list(e.OFFLOAD_URL_ALLOWLIST)?.map((h) => h.toLowerCase()),
    },
    cluster: {
      redisUrl: e.OFFLOAD_REDIS_URL,
      nodeId: e.OFFLOAD_NODE_ID,
      nodeUrl: e.OFFLOAD_NODE_URL,
      publicUrl: e.OFFLOAD_PUBLIC_URL,
      secret: e.OFFLOAD_CLUSTER_SECRET,
      heartbeatMs: e.OFFLOAD_CLUSTER_HEARTBEAT_MS,
    },
  };
}
