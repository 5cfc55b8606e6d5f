import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by Vigil: its page at `/`, its files under `/console/` (apps/vigil/src/console).
// Preact's JSX is compiled by Vite's own transform (Oxc): no plugin needed for a production build.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: {
    // `npm run console:dev` against a Vigil on :3000.
    proxy: Object.fromEntries(
      ['/alerts', '/patients', '/projections', '/audit', '/health', '/console/config', '/console/demo-sign-in'].map((p) => [p, 'http://localhost:3000']),
    ),
  },
});
