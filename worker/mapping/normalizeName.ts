/**
 * Company names as different systems spell them ("ACME, Inc.", "Acme Inc", "Müller GmbH",
 * "Mueller", "日本商事株式会社"), reduced to a key that is equal when a person would call them
 * the same name. Pure: runs in the engine's Web Worker.
 *
 * Steps, in order (each recorded in `steps`, in plain words, only when it changed something):
 *  1. NFKC (full-width letters, ㈱ → (株))                      "compatibility characters unified"
 *  2. lower case                                                  "case folded"
 *  3. Japanese legal forms 株式会社 / 有限会社 / 合同会社 / (株) / (有) / (合) removed
 *     wherever they are (prefix or suffix)          "legal form dropped (株式会社)", "(株)" shows as 株
 *  4. & → and                                                     "& read as and"
 *  5. ß → ss                                                      "ß read as ss"
 *  6. accents removed (NFD, Latin/Greek/Cyrillic combining marks stripped, then NFC so kana and
 *     hangul stay whole) and ø æ œ ł đ ð þ ı folded to Latin      "accents folded"
 *  7. apostrophes and dots deleted (O'Brien → obrien, L.L.C. → llc), other punctuation and symbols
 *     become spaces; letters, digits and marks of every script are kept   "punctuation dropped"
 *  8. trailing legal suffixes dropped, repeatedly (Pty Ltd, GmbH & Co. KG), never the last word
 *                                                                 "suffix dropped (GmbH & Co KG)"
 *  9. whitespace collapsed                                        "spaces collapsed"
 *
 * German umlauts: the primary key reads ä/ö/ü as a/o/u (plain accent folding), so "Müller" keys as
 * "muller". A name with an umlaut also gets a second key with the umlaut spelled out (ü → ue), so
 * "Müller" also keys as "mueller" and matches a system that wrote "Mueller". `keys` holds both
 * (primary first); the ranking (suggestClients) takes the best pair. We chose alternative keys over
 * collapsing every "ue" to "u" in all names, as that would also turn "Blue" into "blu".
 *
 * A name that would normalise to empty (only punctuation, or only a legal form) keeps its
 * case-folded form as its key; a blank name has the key "".
 */

export interface NameStep {
  /** Past tense, for lists: "suffix dropped (Inc)". */
  text: string;
  /** What was done, for sentences: "dropping the suffix (Inc)". See describeSteps. */
  kind: StepKind;
  /** The suffix or legal form dropped, the umlauts spelled out; '' otherwise. */
  detail: string;
}

export type StepKind = 'compat' | 'case' | 'legalForm' | 'ampersand' | 'sharpS' | 'accents' | 'umlauts' | 'punctuation' | 'suffix' | 'spaces';

const STEP_ORDER: readonly StepKind[] = ['compat', 'case', 'legalForm', 'ampersand', 'sharpS', 'accents', 'umlauts', 'punctuation', 'suffix', 'spaces'];

export interface NameVariant {
  key: string;
  tokens: string[];
  steps: NameStep[];
}

export interface NormalizedName {
  /** The primary key: words joined by one space. */
  key: string;
  tokens: string[];
  /** Plain words, one per step that changed something, in order. */
  steps: string[];
  /** Every key of this name: `key` first, then the umlaut-spelled-out key when the name has one. */
  keys: string[];
  /** The same, with tokens and structured steps for each key (variants[0] is the primary). */
  variants: NameVariant[];
}

export interface NormalizeOptions {
  /** Drop legal suffixes and Japanese legal forms (default true). Off for product and service names. */
  legalForms?: boolean;
}

/** Canonical spelling of each legal suffix, by its normalised form. */
const SUFFIXES = new Map<string, string>(
  ['Inc', 'Incorporated', 'LLC', 'Ltd', 'Limited', 'PLC', 'GmbH', 'AG', 'KG', 'Co', 'Company', 'Corp', 'Corporation',
    'SA', 'SARL', 'SRL', 'BV', 'NV', 'ApS', 'AS', 'AB', 'Oy', 'Pty', 'PC', 'LLP', 'LP', 'KK'].map((s) => [s.toLowerCase(), s]),
);

const JAPANESE_FORMS = /株式会社|有限会社|合同会社|\(株\)|\(有\)|\(合\)/gu;
/** Combining marks of Latin, Greek and Cyrillic (the Combining Diacritical Marks blocks), not of kana or Indic scripts. */
const MARKS = /[\u0300-\u036f]|[\u1ab0-\u1aff]|[\u1dc0-\u1dff]|[\u20d0-\u20ff]|[\ufe20-\ufe2f]/gu;
const SPECIAL_LETTERS: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŀ: 'l' };
const SPECIAL_RE = /[øæœłđðþıħŀ]/gu;
const UMLAUTS = /[äöü]/gu;
const DELETED = /['’‘`´ʼ.]/gu;
const OTHER = /[^\p{L}\p{N}\p{M}\s]/gu;

function step(kind: StepKind, text: string, detail = ''): NameStep {
  return { kind, text, detail };
}

function collapse(s: string): string {
  return s.trim().replace(/\s+/gu, ' ');
}

/** Normalise one company name; see the module comment for the steps. */
export function normalizeName(name: string, options: NormalizeOptions = {}): NormalizedName {
  const legalForms = options.legalForms ?? true;
  const steps: NameStep[] = [];
  let s = name.normalize('NFKC');
  if (s !== name) steps.push(step('compat', 'compatibility characters unified'));
  const lower = s.toLowerCase();
  if (lower !== s) steps.push(step('case', 'case folded'));
  s = lower;
  const folded = collapse(s);

  if (legalForms) {
    const forms: string[] = [];
    const without = s.replace(JAPANESE_FORMS, (m) => {
      forms.push(m.replace(/^\((.*)\)$/u, '$1'));
      return ' ';
    });
    // Only when something is left: 株式会社 alone stays a name.
    if (forms.length > 0 && /[\p{L}\p{N}]/u.test(without)) {
      s = without;
      steps.push(step('legalForm', `legal form dropped (${forms.join(', ')})`, forms.join(', ')));
    }
  }
  if (s.includes('&')) {
    s = s.replace(/&/gu, ' and ');
    steps.push(step('ampersand', '& read as and'));
  }
  if (s.includes('ß')) {
    s = s.replace(/ß/gu, 'ss');
    steps.push(step('sharpS', 'ß read as ss'));
  }
  const spacesStep = collapse(lower) !== lower ? [step('spaces', 'spaces collapsed')] : [];

  const primaryText = foldAccents(s);
  const primary = finish(primaryText, legalForms);
  const variants: NameVariant[] = [{
    key: primary.tokens.join(' '),
    tokens: primary.tokens,
    steps: [...steps, ...(primaryText !== s ? [step('accents', 'accents folded')] : []), ...primary.tail, ...spacesStep],
  }];
  const umlauts = [...new Set(s.match(UMLAUTS) ?? [])].sort();
  if (umlauts.length > 0) {
    const spelled = s.replace(UMLAUTS, (c) => SPELLED[c] ?? c);
    const altText = foldAccents(spelled);
    const alt = finish(altText, legalForms);
    const detail = umlauts.map((u) => `${u} → ${SPELLED[u]!}`).join(', ');
    const key = alt.tokens.join(' ');
    if (key !== variants[0]!.key && key !== '') {
      variants.push({
        key,
        tokens: alt.tokens,
        steps: [...steps, step('umlauts', `umlauts spelled out (${detail})`, detail), ...(altText !== spelled ? [step('accents', 'accents folded')] : []), ...alt.tail, ...spacesStep],
      });
    }
  }

  if (variants[0]!.key === '') {
    // Nothing but punctuation (or blank): keep the case-folded form.
    const tokens = folded === '' ? [] : folded.split(' ');
    const kept = [...steps.filter((x) => x.kind === 'compat' || x.kind === 'case'), ...spacesStep];
    return { key: folded, tokens, steps: kept.map((x) => x.text), keys: [folded], variants: [{ key: folded, tokens, steps: kept }] };
  }
  const first = variants[0]!;
  return { key: first.key, tokens: first.tokens, steps: first.steps.map((x) => x.text), keys: variants.map((v) => v.key), variants };
}

const SPELLED: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue' };

/** Accents off Latin, Greek and Cyrillic letters; NFC again so kana (が) and hangul stay whole. */
function foldAccents(s: string): string {
  return s.normalize('NFD').replace(MARKS, '').normalize('NFC').replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c);
}

/** Punctuation, then trailing legal suffixes (never the last word). */
function finish(text: string, legalForms: boolean): { tokens: string[]; tail: NameStep[] } {
  const tail: NameStep[] = [];
  const t = text.replace(DELETED, '').replace(OTHER, ' ');
  if (t !== text) tail.push(step('punctuation', 'punctuation dropped'));
  const tokens = t.split(/\s+/u).filter((w) => w !== '');
  if (legalForms) {
    const dropped: string[] = [];
    for (;;) {
      const n = tokens.length;
      if (n >= 3 && tokens[n - 2] === 'and' && tokens[n - 1] === 'co') {
        tokens.length = n - 2;
        dropped.unshift('& Co');
      } else if (n >= 2 && SUFFIXES.has(tokens[n - 1]!)) {
        dropped.unshift(SUFFIXES.get(tokens[n - 1]!)!);
        tokens.length = n - 1;
      } else break;
    }
    if (dropped.length > 0) tail.push(step('suffix', `suffix dropped (${dropped.join(' ')})`, dropped.join(' ')));
  }
  return { tokens, tail };
}

const DOING: Record<StepKind, string> = {
  compat: 'unifying compatibility characters',
  case: 'folding case',
  legalForm: 'dropping the legal form',
  ampersand: 'reading & as and',
  sharpS: 'reading ß as ss',
  accents: 'folding accents',
  umlauts: 'spelling out umlauts',
  punctuation: 'dropping punctuation',
  suffix: 'dropping the suffix',
  spaces: 'collapsing spaces',
};

/**
 * The steps of one or more names as one phrase, in pipeline order, each step once, consecutive
 * drops sharing one verb: "folding case and dropping punctuation and the suffix (Inc)".
 * '' when there are none.
 */
export function describeSteps(...lists: readonly (readonly NameStep[])[]): string {
  const details = new Map<StepKind, string[]>();
  for (const list of lists) {
    for (const s of list) {
      const d = details.get(s.kind) ?? [];
      if (s.detail !== '' && !d.includes(s.detail)) d.push(s.detail);
      details.set(s.kind, d);
    }
  }
  const phrases: string[] = [];
  let previousWasDrop = false;
  for (const kind of STEP_ORDER) {
    const d = details.get(kind);
    if (d === undefined) continue;
    let phrase = DOING[kind];
    if (d.length > 1) phrase = phrase.replace(/suffix$/u, 'suffixes').replace(/legal form$/u, 'legal forms');
    if (d.length > 0) phrase += ` (${d.join(', ')})`;
    const isDrop = phrase.startsWith('dropping ');
    if (isDrop && previousWasDrop) phrases[phrases.length - 1] += ` and ${phrase.slice('dropping '.length)}`;
    else phrases.push(phrase);
    previousWasDrop = isDrop;
  }
  return joinWords(phrases);
}

function joinWords(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]!}`;
}
