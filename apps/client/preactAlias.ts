/**
 * The UI is written against React's API and typed with @types/react, and runs on Preact's
 * compatibility layer (preact/compat): the same hooks, lazy/Suspense and createRoot for a
 * tenth of react-dom's bytes (~7 kB gzipped against ~64), which cheap devices pay on every
 * load. Every import of react / react-dom (zustand's included) resolves to it: in the build,
 * in dev and in unit tests (vite.config.ts, vitest.config.ts).
 */
export const preactAlias = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-(dev-)?runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];
