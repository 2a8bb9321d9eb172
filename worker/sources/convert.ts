import type { ContractError } from '../bundle/contractError';
import { MAX_ERRORS_PER_FILE } from '../bundle/tableReader';
import { daysInMonth, formatDay, parseIsoDate, parseIsoTime } from '../engine/dates';
import { columnIndex, headerKey } from './header';
import { parseLocaleBoolean, parseLocaleDate, parseLocaleNumber } from './locale';
import { applyTransforms, emailDomain, isGuestUpn } from './transforms';
import { cellText, type CatalogRow, type Conversion, type ConvertResult, type FieldSource, type FileOverrides, type PsaClientRow, type PsaLineRow, type PsaProfile, type RawCell, type RawTable, type SkipRule, type SourceLocale, type SourceProfile, type UsageProfile, type UsageRow } from './types';
import { tenantNameKey } from '../doc/keys';

/**
 * One raw table through one profile into bundle rows (spec §1). Pure and quick, so the wizard
 * previews with it as the user picks columns. Every value that does not read under the file's
 * locale is an error naming the file, the spreadsheet row and the source column: never a guess.
 */

export interface ConvertContext {
  /** ISO time whose month is billed (PSA agreements); default now. */
  asOf?: string;
  /**
   * Names the workspace gave per-client exports' clients, by tenantNameKey(integration, found name):
   * a rename holds for next month's file of the same tenant too.
   */
  tenantNames?: Readonly<Record<string, string>>;
  /**
   * When the file is imported (ISO): an export's own time (its latest device contact) is capped at
   * it, since no export is newer than its import: a clock ahead, or a zone-less time read as UTC
   * that was local time east of Greenwich, would otherwise show a sync from the future. Default now.
   */
  importedAt?: string;
}

/** The document's `tenantNames` key (worker/doc/keys.ts). */

const MS_PER_DAY = 86_400_000;

export function convertTable(table: RawTable, profile: SourceProfile, overrides: FileOverrides = {}, context: ConvertContext = {}): ConvertResult {
  const run = new Run(table, profile, { ...profile.locale, ...overrides.locale });
  const conversion = profile.target === 'usage' ? convertUsage(run, profile, overrides, context) : convertPsa(run, profile, context);
  if (run.errors.length > 0 || conversion === null) return { ok: false, errors: run.finishErrors() };
  return { ok: true, conversion };
}

/** A reader of one column of the table: its index (or a constant), with the header name for messages. */
interface Field {
  name: string;
  get(row: RawCell[], rowNumber: number): RawCell;
}

/** State of one conversion: the table, its locale and the errors so far. */
class Run {
  readonly errors: ContractError[] = [];
  private errorCount = 0;
  readonly skipped: Record<string, number> = {};
  readonly notes: string[] = [];

  constructor(readonly table: RawTable, readonly profile: SourceProfile, readonly locale: SourceLocale) {
    this.notes.push(...table.notes);
  }

  error(rowNumber: number | undefined, column: string | undefined, message: string): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS_PER_FILE) this.errors.push({ file: this.table.file, row: rowNumber, column, message });
  }

  finishErrors(): ContractError[] {
    const out = this.errors.slice();
    if (this.errorCount > out.length) out.push({ file: this.table.file, message: `… and ${this.errorCount - out.length} more problems in this file` });
    return out;
  }

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** The field's reader; a missing column is an error when the field is required, else the field is blank with a note. */
  field(source: FieldSource | undefined, what: string, required: boolean): Field | null {
    if (source === undefined) return null;
    if ('const' in source) return { name: what, get: () => source.const };
    if ('rowNumber' in source) return { name: what, get: (_row, n) => `${source.prefix ?? ''}${n}` };
    const index = this.column(source.column, required, what);
    if (index < 0) return null;
    const transforms = source.transform;
    const name = this.table.header[index]!;
    return transforms && transforms.length > 0
      ? { name, get: (row) => applyTransforms(cellText(row[index]), transforms) }
      : { name, get: (row) => row[index] ?? '' };
  }

  column(column: string, required: boolean, what = column): number {
    const index = columnIndex(this.profile, this.table.header, column);
    if (index < 0) {
      if (required) this.error(this.table.headerRow, column, `column "${column}" (for ${what}) is missing from the header`);
      else this.notes.push(`${this.table.file}: no column "${column}", so ${what} is left blank`);
    }
    return index;
  }

  /**
   * The profile's checkNumbers columns, read (and nothing kept) for each row: false when one did
   * not read (the error is recorded). A column the file lacks has nothing to check, and no value
   * depends on it.
   */
  numberChecks(columns: readonly string[] | undefined): (row: RawCell[], n: number) => boolean {
    const fields = (columns ?? []).flatMap((column): Field[] => {
      const index = columnIndex(this.profile, this.table.header, column);
      return index < 0 ? [] : [{ name: this.table.header[index]!, get: (row) => row[index] ?? '' }];
    });
    return (row, n) => fields.reduce((ok, field) => this.number(field, row, n) !== null && ok, true);
  }

  skipRules(rules: readonly SkipRule[] | undefined): ((row: RawCell[]) => string | null) {
    const checks = (rules ?? []).flatMap((rule) => {
      const index = this.column(rule.column, false, `skipping rows by ${rule.column}`);
      if (index < 0) return [];
      const values = new Set(rule.equals.map((v) => v.trim().toLowerCase()));
      const header = this.table.header[index]!;
      return [(row: RawCell[]) => {
        const value = cellText(row[index]).trim();
        return values.has(value.toLowerCase()) ? `${header} is "${value}"` : null;
      }];
    });
    return (row) => {
      for (const check of checks) {
        const reason = check(row);
        if (reason !== null) return reason;
      }
      return null;
    };
  }

  text(field: Field | null, row: RawCell[], n: number, required: boolean): string | null {
    const value = field === null ? '' : cellText(field.get(row, n)).trim();
    if (value === '' && required) {
      this.error(n, field?.name, 'a value is required here but it is blank');
      return null;
    }
    return value;
  }

  number(field: Field | null, row: RawCell[], n: number): string | null {
    if (field === null) return '';
    const parsed = parseLocaleNumber(field.get(row, n), this.locale);
    if (!parsed.ok) {
      this.error(n, field.name, parsed.message);
      return null;
    }
    return parsed.value;
  }

  /** Latest instant seen by `date` (ISO, ms), for an export's own time. */
  latest: number | null = null;

  date(field: Field | null, row: RawCell[], n: number): string | null {
    if (field === null) return '';
    const cell = field.get(row, n);
    if (cellText(cell).trim() === '') return '';
    const parsed = parseLocaleDate(cell, this.locale);
    if (!parsed.ok) {
      this.error(n, field.name, parsed.message);
      return null;
    }
    const at = parseIsoTime(parsed.time ?? parsed.date);
    if (at !== null && (this.latest === null || at > this.latest)) this.latest = at;
    return parsed.date;
  }
}

function convertUsage(run: Run, profile: UsageProfile, overrides: FileOverrides, context: ConvertContext): Conversion | null {
  const { table } = run;
  const f = profile.fields;
  const perFile = profile.clientScope === 'file';
  const record = run.field(f.record_id, 'record_id', true);
  const product = run.field(f.product, 'product', true);
  const clientId = perFile ? null : run.field(f.external_client_id, 'external_client_id', true);
  const clientName = perFile ? null : run.field(f.external_client_name, 'external_client_name', false);
  const category = run.field(f.category, 'category', false);
  const quantity = run.field(f.quantity, 'quantity', false);
  const lastActive = run.field(f.last_active, 'last_active', false);
  const flag = profile.flagCategory ? run.column(profile.flagCategory.column, false) : -1;
  const skip = run.skipRules(profile.skip);
  const orClient = perFile || !profile.clientFallback ? null : clientFallback(run, profile.clientFallback);
  const numbersRead = run.numberChecks(profile.checkNumbers);
  if (run.errors.length > 0) return null;

  const found = perFile ? foundClient(run, profile) : null;
  const renamed = found === null ? undefined : overrides.clientName?.trim() || context.tenantNames?.[tenantNameKey(profile.integration.id, found)];
  if (renamed && found !== null) run.notes.push(`${run.table.file}: the ${profile.integration.name} tenant "${found}" is named "${renamed}" in this workspace`);
  const tenant = renamed || found;
  const integrationId = profile.integration.id;
  const usage: UsageRow[] = [];
  table.rows.forEach((row, i) => {
    const n = table.rowNumbers[i]!;
    const reason = skip(row);
    if (reason !== null) return run.skip(reason);
    const recordId = run.text(record, row, n, true);
    const products = (run.text(product, row, n, false) ?? '').split(profile.explode?.separator ?? '\u0000').map((p) => p.trim()).filter((p) => p !== '');
    const externalClientId = tenant ?? (orClient ? orClient(clientId, row, n, true) : run.text(clientId, row, n, true));
    const name = tenant ?? (orClient ? orClient(clientName, row, n, false) : run.text(clientName, row, n, false));
    let cat = run.text(category, row, n, false);
    const qty = run.number(quantity, row, n);
    const active = run.date(lastActive, row, n);
    if (!numbersRead(row, n)) return;
    if (flag >= 0 && parseLocaleBoolean(row[flag] ?? '') === true) cat = profile.flagCategory!.category;
    if (recordId === null || externalClientId === null || name === null || cat === null || qty === null || active === null) return;
    if (products.length === 0) return run.skip(`no ${product?.name ?? 'product'}`);
    for (const p of products) {
      usage.push({ integration_id: integrationId, external_client_id: externalClientId, external_client_name: name, record_id: recordId, product: p, category: cat, quantity: qty, last_active: active });
    }
  });
  return {
    ...base(run, profile),
    target: 'usage',
    usage,
    integration: { ...profile.integration, exportedAt: profile.lastActiveIsSyncTime && run.latest !== null ? exportTime(run.latest, context.importedAt) : null },
    scope: {
      integrationId, externalClientId: tenant,
      ...(found !== null ? { foundName: found } : {}),
      ...(overrides.replacesClient && overrides.replacesClient !== tenant ? { replaces: [overrides.replacesClient] } : {}),
    },
  };
}

/** The export's time (ms), no later than its import (ISO, default now): see ConvertContext.importedAt. */
function exportTime(latest: number, importedAt: string | undefined): string {
  const imported = importedAt === undefined ? Date.now() : parseIsoTime(importedAt) ?? Date.now();
  return new Date(Math.min(latest, imported)).toISOString();
}

/**
 * The reader of a client field with a fallback column (see UsageProfile.clientFallback): the
 * field's value, or the fallback's where the field's is one of `when` or blank. A row whose
 * fallback is blank too has no client: an error on the required id (once, not again on the name).
 */
function clientFallback(run: Run, rule: NonNullable<UsageProfile['clientFallback']>): (field: Field | null, row: RawCell[], n: number, required: boolean) => string | null {
  const index = run.column(rule.column, false, 'the client of rows without one of their own');
  const other = index < 0 ? null : run.table.header[index]!;
  const placeholders = new Set(rule.when.map(headerKey));
  return (field, row, n, required) => {
    const value = run.text(field, row, n, false);
    if (value === null || (value !== '' && !placeholders.has(headerKey(value)))) return value;
    const fallback = index < 0 ? '' : cellText(row[index]).trim();
    if (fallback !== '') return fallback;
    if (!required) return value;
    run.error(n, field?.name, other === null
      ? `${value === '' ? 'blank' : `"${value}"`} names no client of its own, and the file has no column "${rule.column}" to tell whose it is`
      : `${value === '' ? 'blank' : `"${value}"`} names no client of its own, and ${other} is blank too`);
    return null;
  };
}

/**
 * The external client a per-client export (a Microsoft 365 tenant) names itself by: its most
 * common e-mail domain. Guests' UPNs carry the tenant's onmicrosoft.com domain and are left out
 * of the count, so a tenant with many guests is still named after its own domain.
 */
function foundClient(run: Run, profile: UsageProfile): string {
  const index = profile.domainFrom ? run.column(profile.domainFrom, false) : -1;
  const counts = new Map<string, number>();
  const fallback = new Map<string, number>();
  if (index >= 0) {
    for (const row of run.table.rows) {
      const upn = cellText(row[index]).trim();
      const domain = emailDomain(upn);
      if (domain === null) continue;
      const into = isGuestUpn(upn) ? fallback : counts;
      into.set(domain, (into.get(domain) ?? 0) + 1);
    }
  }
  const best = mostCommon(counts) ?? mostCommon(fallback);
  if (best !== null) {
    run.notes.push(`${run.table.file}: one ${profile.integration.name} tenant, named after its most common domain "${best}"`);
    return best;
  }
  const name = run.table.file.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  run.notes.push(`${run.table.file}: no e-mail domain found; the tenant is named after the file, "${name}"`);
  return name;
}

function mostCommon(counts: Map<string, number>): string | null {
  let best: string | null = null;
  for (const [key, count] of counts) {
    const top = best === null ? -1 : counts.get(best)!;
    if (count > top || (count === top && key < best!)) best = key;
  }
  return best;
}

function convertPsa(run: Run, profile: PsaProfile, context: ConvertContext): Conversion | null {
  const { table } = run;
  const f = profile.fields;
  const clientName = run.field(f.client_name, 'client_name', true);
  const clientIdField = run.field(f.client_id, 'client_id', false);
  const service = run.field(f.service_id, 'service_id', false);
  const linesWanted = service !== null;
  const serviceName = run.field(f.service_name, 'service_name', false);
  const quantity = linesWanted ? run.field(f.quantity, 'quantity', true) : null;
  const price = run.field(f.unit_price, 'unit_price', false);
  const start = run.field(f.start_date, 'start_date', false);
  const end = run.field(f.end_date, 'end_date', false);
  const agreement = run.field(f.agreement_id, 'agreement_id', false);
  const agreementType = run.field(f.agreement_type, 'agreement_type', false);
  const cycleField = run.field(f.billing_cycle, 'billing_cycle', false);
  const invoiceField = run.field(f.invoice_id, 'invoice_id', false);
  const skip = run.skipRules(profile.skip);
  const free = run.skipRules(profile.noCharge ? [profile.noCharge] : []);
  const numbersRead = run.numberChecks(profile.checkNumbers);
  if (run.errors.length > 0) return null;

  const asOfMs = context.asOf ? parseIsoTime(context.asOf) : Date.now();
  if (asOfMs === null) {
    run.error(undefined, undefined, `the as-of time "${context.asOf}" is not an ISO time`);
    return null;
  }
  const asOfDay = Math.floor(asOfMs / MS_PER_DAY);
  const month = formatDay(asOfDay).slice(0, 7);

  const clients = new Map<string, PsaClientRow>();
  const lines: PsaLineRow[] = [];
  const catalog = new Map<string, CatalogRow>();
  const lineIds = new Map<string, number>();
  table.rows.forEach((row, i) => {
    const n = table.rowNumbers[i]!;
    const reason = skip(row);
    if (reason !== null) return run.skip(reason);
    const name = run.text(clientName, row, n, true);
    if (name === null) return;
    const clientId = run.text(clientIdField, row, n, false) || slug(name);
    if (!clients.has(clientId)) clients.set(clientId, { client_id: clientId, client_name: name });
    if (!linesWanted) return;
    let serviceId = run.text(service, row, n, true);
    const qty = run.number(quantity, row, n);
    let unitPrice = run.number(price, row, n);
    const from = run.date(start, row, n);
    const to = run.date(end, row, n);
    const agreementId = run.text(agreement, row, n, false) ?? '';
    // A cycle column, when the file has one, says the cycle of every row: a blank one is no more monthly than annual.
    const cycleText = cycleField === null ? '' : run.text(cycleField, row, n, true);
    const cycle = cycleText === null ? null : cycleField === null ? cycleOfAgreementType(profile, run.text(agreementType, row, n, false) ?? '') : cycleOfPeriod(cycleText);
    if (cycle === null && cycleText !== null) run.error(n, cycleField?.name, `"${cycleText}" is not a billing cycle Ledgerline can bill: monthly or annual only (Monthly, Yearly, Annual); a quarterly or semi-annual charge is not turned into either`);
    if (!numbersRead(row, n)) return;
    if (serviceId === null || qty === null || unitPrice === null || from === null || to === null || cycle === null) return;
    if (qty === '') return run.error(n, quantity?.name, 'a value is required here but it is blank');
    let label = run.text(serviceName, row, n, false) ?? '';
    if (free(row) !== null) {
      serviceId = `${serviceId} (no charge)`;
      label = label === '' ? serviceId : `${label} (no charge)`;
      unitPrice = '0';
    }
    const period = billingPeriod(asOfDay, cycle, from === '' ? null : parseIsoDate(from), to === '' ? null : parseIsoDate(to));
    if (period === null) return run.skip(to !== '' && parseIsoDate(to)! < asOfDay ? 'cancelled before the as-of date' : 'not in the billing period of the as-of date');
    const key = `${clientId}:${agreementId}:${serviceId}:${from}`;
    const seen = (lineIds.get(key) ?? 0) + 1;
    lineIds.set(key, seen);
    lines.push({
      line_id: seen === 1 ? key : `${key}#${seen}`, client_id: clientId, invoice_id: run.text(invoiceField, row, n, false) || `${clientId}-${month}`,
      service_id: serviceId, service_name: label, quantity: qty, unit_price: unitPrice, billing_cycle: cycle,
      period_start: formatDay(period[0]), period_end: formatDay(period[1]), agreement_id: agreementId,
    });
    if (!catalog.has(serviceId)) catalog.set(serviceId, { service_id: serviceId, service_name: label, list_price: '' });
  });
  return { ...base(run, profile), target: 'psa', clients: [...clients.values()], lines, catalog: [...catalog.values()], integration: null, scope: null };
}

function base(run: Run, profile: SourceProfile): Omit<Conversion, 'target' | 'integration' | 'scope'> {
  return {
    file: run.table.file,
    profile: { id: profile.id, name: profile.name, origin: profile.origin },
    usage: [], clients: [], lines: [], catalog: [],
    rowsRead: run.table.rows.length,
    skipped: run.skipped,
    notes: run.notes,
  };
}

/** A PSA client id stable across exports of the same company: its name, lower-cased, in dashes. */
export function slug(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || name;
}

/**
 * A billing cycle column's value: the one cycle its words name ("Monthly", "Annual Commitment").
 * The spec bills monthly and annual lines only, so "Quarterly", "Semi-Annual", "Bi-Monthly" or
 * "Every 6 months" is null (an error naming the cell), never the nearest cycle: a quarterly
 * charge read as monthly would triple its invoice, a semi-annual one read as annual halve it.
 */
const PERIOD_WORDS: Readonly<Record<string, 'monthly' | 'annual'>> = {
  monthly: 'monthly', month: 'monthly', monatlich: 'monthly',
  annual: 'annual', annually: 'annual', yearly: 'annual', year: 'annual', jährlich: 'annual', jaehrlich: 'annual',
};
/** Words that make a period another length than the month or year they name. */
const OTHER_PERIOD = /^(semi|bi|half|quarter|quarterly|every|two|three|six)$|\d/;

export function cycleOfPeriod(text: string): 'monthly' | 'annual' | null {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  if (words.some((w) => OTHER_PERIOD.test(w))) return null;
  const cycles = new Set(words.flatMap((w) => PERIOD_WORDS[w] ?? []));
  return cycles.size === 1 ? [...cycles][0]! : null;
}

/** Without a cycle column: the agreement type's name (free text an MSP chooses, "Annual Licensing") by the profile's list, else monthly. */
function cycleOfAgreementType(profile: PsaProfile, agreementType: string): 'monthly' | 'annual' {
  const type = agreementType.toLowerCase();
  return profile.cycleByAgreementType?.find((m) => type.includes(m.contains.toLowerCase()))?.cycle ?? 'monthly';
}

/**
 * The billing period that holds the as-of date, clipped to the line's own start and end: a
 * monthly line bills the calendar month of asOf, an annual one the year from its latest
 * anniversary (calendar year without a start). Null when the clipped period is empty: the line
 * was cancelled before, or starts after, that period.
 */
export function billingPeriod(asOfDay: number, cycle: 'monthly' | 'annual', startDay: number | null, endDay: number | null): [number, number] | null {
  const [y, m] = formatDay(asOfDay).split('-').map(Number) as [number, number];
  let from: number;
  let to: number;
  if (cycle === 'monthly') {
    from = dayOf(y, m, 1);
    to = dayOf(y, m, daysInMonth(y, m));
  } else if (startDay === null) {
    from = dayOf(y, 1, 1);
    to = dayOf(y, 12, 31);
  } else {
    const [, sm, sd] = formatDay(startDay).split('-').map(Number) as [number, number, number];
    let year = y;
    if (anniversary(year, sm, sd) > asOfDay) year--;
    from = anniversary(year, sm, sd);
    to = anniversary(year + 1, sm, sd) - 1;
  }
  if (startDay !== null && startDay > from) from = startDay;
  if (endDay !== null && endDay < to) to = endDay;
  return from <= to ? [from, to] : null;
}

/** The day's anniversary in a year; 29 February falls on the 28th in other years. */
function anniversary(year: number, month: number, day: number): number {
  return dayOf(year, month, Math.min(day, daysInMonth(year, month)));
}

function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}
