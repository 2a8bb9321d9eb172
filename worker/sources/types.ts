import type { ContractError } from '../bundle/contractError';

/**
 * Raw exports (what an MSP downloads from Microsoft 365, NinjaOne, Pax8, …) on their way to the
 * bundle of spec §1. Three steps, all pure:
 *   bytes ──read/──▶ RawTable ──profile (convert.ts)──▶ BundleRows ──bundleCsv.ts──▶ bundle CSV text
 * The bundle stays the canonical form: the app and the CLI validate the produced CSV with the
 * same TableReader as a hand-made bundle.
 */

/**
 * A cell as read. CSV cells are the text of the file; an .xlsx cell that Excel typed (a number,
 * a date, a boolean) keeps that type, because its text is canonical ("2576.49", "2026-11-03",
 * "true") and must not be read through the file's locale (a German profile would read
 * "2576.49" as 257649).
 */
export type RawCell = string | TypedCell;
export interface TypedCell {
  kind: 'number' | 'date' | 'boolean';
  /** number: plain decimal ("-12.5"); date: ISO "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ"; boolean: "true"/"false". */
  text: string;
}

export function cellText(cell: RawCell | undefined): string {
  if (cell === undefined) return '';
  return typeof cell === 'string' ? cell : cell.text;
}

/** One table read from a file: its header and records, with spreadsheet row numbers. */
export interface RawTable {
  /** The file as the user named it (folder path included), for every message. */
  file: string;
  /** Header cells, trimmed, BOM removed. */
  header: string[];
  /** Row number of the header as a spreadsheet shows it (1 unless lines above it were skipped). */
  headerRow: number;
  /** Records after the header; blank records left out. */
  rows: RawCell[][];
  /** rowNumbers[i] is the spreadsheet row of rows[i] (multi-line quoted cells make these jump). */
  rowNumbers: number[];
  /** 'utf-16': Excel's "Unicode text" (tab-separated, with a byte order mark). */
  encoding: 'utf-8' | 'windows-1252' | 'utf-16' | 'xlsx';
  /** CSV delimiter found in the header row; null for .xlsx. */
  delimiter: ',' | ';' | '\t' | null;
  /** Worksheet the table came from (.xlsx). */
  sheet?: string;
  /** Things the user should see, each naming the file ("read as Windows-1252: not valid UTF-8"). */
  notes: string[];
}

/** How a source writes numbers, dates and yes/no. */
export interface SourceLocale {
  decimal: '.' | ',';
  /** Thousands separator allowed in numbers ('' = none). */
  thousands: ',' | '.' | ' ' | "'" | '';
  /** Order of day, month and year in non-ISO dates; null = ISO only (anything else is an error). */
  dateOrder: 'MDY' | 'DMY' | 'YMD' | null;
}

/** Where a bundle column's value comes from. */
export type FieldSource =
  | { column: string; transform?: Transform[] }
  | { const: string }
  /** The row's spreadsheet number, for sources whose lines have no id of their own (a Pax8 invoice line). */
  | { rowNumber: true; prefix?: string };

/**
 * Named, pure text transforms a profile may chain (declarative, so a user can copy a built-in
 * profile and see what it does).
 */
export type Transform =
  /** "Microsoft 365 Business Premium - Monthly" → "Microsoft 365 Business Premium" */
  | 'beforeDash'
  /** drops "[Deprecated] " and "[options: …]" */
  | 'stripBracketTags'
  /** "ann@acme.com" → "acme.com"; a guest "bob_x.com#EXT#@tenant.onmicrosoft.com" → "tenant.onmicrosoft.com" */
  | 'emailDomain'
  | 'lowercase';

/** Rows to leave out: a column equal (case-insensitively, trimmed) to one of the values. */
export interface SkipRule {
  column: string;
  equals: string[];
}

export type UsageField = 'external_client_id' | 'external_client_name' | 'record_id' | 'product' | 'category' | 'quantity' | 'last_active';
export type PsaField =
  | 'client_name' | 'client_id' | 'service_id' | 'service_name' | 'quantity' | 'unit_price'
  | 'start_date' | 'end_date' | 'agreement_id' | 'agreement_type' | 'billing_cycle' | 'invoice_id';

interface ProfileBase {
  /** Stable id ("m365-active-users"); a saved profile's is random. */
  id: string;
  name: string;
  /** Where it came from: built into Ledgerline, or saved by someone in this workspace. */
  origin: 'builtin' | 'saved';
  /** Header names (after loose normalisation, see header.ts) that must all be present to recognise the file. */
  signature: string[];
  /** Other spellings of a header name (German exports, renamed columns): canonical → alternatives. */
  aliases?: Record<string, string[]>;
  locale: SourceLocale;
  skip?: SkipRule[];
  /**
   * Columns written nowhere but read as numbers (money such as "$1,234.50") under the locale, each
   * value that does not read an error naming its cell: a Pax8 invoice's Unit Price and Total tell
   * a file read under the wrong locale apart, and the assumptions say they are read.
   */
  checkNumbers?: string[];
  /** One line per assumption, shown in the README table and in the wizard. */
  assumptions: string[];
}

export interface UsageProfile extends ProfileBase {
  target: 'usage';
  integration: { id: string; name: string; kind: string };
  fields: Partial<Record<UsageField, FieldSource>> & { record_id: FieldSource; product: FieldSource };
  /** One output row per item of a list cell ("Licenses" joined by "+"). */
  explode?: { field: 'product'; separator: string };
  /**
   * 'file': the export is made per client (a Microsoft 365 tenant): the whole file is one
   * external client, named after its most common e-mail domain (of `domainFrom`) unless the
   * user names it. 'column': each row says its client.
   */
  clientScope: 'column' | 'file';
  domainFrom?: string;
  /**
   * The latest last_active (a device's last contact, with its time) tells when the export was
   * taken: the integration's last sync. Otherwise the import time is.
   */
  lastActiveIsSyncTime?: boolean;
  /** A yes/no column that, when yes, replaces the category (blocked sign-in stays visible). */
  flagCategory?: { column: string; category: string };
  /**
   * A client column whose value is sometimes no client: SentinelOne's "Default site", which every
   * Account has, so an MSP with one Account per customer would see those customers merged. Such a
   * value (compared by letters and digits: case and spacing aside) or a blank one gives way to
   * `column`'s value, for the client's id and name alike.
   */
  clientFallback?: { column: string; when: string[] };
}

export interface PsaProfile extends ProfileBase {
  target: 'psa';
  /** Without service_id the file gives PSA clients only. */
  fields: Partial<Record<PsaField, FieldSource>> & { client_name: FieldSource };
  /** agreement type text (lower-cased, contains) → billing cycle; first match wins; else monthly. */
  cycleByAgreementType?: { contains: string; cycle: 'monthly' | 'annual' }[];
  /**
   * Lines given free ("No Charge"): written under their own service id (`<id> (no charge)`, price 0),
   * so they show on the invoice but neither raise a price flag nor drag the billed service's rate.
   */
  noCharge?: SkipRule;
}

export type SourceProfile = UsageProfile | PsaProfile;

/** Per-file choices the user can make without editing the profile. */
export interface FileOverrides {
  /** Force a profile by id instead of recognising the header. */
  profileId?: string;
  /** For clientScope 'file': the external client's name (and id) instead of the UPN domain. */
  clientName?: string;
  /** A rename: the external client this file was imported under before; its rows are replaced too. */
  replacesClient?: string;
  locale?: Partial<SourceLocale>;
}

export interface UsageRow {
  integration_id: string;
  external_client_id: string;
  external_client_name: string;
  record_id: string;
  product: string;
  category: string;
  /** Plain decimal or '' (= 1). */
  quantity: string;
  /** ISO date or ''. */
  last_active: string;
}

export interface PsaClientRow { client_id: string; client_name: string }
export interface PsaLineRow {
  line_id: string; client_id: string; invoice_id: string; service_id: string; service_name: string;
  quantity: string; unit_price: string; billing_cycle: string; period_start: string; period_end: string; agreement_id: string;
}
export interface CatalogRow { service_id: string; service_name: string; list_price: string }

export interface IntegrationInfo {
  id: string;
  name: string;
  kind: string;
  /** The export's own time when the file carries one (ISO), else null (the import time is used). */
  exportedAt: string | null;
}

/** What one raw file became. */
export interface Conversion {
  file: string;
  profile: { id: string; name: string; origin: SourceProfile['origin'] };
  target: 'usage' | 'psa';
  usage: UsageRow[];
  clients: PsaClientRow[];
  lines: PsaLineRow[];
  catalog: CatalogRow[];
  integration: IntegrationInfo | null;
  /**
   * What a later import of the same source replaces: for a per-client export, only its
   * (integration, external client); otherwise the whole integration (usage) or the PSA data.
   */
  scope: {
    integrationId: string;
    externalClientId: string | null;
    /** A per-client export's own name for its client (the most common domain), before any rename. */
    foundName?: string;
    /** Clients whose earlier rows this file replaces as well (a rename). */
    replaces?: string[];
  } | null;
  rowsRead: number;
  /** Rows that produced nothing, by reason ("Unlicensed": 3). */
  skipped: Record<string, number>;
  notes: string[];
}

export type ConvertResult = { ok: true; conversion: Conversion } | { ok: false; errors: ContractError[] };
