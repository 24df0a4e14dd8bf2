/** The player's version (package.json), set by Vite at build time. */
declare const __OFFLOAD_VERSION__: string;
