import { describe, expect, it } from 'vitest';
import { childEnv } from './childEnv.js';

describe('childEnv', () => {
  it("passes what programs need and none of the server's secrets", () => {
    const env = childEnv(
      { DISPLAY: ':5' },
      {
        PATH: '/usr/bin',
        HOME: '/root',
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        GST_DEBUG: '2',
        XDG_RUNTIME_DIR: '/run/user/0',
        OFFLOAD_AUTH_SECRET: 'secret',
        OFFLOAD_API_KEY: 'key',
        AWS_SECRET_ACCESS_KEY: 'aws',
        NODE_OPTIONS: '--inspect',
        DISPLAY: ':0',
      },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      GST_DEBUG: '2',
      XDG_RUNTIME_DIR: '/run/user/0',
      DISPLAY: ':5',
    });
  });
});
