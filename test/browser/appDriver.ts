/** Driving the Ledgerline app in a page the way a user would: drops, clicks, reading the grids. */
import type { Page } from 'playwright-core';

/** Waits until the workspace has opened (demo loaded, data present, or the empty state). */
export async function waitForWorkspace(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=stat-discrepancies], .empty-state, [data-testid=clients-grid]', { timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid=import-progress]'), undefined, { timeout: 60_000 });
}

/** Drops files on the page as a drag-and-drop from the desktop would (a DataTransfer of File objects). */
export async function dropFiles(page: Page, files: Record<string, string | Uint8Array>): Promise<void> {
  const entries = Object.entries(files).map(([name, content]) => [name, typeof content === 'string' ? content : Array.from(content)] as const);
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const [name, content] of list) {
      const body = typeof content === 'string' ? content : new Uint8Array(content);
      dt.items.add(new File([body], name, { type: name.endsWith('.zip') ? 'application/zip' : 'text/csv' }));
    }
    return dt;
  }, entries);
  await page.dispatchEvent('.app', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('.app', 'drop', { dataTransfer: transfer });
  await page.waitForSelector('[data-testid=import-result]', { timeout: 60_000 });
}

/**
 * Waits until a grid shows every one of `texts`: AG Grid draws a grid's rows over a few animation
 * frames, so its first row in the DOM does not mean the others are there yet.
 */
export async function waitForGridText(page: Page, testId: string, texts: readonly string[]): Promise<string> {
  await page.waitForFunction(
    ({ testId, texts }) => {
      const shown = document.querySelector(`[data-testid=${testId}]`)?.textContent ?? '';
      return texts.every((text) => shown.includes(text));
    },
    { testId, texts },
    { timeout: 30_000 },
  );
  return (await page.textContent(`[data-testid=${testId}]`)) ?? '';
}

/**
 * Waits until a grid small enough to show whole has drawn every one of its rows (as many distinct
 * row ids as its aria-rowcount counts body rows): AG Grid draws rows over a few animation frames.
 */
export async function waitForAllGridRows(page: Page, testId: string): Promise<void> {
  await page.waitForFunction(
    (testId) => {
      const grid = document.querySelector(`[data-testid=${testId}]`);
      const total = Number(grid?.querySelector('[aria-rowcount]')?.getAttribute('aria-rowcount') ?? NaN);
      const headerRows = new Set([...(grid?.querySelectorAll('.ag-header [role=row][aria-rowindex]') ?? [])].map((r) => r.getAttribute('aria-rowindex'))).size;
      const drawn = new Set([...(grid?.querySelectorAll('.ag-row[row-id]') ?? [])].map((r) => r.getAttribute('row-id'))).size;
      return drawn > 0 && drawn === total - headerRows;
    },
    testId,
    { timeout: 30_000 },
  );
}

/** "+$2,986.43" → "2986.43", "-$1,158.79" → "-1158.79", "—" → null: back to the engine's decimal text. */
export function moneyText(shown: string): string | null {
  const text = shown.trim();
  if (text === '—' || text === '') return null;
  const negative = text.startsWith('-') || text.startsWith('−');
  const digits = text.replace(/[^0-9.]/g, '');
  return negative ? `-${digits}` : digits;
}

export interface ShownClientRow {
  clientId: string;
  seats: string;
  services: string;
  discrepancies: string;
  amount: string | null;
  absolute: string | null;
  cycle: string;
}

/** Every row of the reconciled invoices table, read from the DOM (the viewport is made tall enough to render them all). */
export async function readClientRows(page: Page, baseUrl: string): Promise<ShownClientRow[]> {
  await page.setViewportSize({ width: 1600, height: 4000 });
  await page.goto(`${baseUrl}/#/billing/invoices`);
  await page.waitForSelector('[data-testid=clients-grid] .ag-row', { timeout: 30_000 });
  // Wait until the grid shows as many clients as the tab says (no half-rendered or stale table).
  await page.waitForFunction(
    () => {
      const expected = Number(document.querySelector('.tab.active .tab-count')?.textContent ?? NaN);
      const shown = new Set([...document.querySelectorAll('[data-testid=clients-grid] .ag-row[row-id]')].map((r) => r.getAttribute('row-id'))).size;
      return shown === expected;
    },
    undefined,
    { timeout: 30_000 },
  );
  // A row may be split over several containers (pinned and scrolling parts): merge its cells by row-id.
  const rows = await page.$$eval('[data-testid=clients-grid] .ag-row[row-id]', (elements) => {
    const byId = new Map<string, Record<string, string>>();
    for (const row of elements) {
      const id = row.getAttribute('row-id') ?? '';
      const cells = byId.get(id) ?? {};
      row.querySelectorAll('[col-id]').forEach((cell) => (cells[cell.getAttribute('col-id') ?? ''] = cell.textContent?.trim() ?? ''));
      byId.set(id, cells);
    }
    return [...byId].map(([clientId, c]) => ({ clientId, ...c }) as Record<string, string>);
  });
  return rows.map((c) => ({
    clientId: c.clientId!,
    seats: c.seatCount ?? '',
    services: c.serviceCount ?? '',
    discrepancies: c.discrepancyCount ?? '',
    amount: moneyText(c.discrepancyAmount ?? ''),
    absolute: moneyText(c.discrepancyAmountAbs ?? ''),
    cycle: c.billingCycle ?? '',
  }));
}

export async function statValue(page: Page, testId: string): Promise<string> {
  return (await page.textContent(`[data-testid=${testId}] .stat-value`))?.trim() ?? '';
}

/** Drags a service rule to a new position by its handle, as a person would. */
export async function dragRule(page: Page, from: number, to: number): Promise<void> {
  const handle = page.locator(`[data-testid=rules-grid] .ag-row[row-index="${from}"] .ag-drag-handle`);
  const target = page.locator(`[data-testid=rules-grid] .ag-row[row-index="${to}"]`).first();
  const h = (await handle.boundingBox())!;
  const t = (await target.boundingBox())!;
  await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
  await page.mouse.down();
  await page.mouse.move(h.x + h.width / 2, h.y - 4, { steps: 4 });
  await page.mouse.move(t.x + 60, t.y + 4, { steps: 12 });
  await page.mouse.up();
}

export interface EngineStats {
  /** The core that answered (one per browser profile where SharedWorker exists). */
  core: string;
  reconciles: number;
  reviews: number;
  notes: number;
}

/** What the core ran so far (src/state/workspace.ts exposes it on the dev server). */
export function engineStats(page: Page): Promise<EngineStats> {
  return page.evaluate(() => (globalThis as unknown as { __ledgerlineEngineStats: () => Promise<EngineStats> }).__ledgerlineEngineStats());
}

/** Connects the page's workspace to a relay through Settings › Teammate sync and waits until online; returns the share link shown. */
export async function connectToRelay(page: Page, baseUrl: string, link: { relayUrl: string; workspaceId: string; token: string }): Promise<string> {
  await page.goto(`${baseUrl}/#/settings`);
  await page.fill('[data-testid=sync-relay]', link.relayUrl);
  await page.fill('[data-testid=sync-workspace]', link.workspaceId);
  await page.fill('[data-testid=sync-token]', link.token);
  await page.click('[data-testid=sync-connect]');
  await page.waitForSelector('[data-testid=sync-status][data-status=online]');
  return (await page.textContent('[data-testid=share-link]'))!;
}

/** Closes a month on History › Months (open) under `name`, and waits until `listed` closed months show. */
export async function closeMonth(page: Page, name: string, listed: number): Promise<void> {
  await page.fill('[data-testid=month-name]', name);
  await page.click('[data-testid=close-month]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=snapshots-grid] .ag-row').length === n, listed);
}

/** Compares the first two closed months in History's pickers, and waits for the comparison's rows. */
export async function compareFirstTwoMonths(page: Page): Promise<void> {
  const ids = await page.$$eval('[data-testid=compare-older] option', (o) => o.map((x) => (x as HTMLOptionElement).value).filter(Boolean));
  await page.selectOption('[data-testid=compare-older]', ids[0]!);
  await page.selectOption('[data-testid=compare-newer]', ids[1]!);
  await page.waitForSelector('[data-testid=comparison-grid] .ag-row');
}
