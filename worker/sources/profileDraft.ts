import { columnIndex, headerSignature } from './header';
import { LOCALES, inferDateOrder } from './locale';
import type { FieldSource, PsaField, PsaProfile, SourceLocale, SourceProfile, Transform, UsageField, UsageProfile } from './types';
import { newProfileId } from '../doc/keys';

/**
 * The import wizard's form state and its translation to and from a source profile. Pure, so the
 * translation is unit-tested; the wizard only binds it to inputs.
 */

export type DraftTarget = 'usage' | 'psa' | 'psa_clients';

export interface FieldChoice {
  mode: 'column' | 'const' | 'row' | 'none';
  column: string;
  value: string;
  transform: Transform[];
}

export interface SkipDraft {
  column: string;
  /** Values as typed: comma-separated. */
  values: string;
}

export interface ProfileDraft {
  id: string;
  name: string;
  target: DraftTarget;
  integration: { id: string; name: string; kind: string };
  clientScope: 'column' | 'file';
  domainFrom: string;
  /** For a per-client file: the client's name for this file ('' = its most common e-mail domain). */
  clientName: string;
  /** Separator of a product cell listing several products ('' = one product per row). */
  explode: string;
  fields: Record<string, FieldChoice>;
  locale: SourceLocale;
  skip: SkipDraft[];
  signature: string[];
  /** Carried over from the profile a draft started from (not edited in the wizard). */
  carry: Pick<SourceProfile, 'aliases' | 'assumptions'> & Partial<Pick<UsageProfile, 'flagCategory'> & Pick<PsaProfile, 'cycleByAgreementType' | 'noCharge'>>;
  /** Any other setting of that profile the wizard does not show (kept as it is, per target). */
  rest: { usage: Record<string, unknown>; psa: Record<string, unknown> };
}

/** Profile keys the draft edits or carries itself; everything else goes through `rest` untouched. */
const DRAFT_KEYS = new Set(['id', 'name', 'origin', 'target', 'signature', 'aliases', 'locale', 'skip', 'assumptions', 'integration', 'fields', 'explode', 'clientScope', 'domainFrom', 'flagCategory', 'cycleByAgreementType', 'noCharge']);

export interface FieldSpec {
  field: string;
  label: string;
  required: boolean;
  /** What the value is, for the picker's hint. */
  hint: string;
}

export const USAGE_FIELDS: FieldSpec[] = [
  { field: 'external_client_id', label: 'Client (id)', required: true, hint: 'the customer, tenant or site each row belongs to' },
  { field: 'external_client_name', label: 'Client name', required: false, hint: 'shown on the mapping screens' },
  { field: 'record_id', label: 'Record id', required: true, hint: 'one user, device or mailbox: counted once per product' },
  { field: 'product', label: 'Product', required: true, hint: 'licence, plan or SKU' },
  { field: 'category', label: 'Category', required: false, hint: 'e.g. server / workstation' },
  { field: 'quantity', label: 'Quantity', required: false, hint: 'blank = 1 per record' },
  { field: 'last_active', label: 'Last active', required: false, hint: 'a date: finds inactive seats' },
];

export const PSA_FIELDS: FieldSpec[] = [
  { field: 'client_name', label: 'Client name', required: true, hint: 'the company billed' },
  { field: 'client_id', label: 'Client id', required: false, hint: 'blank = the name in lower-case dashes' },
  { field: 'service_id', label: 'Service id', required: true, hint: 'product id or SKU billed' },
  { field: 'service_name', label: 'Service name', required: false, hint: '' },
  { field: 'quantity', label: 'Quantity', required: true, hint: 'billed quantity' },
  { field: 'unit_price', label: 'Unit price', required: false, hint: '' },
  { field: 'start_date', label: 'Start date', required: false, hint: 'agreement or line start' },
  { field: 'end_date', label: 'End date', required: false, hint: 'cancelled / end date' },
  { field: 'agreement_id', label: 'Agreement', required: false, hint: '' },
  { field: 'agreement_type', label: 'Agreement type', required: false, hint: '"Annual…" → annual cycle' },
  { field: 'billing_cycle', label: 'Billing cycle', required: false, hint: 'monthly / annual' },
  { field: 'invoice_id', label: 'Invoice', required: false, hint: 'blank = one per client and month' },
];

export const PSA_CLIENT_FIELDS: FieldSpec[] = PSA_FIELDS.filter((f) => f.field === 'client_name' || f.field === 'client_id');

export function fieldsFor(draft: Pick<ProfileDraft, 'target' | 'clientScope'>): FieldSpec[] {
  if (draft.target === 'psa') return PSA_FIELDS;
  if (draft.target === 'psa_clients') return PSA_CLIENT_FIELDS;
  // A per-client export has no client column: the whole file is one client.
  return draft.clientScope === 'file' ? USAGE_FIELDS.filter((f) => f.field !== 'external_client_id' && f.field !== 'external_client_name') : USAGE_FIELDS;
}

export const TRANSFORMS: { value: Transform; label: string }[] = [
  { value: 'lowercase', label: 'lower-case' },
  { value: 'beforeDash', label: 'text before " - "' },
  { value: 'stripBracketTags', label: 'drop [tags]' },
  { value: 'emailDomain', label: 'e-mail domain' },
];

const none = (): FieldChoice => ({ mode: 'none', column: '', value: '', transform: [] });
const fromColumn = (column: string): FieldChoice => ({ mode: 'column', column, value: '', transform: [] });

/** "acronis-backup_report 2026-11.csv" → "Acronis"; the integration a file probably is. */
export function guessIntegrationName(file: string): string {
  const base = file.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  const word = /[A-Za-z][A-Za-z0-9]+/.exec(base)?.[0] ?? 'Imported';
  return word[0]!.toUpperCase() + word.slice(1);
}

export function slugId(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'source'
  );
}

/** Words in a header name that suggest a bundle field, strongest first. */
const GUESSES: Record<string, RegExp[]> = {
  external_client_id: [/^(client|customer|tenant|company|organi[sz]ation|account)( name)?$/i, /client|customer|tenant|company|organi[sz]ation|site/i],
  record_id: [/^(id|device id|serial|uuid|upn|user principal name|email)$/i, /machine|device|endpoint|computer|host|mailbox|user principal|upn|e-?mail|serial|agent/i],
  product: [/^(product|plan|sku|licen[cs]e|service|edition)s?$/i, /product|plan|sku|licen[cs]e|subscription|edition|service/i],
  category: [/^(category|type|role|machine type|device type)$/i],
  quantity: [/^(qty|quantity|count|units|seats)$/i, /quantity|qty|storage|used|usage|gb|units/i],
  last_active: [/last (seen|active|online|backup|logon|login|sign-?in)/i, /last|seen|backup/i],
  client_name: [/^(client|customer|company|organi[sz]ation|account)( name)?$/i, /client|customer|company/i],
  service_id: [/^(product id|sku|service id|item id|product code)$/i, /sku|product|item|service/i],
  service_name: [/^(description|product name|service name|item name)$/i, /description|name/i],
  unit_price: [/^(unit price|price|rate)$/i, /price|rate/i],
  start_date: [/start|effective|from/i],
  end_date: [/end|cancel|until|to date/i],
  agreement_id: [/agreement|contract/i],
  invoice_id: [/invoice/i],
};

/** The header column a field most likely is, not already taken by another field. */
function guessColumn(field: string, header: readonly string[], taken: Set<string>): string | null {
  for (const pattern of GUESSES[field] ?? []) {
    const hit = header.find((h) => !taken.has(h) && pattern.test(h.trim()));
    if (hit) return hit;
  }
  return null;
}

/**
 * The locale a sample proves: a decimal comma when numbers look like "1.024,5" or "12,5"; dates'
 * order from values only one order can read (see inferDateOrder).
 */
export function guessLocale(sample: readonly string[][], delimiter: string | null): SourceLocale {
  const cells = sample.flat().map((c) => c.trim());
  const commaDecimal = cells.some((c) => /^-?\d{1,3}(\.\d{3})+,\d+$/.test(c) || /^-?\d+,\d{1,2}$/.test(c));
  const base = commaDecimal || delimiter === ';' ? { ...LOCALES['de-DE'] } : { ...LOCALES['en-US'] };
  const dated = cells.filter((c) => /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}/.test(c));
  const order = inferDateOrder(dated);
  if (order) base.dateOrder = order;
  else if (dated.some((c) => /^\d{1,2}\.\d{1,2}\.\d{2,4}/.test(c))) base.dateOrder = 'DMY';
  else if (dated.length === 0) base.dateOrder = null;
  return base;
}

/** A new draft for a file no profile knows: columns guessed from the header names. */
export function guessDraft(file: string, header: readonly string[], sample: readonly string[][], delimiter: string | null): ProfileDraft {
  const name = guessIntegrationName(file);
  const taken = new Set<string>();
  const fields: Record<string, FieldChoice> = {};
  for (const spec of [...USAGE_FIELDS, ...PSA_FIELDS]) {
    if (fields[spec.field]) continue;
    const column = guessColumn(spec.field, header, spec.field === 'client_name' ? new Set() : taken);
    fields[spec.field] = column ? fromColumn(column) : none();
    if (column && USAGE_FIELDS.some((f) => f.field === spec.field)) taken.add(column);
  }
  if (fields.external_client_id!.mode === 'column') fields.external_client_name = fromColumn(fields.external_client_id!.column);
  return {
    id: newProfileId(),
    name: `${name} export`,
    target: 'usage',
    integration: { id: slugId(name), name, kind: '' },
    clientScope: 'column',
    domainFrom: '',
    clientName: '',
    explode: '',
    fields,
    locale: guessLocale(sample, delimiter),
    skip: [],
    signature: headerSignature(header),
    carry: { assumptions: [] },
    rest: { usage: {}, psa: {} },
  };
}

export { newProfileId };

/**
 * A draft from an existing profile. With a header (the wizard starting from the nearest profile),
 * each column is resolved to the header's own spelling, and the signature becomes this header's;
 * without (copying a profile in Settings), the profile's columns and signature are kept.
 */
export function draftFromProfile(profile: SourceProfile, header: readonly string[] | null, options: { copy: boolean }): ProfileDraft {
  const resolve = (column: string) => {
    if (!header) return column;
    const at = columnIndex(profile, header, column);
    return at >= 0 ? header[at]! : column;
  };
  const choice = (source: FieldSource | undefined): FieldChoice => {
    if (!source) return none();
    if ('const' in source) return { mode: 'const', column: '', value: source.const, transform: [] };
    if ('rowNumber' in source) return { mode: 'row', column: '', value: source.prefix ?? '', transform: [] };
    return { mode: 'column', column: resolve(source.column), value: '', transform: [...(source.transform ?? [])] };
  };
  const fields: Record<string, FieldChoice> = {};
  for (const spec of [...USAGE_FIELDS, ...PSA_FIELDS]) fields[spec.field] = choice((profile.fields as Record<string, FieldSource | undefined>)[spec.field]);
  const usage = profile.target === 'usage' ? profile : null;
  const psa = profile.target === 'psa' ? profile : null;
  return {
    id: options.copy ? newProfileId() : profile.id,
    name: options.copy ? `${profile.name} (copy)` : profile.name,
    target: psa ? (psa.fields.service_id ? 'psa' : 'psa_clients') : 'usage',
    integration: usage ? { ...usage.integration } : { id: '', name: '', kind: '' },
    clientScope: usage?.clientScope ?? 'column',
    domainFrom: usage?.domainFrom ? resolve(usage.domainFrom) : '',
    clientName: '',
    explode: usage?.explode?.separator ?? '',
    fields,
    locale: { ...profile.locale },
    skip: (profile.skip ?? []).map((r) => ({ column: resolve(r.column), values: r.equals.join(', ') })),
    signature: header ? headerSignature(header) : [...profile.signature],
    carry: {
      ...(profile.aliases ? { aliases: structuredClone(profile.aliases) } : {}),
      assumptions: [...profile.assumptions],
      ...(usage?.flagCategory ? { flagCategory: { ...usage.flagCategory, column: resolve(usage.flagCategory.column) } } : {}),
      ...(psa?.cycleByAgreementType ? { cycleByAgreementType: psa.cycleByAgreementType.map((c) => ({ ...c })) } : {}),
      ...(psa?.noCharge ? { noCharge: { column: resolve(psa.noCharge.column), equals: [...psa.noCharge.equals] } } : {}),
    },
    rest: (() => {
      const rest = Object.fromEntries(Object.entries(profile).filter(([key]) => !DRAFT_KEYS.has(key)).map(([k, v]) => [k, structuredClone(v)]));
      return { usage: usage ? rest : {}, psa: psa ? rest : {} };
    })(),
  };
}

function sourceOf(choice: FieldChoice | undefined): FieldSource | undefined {
  if (!choice) return undefined;
  switch (choice.mode) {
    case 'none':
      return undefined;
    case 'const':
      return { const: choice.value };
    case 'row':
      return choice.value ? { rowNumber: true, prefix: choice.value } : { rowNumber: true };
    case 'column':
      if (!choice.column) return undefined;
      return choice.transform.length > 0 ? { column: choice.column, transform: [...choice.transform] } : { column: choice.column };
  }
}

/** Fields a draft leaves out that its target needs: the wizard says so before any preview. */
export function missingFields(draft: ProfileDraft): string[] {
  return fieldsFor(draft)
    .filter((spec) => spec.required && sourceOf(draft.fields[spec.field]) === undefined)
    .map((spec) => spec.label);
}

/** The profile a draft describes, as saved in the workspace document. */
export function profileFromDraft(draft: ProfileDraft): SourceProfile {
  const fields = Object.fromEntries(fieldsFor(draft).flatMap((spec) => {
    const source = sourceOf(draft.fields[spec.field]);
    return source ? [[spec.field, source]] : [];
  }));
  const skip = draft.skip
    .map((r) => ({ column: r.column, equals: r.values.split(',').map((v) => v.trim()).filter((v) => v !== '') }))
    .filter((r) => r.column !== '' && r.equals.length > 0);
  const base = {
    id: draft.id,
    name: draft.name.trim(),
    origin: 'saved' as const,
    signature: draft.signature,
    ...(draft.carry.aliases ? { aliases: draft.carry.aliases } : {}),
    locale: { ...draft.locale },
    ...(skip.length > 0 ? { skip } : {}),
    assumptions: draft.carry.assumptions,
  };
  if (draft.target === 'usage') {
    const profile: UsageProfile = {
      ...draft.rest.usage,
      ...base,
      target: 'usage',
      integration: { id: draft.integration.id.trim(), name: draft.integration.name.trim() || draft.integration.id.trim(), kind: draft.integration.kind.trim() },
      fields: fields as UsageProfile['fields'] & Partial<Record<UsageField, FieldSource>>,
      clientScope: draft.clientScope,
      ...(draft.clientScope === 'file' && draft.domainFrom ? { domainFrom: draft.domainFrom } : {}),
      ...(draft.explode ? { explode: { field: 'product' as const, separator: draft.explode } } : {}),
      ...(draft.carry.flagCategory ? { flagCategory: draft.carry.flagCategory } : {}),
    };
    return profile;
  }
  const profile: PsaProfile = {
    ...draft.rest.psa,
    ...base,
    target: 'psa',
    fields: fields as PsaProfile['fields'] & Partial<Record<PsaField, FieldSource>>,
    ...(draft.target === 'psa' && draft.carry.cycleByAgreementType ? { cycleByAgreementType: draft.carry.cycleByAgreementType } : {}),
    ...(draft.target === 'psa' && draft.carry.noCharge ? { noCharge: draft.carry.noCharge } : {}),
  };
  return profile;
}

/** Why a draft cannot be saved yet, or null. */
export function draftProblem(draft: ProfileDraft): string | null {
  if (!draft.name.trim()) return 'Give the profile a name.';
  if (draft.target === 'usage' && !/^[A-Za-z0-9._-]+$/.test(draft.integration.id.trim())) return 'The integration id is letters, digits, dots, dashes or underscores (e.g. "acronis").';
  const missing = missingFields(draft);
  if (missing.length > 0) return `Pick a column for ${missing.join(', ')}.`;
  return null;
}
