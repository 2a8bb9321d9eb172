import { configDefaults, defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';

/**
 * The screens' chunk (src/App.tsx: AG Grid and every screen) is imported by main.tsx after the core
 * is started, so the browser would ask for it only once the entry has run. Named in index.html, its
 * download (and its stylesheets') starts with the entry's, and a reopen's first table comes sooner.
 */
function preloadScreens(): Plugin {
  return {
    name: 'ledgerline-preload-screens',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        if (!bundle) return [];
        const chunks = Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [c] : []));
        const app = chunks.find((c) => c.facadeModuleId?.endsWith('/src/App.tsx'));
        if (!app) return [];
        const entry = new Set(chunks.filter((c) => c.isEntry).map((c) => c.fileName));
        const scripts = new Set<string>();
        const styles = new Set<string>();
        const visit = (fileName: string) => {
          const chunk = bundle[fileName];
          if (chunk?.type !== 'chunk' || entry.has(fileName) || scripts.has(fileName)) return;
          scripts.add(fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) styles.add(css);
          chunk.imports.forEach(visit);
        };
        visit(app.fileName);
        return [
          ...[...scripts].map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const })),
          ...[...styles].map((f) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

/** The app's accent (base.css `--accent`): the installed app's title bar and splash match the sidebar. */
const THEME_COLOR = '#2563eb';

export default defineConfig({
  plugins: [
    solid(),
    preloadScreens(),
    // A finance user opens the app on a plane: every file it needs is precached on the first visit,
    // so a reload with no network still opens the workspace (which lives in IndexedDB anyway).
    VitePWA({
      // 'prompt': a new version waits until the user says Reload (src/pwa/), never mid-import.
      registerType: 'prompt',
      // Registered from src/pwa/register.ts (a no-op on the dev server); no inline script (CSP script-src 'self').
      injectRegister: false,
      // The dev server (and the browser tests that use it) runs without a service worker.
      devOptions: { enabled: false },
      includeAssets: ['icons/icon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        name: 'Ledgerline',
        short_name: 'Ledgerline',
        description: 'Local-first MSP billing reconciliation: PSA invoices against real usage, exact to the cent.',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The core's SharedWorker script and its lazily loaded importer chunk are assets like any other:
        // without them the page opens offline but the workspace does not.
        // (The icons and the manifest come in through `includeAssets` and the manifest's own icons.)
        globPatterns: ['**/*.{js,css,html}'],
        // The screens' chunk (AG Grid, AG Charts) is over Workbox's 2 MiB default; skipping it would break offline.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The relay's own HTTP endpoints share the origin under `npm start`: never answer them with the app.
        navigateFallbackDenylist: [/^\/(?:healthz|admin|blobs)(?:\/|$)/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  // Every dependency pre-bundled at the dev server's start: one found mid-page makes Vite re-optimise,
  // and a module asked for with the old hash gets 504 "Outdated Optimize Dep" (a broken first visit on
  // a fresh clone). The scan starts from the page and from the core's worker, which the page's scan
  // does not follow; the charts are imported lazily, so they are named.
  optimizeDeps: { entries: ['index.html', 'worker/threads/core.worker.ts'], include: ['ag-charts-community'] },
  // AG Grid alone is ~1 MB minified; one chunk loads faster than many for a local app.
  build: { chunkSizeWarningLimit: 2500 },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Browser tests have their own run (vitest.browser.config.ts, `npm run test:browser`).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    environment: 'node',
    // The engine is CPU-bound; two workers match the 2-core machines this runs on.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Record-id columns compare by their ids (see the file).
    setupFiles: ['test/helpers/recordIdsEquality.ts'],
  },
});
