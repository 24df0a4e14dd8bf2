import { z } from 'zod';

/**
 * Import this first (`import '@offload/protocol/no-eval'`) in a page served with a
 * Content-Security-Policy that allows no eval, such as the player's: zod otherwise probes
 * `Function('')` when the protocol's schemas are built, to compile fast parsers, and the CSP
 * reports that as a violation. It must run before any schema exists, hence an entry point of
 * its own that loads nothing but zod.
 */
z.config({ jitless: true });
