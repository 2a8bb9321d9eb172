/** The harness's own promises: fresh storage per page, the same storage across a reload, problems recorded. */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserTest, expectNoPageErrors, pageProblems } from './harness';

/** Reads (and with `write`, first stores) one value in an IndexedDB database of the page's origin. */
function idbValue(page: Page, write?: string): Promise<string | undefined> {
  return page.evaluate(async (value) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('harness-check', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const run = <T,>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        const request = op(db.transaction('kv', mode).objectStore('kv'));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    if (value !== undefined) await run('readwrite', (store) => store.put(value, 'key'));
    const result = await run<unknown>('readonly', (store) => store.get('key'));
    db.close();
    return typeof result === 'string' ? result : undefined;
  }, write);
}

browserTest('harness', (env) => {
  it('gives each opened page a fresh IndexedDB, and keeps it across a reload in the same context', async () => {
    const first = await env.open('/');
    expect(await idbValue(first, 'kept')).toBe('kept');
    await first.reload();
    expect(await idbValue(first)).toBe('kept');

    const sameContext = await env.open('/', { context: first.context() });
    expect(await idbValue(sameContext)).toBe('kept');

    const fresh = await env.open('/');
    expect(await idbValue(fresh)).toBeUndefined();
  });

  it('records uncaught errors, console errors and requests that leave the machine', async () => {
    const page = await env.open('/');
    expectNoPageErrors(page);
    await page.evaluate(() => {
      console.error('deliberate console error');
      setTimeout(() => {
        throw new Error('deliberate uncaught error');
      });
    });
    await page.evaluate(() => fetch('http://example.invalid/beacon').catch(() => undefined));
    // (The blocked request also logs a console error of its own: "Failed to load resource".)
    await expect.poll(() => [...new Set(pageProblems(page).map((p) => p.kind))].sort()).toEqual(['console', 'external-request', 'pageerror']);
    expect(() => expectNoPageErrors(page)).toThrow(/deliberate uncaught error/);
    expect(() => expectNoPageErrors(page, { ignore: [/deliberate/, /example\.invalid/] })).not.toThrow();
  });
});
