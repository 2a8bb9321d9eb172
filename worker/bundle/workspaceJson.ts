import { parseIsoTime } from '../engine/dates';
import type { IntegrationSettings, Settings } from '../engine/model';
import type { ContractError } from './contractError';
import { FILES } from './schema';

/** Defaults where workspace.json is silent (documented in README "Where the spec is silent"). */
export const DEFAULT_SETTINGS = { currency: 'USD', inactiveAfterDays: 21, staleAfterHours: 24 } as const;

type Parsed = { ok: true; settings: Settings } | { ok: false; errors: ContractError[] };

/** Reads workspace.json. Problems name the file and, as the "column", the JSON field at fault. */
export function parseWorkspaceJson(text: string): Parsed {
  const errors: ContractError[] = [];
  const fail = (column: string | undefined, message: string) => errors.push({ file: FILES.workspace, column, message });
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { ok: false, errors: [{ file: FILES.workspace, message: `not valid JSON (${(e as Error).message})` }] };
  }
  if (!isRecord(json)) return { ok: false, errors: [{ file: FILES.workspace, message: 'must be a JSON object' }] };

  let asOf = NaN;
  if (json.asOf === undefined || json.asOf === null || json.asOf === '') fail('asOf', 'asOf is missing');
  else if (typeof json.asOf !== 'string' || (asOf = parseIsoTime(json.asOf.trim()) ?? NaN, Number.isNaN(asOf))) {
    fail('asOf', `${JSON.stringify(json.asOf)} is not an ISO 8601 time`);
  }
  const currency = optionalString(json, 'currency', DEFAULT_SETTINGS.currency, fail);
  const inactiveAfterDays = optionalCount(json, 'inactiveAfterDays', DEFAULT_SETTINGS.inactiveAfterDays, fail);
  const staleAfterHours = optionalCount(json, 'staleAfterHours', DEFAULT_SETTINGS.staleAfterHours, fail);
  const integrations = parseIntegrations(json.integrations, fail);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: { currency, asOf, inactiveAfterDays, staleAfterHours, integrations } };
}

function parseIntegrations(value: unknown, fail: (column: string, message: string) => void): IntegrationSettings[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail('integrations', 'integrations must be a list');
    return [];
  }
  const out: IntegrationSettings[] = [];
  value.forEach((item: unknown, i) => {
    const at = `integrations[${i}]`;
    if (!isRecord(item) || typeof item.id !== 'string' || item.id.trim() === '') {
      fail(`${at}.id`, 'every integration needs an id');
      return;
    }
    let lastSyncAt: number | null = null;
    if (item.lastSyncAt !== undefined && item.lastSyncAt !== null && item.lastSyncAt !== '') {
      lastSyncAt = typeof item.lastSyncAt === 'string' ? parseIsoTime(item.lastSyncAt.trim()) : null;
      if (lastSyncAt === null) fail(`${at}.lastSyncAt`, `${JSON.stringify(item.lastSyncAt)} is not an ISO 8601 time`);
    }
    const status = typeof item.lastSyncStatus === 'string' ? item.lastSyncStatus.trim().toLowerCase() : 'ok';
    if (status !== 'ok' && status !== 'failed') fail(`${at}.lastSyncStatus`, `${JSON.stringify(item.lastSyncStatus)} is not one of ok, failed`);
    out.push({
      id: item.id.trim(),
      name: typeof item.name === 'string' ? item.name : item.id.trim(),
      kind: typeof item.kind === 'string' ? item.kind : '',
      lastSyncAt,
      lastSyncStatus: status === 'failed' ? 'failed' : 'ok',
    });
  });
  return out;
}

function optionalString(json: Record<string, unknown>, key: string, fallback: string, fail: (c: string, m: string) => void): string {
  const value = json[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    fail(key, `${key} must be a non-empty string`);
    return fallback;
  }
  return value.trim();
}

function optionalCount(json: Record<string, unknown>, key: string, fallback: number, fail: (c: string, m: string) => void): number {
  const value = json[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(key, `${key} must be a whole number ≥ 0`);
    return fallback;
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
