/**
 * Real-browser test harness: the app (built once per run by globalSetup.ts, served on 127.0.0.1)
 * driven through playwright-core in Debian's Chromium (/usr/bin/chromium). See DEVELOPERS.md.
 *
 * Usual pattern, one server and one browser per test file:
 *
 *   browserTest('clients screen', (env) => {
 *     it('lists the demo clients', async () => {
 *       const page = await env.open('/');          // fresh context: empty IndexedDB, storage, cookies
 *       await page.getByRole('heading', { name: 'Clients' }).waitFor();
 *       await screenshot(page, 'clients');
 *       expectNoPageErrors(page);
 *     });
 *     it('keeps its workspace across a reload', async () => {
 *       const page = await env.open('/');
 *       // ... change something ...
 *       await page.reload();                       // same context, so the same IndexedDB
 *       const tab2 = await env.open('/', { context: page.context() }); // a second tab, same storage
 *     });
 *   });
 *
 * Contexts opened through `env` are closed after each test (a failing test first gets a screenshot
 * of each of its pages, `FAILED-<file>-<test>.png`), so state never leaks from one test to the next.
 * Without /usr/bin/chromium the file is skipped with a message, except under CI, where it fails.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import { afterAll, afterEach, beforeAll, describe, inject } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** Debian's package (`apt-get install chromium`); `npx playwright install` cannot download here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** CI=true (or any value but 0/false): a missing browser fails the run instead of skipping. */
export function isCI(): boolean {
  const value = (process.env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissingReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `${CHROMIUM_PATH} not found: install Debian's Chromium with \`apt-get install -y chromium\` (see DEVELOPERS.md)`;
}

// ---------------------------------------------------------------------------------------------
// The app

export interface AppServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the app on a free loopback port: in a vitest run, the build globalSetup.ts made for it;
 * elsewhere, vite's dev server with the project's vite.config.ts. No file watching and no HMR:
 * other people editing src/ during a run must not reload the page under a test.
 */
export async function startApp(): Promise<AppServer> {
  const built = testAppDir();
  if (built) return serveBuild(built);
  const server = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    mode: 'development',
    logLevel: 'warn',
    clearScreen: false,
    // Own pre-bundle cache, so a concurrent `npm start` and a test run never rewrite each other's deps.
    cacheDir: path.join(ROOT, 'node_modules', '.vite-browser-tests'),
    server: { port: 0, host: '127.0.0.1', strictPort: false, open: false, hmr: false, watch: null },
  });
  try {
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error(`vite did not report a TCP address (got ${String(address)})`);
    return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The production build, as `npm start` serves it (workers bundled, chunks split), on a free
 * loopback port: what users run, which the dev server's module-by-module loading can hide.
 */
export async function startBuiltApp(outDir = path.join(ROOT, 'node_modules', '.ledgerline-built-app')): Promise<AppServer> {
  await build({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return serveBuild(outDir);
}

/** A build already made, served by vite preview on a free loopback port. */
async function serveBuild(outDir: string): Promise<AppServer> {
  const server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('vite preview did not report a TCP address');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/** The build test/browser/globalSetup.ts made for this run, when the run has one (`vitest.browser.config.ts`). */
function testAppDir(): string | undefined {
  try {
    return inject('testAppDir');
  } catch {
    return undefined; // outside a vitest run (the benchmark's scripts use startApp too)
  }
}

// ---------------------------------------------------------------------------------------------
// The browser

export async function launchBrowser(): Promise<Browser> {
  const missing = chromiumMissingReason();
  if (missing) throw new Error(`Browser tests cannot run: ${missing}.`);
  // Scrollbars as a user's Chromium draws them: Playwright hides them in headless mode, and the grid
  // then lays its columns out under an overlay (a clipped last column no user would see, or miss).
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], ignoreDefaultArgs: ['--hide-scrollbars'], timeout: 60_000 });
}

/**
 * Something that went wrong in a page: an uncaught exception, a console error, a grid or chart
 * library's warning, a crash, or an off-machine request.
 */
export interface PageProblem {
  readonly kind: 'pageerror' | 'console' | 'warning' | 'crash' | 'external-request';
  readonly message: string;
}

const problemsByPage = new WeakMap<Page, PageProblem[]>();

function problemsOf(page: Page): PageProblem[] {
  let list = problemsByPage.get(page);
  if (!list) problemsByPage.set(page, (list = []));
  return list;
}

/** The libraries' own warnings ("AG Grid: warning #48 …", "AG Charts - …"): each one is a mistake in the app's use of them. */
const VENDOR_WARNING = /AG Grid|AG Charts/i;

function watchPage(page: Page): void {
  const problems = problemsOf(page);
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', message: error.stack ?? `${error.name}: ${error.message}` }));
  page.on('console', (message) => {
    const type = message.type();
    // AG Grid and AG Charts say what they ignored (a bad column definition, an unknown option) as a
    // warning only: warning #48 (colId=types) showed on every Billing visit and no test noticed.
    const vendorWarning = type === 'warning' && VENDOR_WARNING.test(message.text());
    if (type !== 'error' && !vendorWarning) return;
    const { url, lineNumber } = message.location();
    // Chromium asks for /favicon.ico on its own, sometimes after `load`; its 404 is not the app's error.
    if (url.endsWith('/favicon.ico')) return;
    problems.push({ kind: vendorWarning ? 'warning' : 'console', message: url ? `${message.text()} (${url}:${lineNumber + 1})` : message.text() });
  });
  page.on('crash', () => problems.push({ kind: 'crash', message: 'the page crashed' }));
}

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/**
 * A fresh, isolated context (its own IndexedDB, storage and cookies). Every page opened in it
 * records its problems (see pageProblems); http(s) requests that leave the machine are aborted and
 * recorded, since the app is local-first and the tests must not depend on the network.
 */
export async function newIsolatedContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  context.on('page', watchPage);
  await context.route(
    (url) => (url.protocol === 'http:' || url.protocol === 'https:') && !isLoopback(url),
    async (route, request) => {
      const problem: PageProblem = { kind: 'external-request', message: `blocked ${request.method()} ${request.url()}` };
      let pages: Page[];
      try {
        pages = [request.frame().page()];
      } catch {
        pages = context.pages(); // a service worker's request has no frame: charge it to every page
      }
      for (const page of pages) problemsOf(page).push(problem);
      await route.abort('blockedbyclient');
    },
  );
  return context;
}

/** Everything recorded for this page so far. */
export function pageProblems(page: Page): readonly PageProblem[] {
  return problemsOf(page);
}

/** Throws, listing them, if the page had any uncaught error, console error, AG Grid or AG Charts warning, crash or external request. */
export function expectNoPageErrors(page: Page, options: { ignore?: readonly RegExp[] } = {}): void {
  const ignore = options.ignore ?? [];
  const problems = problemsOf(page).filter((p) => !ignore.some((re) => re.test(p.message)));
  if (problems.length === 0) return;
  const lines = problems.map((p, i) => `  ${i + 1}. [${p.kind}] ${p.message}`);
  throw new Error(`${problems.length} problem(s) in ${page.url()}:\n${lines.join('\n')}`);
}

function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 150) || 'screenshot';
}

/** Saves a full-page PNG as test-results/screenshots/NAME.png (overwriting) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${safeName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 15_000 });
  return file;
}

// ---------------------------------------------------------------------------------------------
// describe wrapper

export interface BrowserEnv {
  /** The app's base URL (only inside tests and hooks). */
  readonly url: string;
  readonly browser: Browser;
  /** A fresh isolated context, closed after the current test. */
  newContext(): Promise<BrowserContext>;
  /**
   * Opens `path` (relative to the app's URL) in a new page and waits for `load`. The page gets a
   * fresh context unless `context` is given (e.g. `page.context()` for a second tab on the same storage).
   */
  open(pathname?: string, options?: { context?: BrowserContext }): Promise<Page>;
}

let warnedSkip = false;

/**
 * `describe(name, body)` with the app server and Chromium started once for the block (beforeAll)
 * and stopped after it (afterAll). Register tests with `it` inside `body`; use `env` only inside them.
 */
export function browserTest(name: string, body: (env: BrowserEnv) => void, options: { built?: boolean } = {}): void {
  const missing = chromiumMissingReason();
  let app: AppServer | undefined;
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();

  const env: BrowserEnv = {
    get url() {
      if (!app) throw new Error('env.url is only available inside a test (the app starts in beforeAll)');
      return app.url;
    },
    get browser() {
      if (!browser) throw new Error('env.browser is only available inside a test (Chromium starts in beforeAll)');
      return browser;
    },
    async newContext() {
      const context = await newIsolatedContext(env.browser);
      contexts.add(context);
      context.on('close', () => contexts.delete(context));
      return context;
    },
    async open(pathname = '/', options = {}) {
      const context = options.context ?? (await env.newContext());
      const page = await context.newPage();
      await page.goto(new URL(pathname, `${env.url}/`).href, { waitUntil: 'load' });
      return page;
    },
  };

  if (missing && !isCI()) {
    if (!warnedSkip) {
      warnedSkip = true;
      console.warn(`[browser tests] SKIPPED: ${missing}. Under CI=true this fails instead.`);
    }
    describe.skip(`${name} [skipped: no Chromium]`, () => body(env));
    return;
  }

  describe(name, () => {
    beforeAll(async () => {
      if (missing) throw new Error(`Browser tests cannot run under CI: ${missing}. (.ci/run installs it when missing.)`);
      const [started, launched] = await Promise.allSettled([options.built ? startBuiltApp() : startApp(), launchBrowser()]);
      if (started.status === 'fulfilled') app = started.value;
      if (launched.status === 'fulfilled') browser = launched.value;
      if (started.status === 'rejected' || launched.status === 'rejected') {
        await browser?.close().catch(() => undefined);
        await app?.close().catch(() => undefined);
        app = browser = undefined;
        throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
      }
    });

    afterEach(async (ctx) => {
      const open = [...contexts];
      contexts.clear();
      if (ctx.task.result?.state === 'fail') {
        const file = path.basename(ctx.task.file?.name ?? 'test').replace(/\.browser\.test\.ts$/, '');
        const pages = open.flatMap((context) => context.pages());
        for (const [i, page] of pages.entries()) {
          const shot = `FAILED-${file}-${ctx.task.name}${pages.length > 1 ? `-${i + 1}` : ''}`;
          await screenshot(page, shot).then(
            (saved) => console.error(`[browser tests] screenshot of the failing page: ${path.relative(ROOT, saved)}`),
            (error: unknown) => console.error(`[browser tests] could not screenshot the failing page: ${String(error)}`),
          );
        }
      }
      await Promise.all(open.map((context) => context.close().catch(() => undefined)));
    });

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      await app?.close();
      app = browser = undefined;
    });

    body(env);
  });
}
