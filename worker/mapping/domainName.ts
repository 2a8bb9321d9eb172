import { normalizeName } from './normalizeName';
import type { NormalizedName } from './normalizeName';

/**
 * Integration clients named by an internet domain: a Microsoft 365 tenant is known by its most
 * common user domain ("acmedental.com", "acme-dental.co.uk") or its initial domain
 * ("contoso.onmicrosoft.com"), not by a company name. Pure; runs in the engine's Web Worker.
 *
 * A domain says little more than its main label ("acmedental"), and a company picks that label by
 * running its first words together. So a domain is matched two ways (suggestClients takes the
 * better, at most DOMAIN_MAX_SCORE since a domain is never the name itself):
 *   - its label's words ("acme-dental" → "acme dental") as a name, with the usual scores;
 *   - its label, hyphens and underscores removed, against the first words of each PSA name run
 *     together ("Acme Dental Group, LLC" → "acme", "acmedental", "acmedentalgroup", and with the
 *     legal suffix kept "acmedentalgroupllc"; "and"/"the" may be left out): all the words score
 *     DOMAIN_MAX_SCORE, the first N of them 0.70 + 0.25 × (their letters / the name's letters).
 *     Initials ("adg") and words from the middle of a name are not tried: too weak to suggest.
 */

/** A domain is a strong hint, never the same name: its best score. */
export const DOMAIN_MAX_SCORE = 0.95;
const PREFIX_BASE = 0.7;
const PREFIX_SPAN = 0.25;

export interface DomainName {
  /** The domain, lower case, without a mailbox ("ann@") or "www.". */
  domain: string;
  /** Its main label: what is left of the right once the public suffix is dropped ("acme-dental"). */
  label: string;
  /** The label's words, split on '-' and '_' ("acme", "dental"). */
  words: string[];
  /** The words run together ("acmedental"): what the prefix index is asked. */
  joined: string;
}

/** Suffixes a company does not choose, longest first (registry second levels, Microsoft's hosts). */
const HOSTED = ['mail.onmicrosoft.com', 'onmicrosoft.com', 'onmicrosoft.de', 'partner.onmschina.cn', 'onmschina.cn', 'sharepoint.com', 'mail.protection.outlook.com'];
/** Second-level labels of country registries ("co.uk", "com.au", "ne.jp"). */
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'ac', 'gov', 'edu', 'ne', 'or', 'ltd', 'plc', 'gen', 'me', 'biz', 'info', 'nom', 'sch', 'gob', 'gc', 'qc', 'on', 'bc']);
/** A last label that is a legal form, not a top-level domain: "Acme.Inc" is a name. */
const NOT_TLD = new Set(['inc', 'llc', 'ltd', 'corp', 'gmbh', 'plc', 'llp', 'pty', 'kk']);
const LABEL = /^[\p{L}\p{N}_-]+$/u;

/**
 * The domain an external client name is, or null when it is an ordinary name. A domain has no
 * spaces, at least two labels, and a top-level label of two or more letters.
 */
export function parseDomain(text: string): DomainName | null {
  let s = text.trim().toLowerCase();
  if (s === '' || /\s/u.test(s)) return null;
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);
  s = s.replace(/\.$/u, '').replace(/^www\./u, '');
  const labels = s.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  const tld = labels[labels.length - 1]!;
  if (!/^\p{L}{2,63}$/u.test(tld) || NOT_TLD.has(tld)) return null;

  const hosted = HOSTED.find((h) => s.endsWith(`.${h}`));
  if (hosted !== undefined) labels.length -= hosted.split('.').length;
  else {
    labels.length -= 1;
    if (labels.length > 1 && SECOND_LEVEL.has(labels[labels.length - 1]!)) labels.length -= 1;
  }
  const label = labels[labels.length - 1] ?? '';
  const words = label.split(/[-_]+/u).filter((w) => w !== '');
  if (words.length === 0) return null;
  const joined = words.join('');
  return joined.length < 2 ? null : { domain: s, label, words, joined };
}

/** One way a PSA name's first words run together. */
export interface PrefixEntry {
  client: number;
  /** The words, as normalised ("acme", "dental"). */
  words: string[];
  /** All the name's words (of this spelling) were used. */
  whole: boolean;
  score: number;
}

/** First words run together → the PSA clients they spell, built once per matcher. */
export class DomainIndex {
  private readonly byJoined = new Map<string, PrefixEntry[]>();

  /**
   * `names[i]` is client i's name; a blank name spells nothing. `normalized[i]`, when given, is
   * normalizeName(names[i]) already computed (the matcher has it).
   */
  constructor(names: readonly string[], normalized?: readonly NormalizedName[]) {
    names.forEach((name, client) => {
      if (name.trim() === '') return;
      for (const tokens of spellings(name, normalized?.[client] ?? normalizeName(name))) this.addPrefixes(client, tokens);
    });
  }

  private addPrefixes(client: number, tokens: readonly string[]): void {
    const letters = tokens.reduce((n, t) => n + t.length, 0);
    let joined = '';
    tokens.forEach((t, i) => {
      joined += t;
      const whole = i === tokens.length - 1;
      const score = whole ? DOMAIN_MAX_SCORE : PREFIX_BASE + (PREFIX_SPAN * joined.length) / letters;
      const list = this.byJoined.get(joined);
      const entry: PrefixEntry = { client, words: tokens.slice(0, i + 1), whole, score };
      if (list === undefined) this.byJoined.set(joined, [entry]);
      else {
        // One entry per client, its best spelling; a client's spellings are added one after another.
        const last = list[list.length - 1]!;
        if (last.client !== client) list.push(entry);
        else if (score > last.score) list[list.length - 1] = entry;
      }
    });
  }

  /** The clients whose first words spell `joined`, best entry per client. */
  lookup(joined: string): readonly PrefixEntry[] {
    return this.byJoined.get(joined) ?? [];
  }
}

const STOPWORDS = new Set(['and', 'the']);

/**
 * The word lists a company may run together in its domain: each key of its name (umlauts as
 * a/o/u and spelled out), the same with the legal suffix kept ("contosoltd"), and each without
 * "and"/"the" ("smithjones", "acmegroup" for "The Acme Group").
 */
function spellings(name: string, n: NormalizedName): string[][] {
  const lists = n.variants.map((v) => v.tokens);
  if (n.variants.some((v) => v.steps.some((s) => s.kind === 'suffix'))) {
    for (const v of normalizeName(name, { legalForms: false }).variants) lists.push(v.tokens);
  }
  const out: string[][] = [];
  const seen = new Set<string>();
  const add = (tokens: string[]): void => {
    const key = tokens.join(' ');
    if (tokens.length > 0 && !seen.has(key)) {
      seen.add(key);
      out.push(tokens);
    }
  };
  for (const tokens of lists) {
    add(tokens);
    add(tokens.filter((t) => !STOPWORDS.has(t)));
  }
  return out;
}

/** The sentence for a suggestion the domain's label spelled. */
export function explainDomain(domain: DomainName, clientName: string, entry: PrefixEntry): string {
  const what = entry.whole ? 'its name' : 'its first words';
  return `domain ${domain.domain} ~ ${JSON.stringify(clientName)}: the domain spells ${what} (${entry.words.join(' ')})`;
}
