import { distance } from 'fastest-levenshtein';
import { DOMAIN_MAX_SCORE, DomainIndex, explainDomain, parseDomain } from './domainName';
import type { DomainName, PrefixEntry } from './domainName';
import { describeSteps, normalizeName } from './normalizeName';
import type { NameVariant, NormalizedName } from './normalizeName';

/**
 * PSA clients that an integration's client (a tenant, a site) probably is, for the client-mapping
 * grid. Pure; runs in the engine's Web Worker.
 *
 * Score of two names (normalised by normalizeName; with an umlaut, each of its keys is tried and
 * the best pair counts):
 *   - 1.00 when the keys are equal;
 *   - otherwise max(letters, words), at most 0.99, where
 *       letters = 1 − levenshtein(keyA, keyB) / max(|keyA|, |keyB|)
 *       words   = |A ∩ B| / |A ∪ B| over the distinct words of each key, "and" and "the" left out
 *                 (so "Smith, Jones & Co" and "Smith & Jones" share all their words);
 *   - rounded to two decimals (display only). Suggestions need ≥ 0.30; best first, equal scores
 *     by client name (locale order, numbers as numbers), then id.
 *
 * An external name that is a domain ("acmedental.com", "contoso.onmicrosoft.com": what a Microsoft
 * 365 tenant export carries) is compared through its main label instead (domainName.ts): the
 * label's words as a name ("acme-dental" reads "acme dental"), or the label spelling the first
 * words of the PSA name run together ("acmedental" ~ "Acme Dental Group, LLC"), whichever scores
 * more, never above 0.95.
 */

export interface Suggestion {
  clientId: string;
  clientName: string;
  /** 0..1, two decimals, for display only. */
  score: number;
  why: string;
}

export interface ClientLike {
  clientId: string;
  clientName: string;
}

export interface ClientMatcher {
  suggest(externalName: string, limit?: number): Suggestion[];
}

export const MIN_SCORE = 0.3;
const STOPWORDS = new Set(['and', 'the']);

/** The distinct words that count for overlap: stopwords out, unless nothing else is left. */
function contentWords(tokens: readonly string[]): string[] {
  const distinct = [...new Set(tokens)];
  const content = distinct.filter((t) => !STOPWORDS.has(t));
  return content.length > 0 ? content : distinct;
}

/** How two names compare, through the best pair of their keys. */
export interface NameComparison {
  /** Raw score 0..1 (1 only for equal keys). */
  score: number;
  by: 'same' | 'letters' | 'words';
  /** Letters that differ between the keys (by = 'letters'). */
  lettersDiffer: number;
  /** Words in common and words in all (by = 'words'). */
  common: number;
  union: number;
  /** The keys that gave the score. */
  a: NameVariant;
  b: NameVariant;
}

function comparePair(a: NameVariant, b: NameVariant): NameComparison {
  if (a.key === b.key) return { score: 1, by: 'same', lettersDiffer: 0, common: 0, union: 0, a, b };
  const d = distance(a.key, b.key);
  const letters = 1 - d / Math.max(a.key.length, b.key.length);
  const wa = contentWords(a.tokens);
  const wb = new Set(contentWords(b.tokens));
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  const union = wa.length + wb.size - common;
  const words = union === 0 ? 0 : common / union;
  const score = Math.min(0.99, Math.max(letters, words));
  return letters >= words
    ? { score, by: 'letters', lettersDiffer: d, common, union, a, b }
    : { score, by: 'words', lettersDiffer: d, common, union, a, b };
}

/** Two normalised names: the best of their key pairs. Blank names compare as 0. */
export function compareNames(a: NormalizedName, b: NormalizedName): NameComparison {
  let best: NameComparison | null = null;
  for (const va of a.variants) {
    for (const vb of b.variants) {
      const c: NameComparison = va.key === '' || vb.key === ''
        ? { score: 0, by: 'letters', lettersDiffer: Math.max(va.key.length, vb.key.length), common: 0, union: 0, a: va, b: vb }
        : comparePair(va, vb);
      if (best === null || c.score > best.score) best = c;
    }
  }
  return best!;
}

/** The score as shown: two decimals, and never 1.00 unless the keys are equal. */
export function displayScore(raw: number): number {
  const rounded = Math.round(raw * 100) / 100;
  return raw < 1 ? Math.min(rounded, 0.99) : 1;
}

/** The sentence shown beside a suggestion. */
export function explain(nameA: string, nameB: string, c: NameComparison): string {
  const head = `${JSON.stringify(nameA)} ~ ${JSON.stringify(nameB)}: `;
  return head + reason(nameA, nameB, c);
}

/** The sentence for a domain, by the label's words or by the first words it spells (the better). */
function explainForDomain(domain: DomainName, clientName: string, c: NameComparison, spelled: PrefixEntry | undefined): string {
  if (spelled !== undefined && spelled.score >= Math.min(c.score, DOMAIN_MAX_SCORE)) return explainDomain(domain, clientName, spelled);
  const head = `domain ${domain.domain} ~ ${JSON.stringify(clientName)}: `;
  return c.by === 'same' ? `${head}the domain spells its name (${c.b.tokens.join(' ')})` : head + reason(domain.domain, clientName, c);
}

/** Why two names compare as they do, without the names. */
function reason(nameA: string, nameB: string, c: NameComparison): string {
  if (c.by === 'same') {
    if (nameA === nameB) return 'same name';
    const steps = describeSteps(c.a.steps, c.b.steps);
    return steps === '' ? 'same name' : `same name after ${steps}`;
  }
  if (c.by === 'letters') return `similar after normalising (${c.lettersDiffer} ${c.lettersDiffer === 1 ? 'letter differs' : 'letters differ'})`;
  return `${c.common} of ${c.union} words in common`;
}

const BUCKETS = 32;

/** The characters of a key counted in 32 buckets (code unit mod 32; a-z are distinct). */
function histogramOf(key: string): Uint8Array {
  const h = new Uint8Array(BUCKETS);
  for (let i = 0; i < key.length; i++) {
    const b = key.charCodeAt(i) & (BUCKETS - 1);
    if (h[b]! < 255) h[b]!++;
  }
  return h;
}

/** One side of letterBound: the buckets a key uses, their counts and the total. */
interface Probe {
  buckets: Int32Array;
  counts: Int32Array;
  total: number;
}

function probeOf(h: Uint8Array): Probe {
  const buckets: number[] = [];
  const counts: number[] = [];
  let total = 0;
  h.forEach((c, b) => {
    if (c > 0) {
      buckets.push(b);
      counts.push(c);
      total += c;
    }
  });
  return { buckets: Int32Array.from(buckets), counts: Int32Array.from(counts), total };
}

/**
 * A lower bound of the Levenshtein distance, cheaper than computing it: an edit changes the
 * character counts by at most one on each side, so d ≥ the larger of the two surpluses
 * (characters sharing a bucket only make the bound weaker, never wrong). Only a's buckets are
 * visited: b's surplus is a's plus the difference of the totals.
 */
function letterBound(a: Probe, all: Uint8Array, at: number, totalB: number): number {
  let more = 0;
  const { buckets, counts } = a;
  for (let i = 0; i < buckets.length; i++) {
    const d = counts[i]! - all[at + buckets[i]!]!;
    if (d > 0) more += d;
  }
  const less = more - a.total + totalB;
  return more > less ? more : less;
}

/**
 * Normalises the PSA clients once; `suggest` then compares one external name against all of them:
 * word overlap through an inverted index (word → keys holding it), and Levenshtein only where two
 * cheap upper bounds (the lengths, the character counts) say it could still reach the current top
 * `limit` and beat the word overlap.
 */
export function createClientMatcher(clients: readonly ClientLike[]): ClientMatcher {
  const wordIds = new Map<string, number>();
  const postings: number[][] = [];
  // One entry per key of a client (two for a name with an umlaut), as flat columns.
  const entryClient: number[] = [];
  const keys: string[] = [];
  const wordCounts: number[] = [];
  const entryHistograms: Uint8Array[] = [];
  const normalized: NormalizedName[] = [];
  const firstEntry = new Int32Array(clients.length + 1);
  clients.forEach((client, i) => {
    const n = normalizeName(client.clientName);
    normalized.push(n);
    firstEntry[i] = keys.length;
    if (n.key === '') return;
    for (const variant of n.variants) {
      const ids = contentWords(variant.tokens).map((w) => {
        let id = wordIds.get(w);
        if (id === undefined) {
          id = postings.length;
          wordIds.set(w, id);
          postings.push([]);
        }
        postings[id]!.push(keys.length);
        return id;
      });
      entryClient.push(i);
      keys.push(variant.key);
      wordCounts.push(ids.length);
      entryHistograms.push(histogramOf(variant.key));
    }
  });
  firstEntry[clients.length] = keys.length;
  const entries = keys.length;
  const histograms = new Uint8Array(entries * BUCKETS);
  const totals = new Int32Array(entries);
  entryHistograms.forEach((h, e) => {
    histograms.set(h, e * BUCKETS);
    totals[e] = probeOf(h).total;
  });

  // Equal scores go by name: rank every client once in locale order.
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  const order = clients.map((_, i) => i).sort((x, y) => collator.compare(clients[x]!.clientName, clients[y]!.clientName) || (clients[x]!.clientId < clients[y]!.clientId ? -1 : clients[x]!.clientId > clients[y]!.clientId ? 1 : 0));
  const rank = new Int32Array(clients.length);
  order.forEach((client, r) => {
    rank[client] = r;
  });

  const commonBuffers: Int32Array[] = [];
  const seen = new Uint8Array(clients.length);
  // Built on the first domain asked about: most external names are names.
  let domainIndex: DomainIndex | null = null;
  const byKey = new Map<string, number[]>();
  keys.forEach((key, e) => {
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [entryClient[e]!]);
    else if (list[list.length - 1] !== entryClient[e]) list.push(entryClient[e]!);
  });

  return {
    suggest(externalName: string, limit = 3): Suggestion[] {
      if (limit <= 0) return [];
      const domain = parseDomain(externalName);
      const ext = normalizeName(domain === null ? externalName : domain.words.join(' '));
      if (ext.key === '') return [];
      // A domain: the clients whose first words its label spells, and the cap on every score.
      const spelled = new Map<number, PrefixEntry>();
      if (domain !== null) {
        domainIndex ??= new DomainIndex(clients.map((c) => c.clientName), normalized);
        for (const entry of domainIndex.lookup(domain.joined)) spelled.set(entry.client, entry);
      }
      const cap = domain === null ? 1 : DOMAIN_MAX_SCORE;
      // Word overlap with every entry, per external key.
      const extWords = ext.variants.map((v) => contentWords(v.tokens));
      const extProbes = ext.variants.map((v) => probeOf(histogramOf(v.key)));
      const common = ext.variants.map((_, k) => {
        let buffer = commonBuffers[k];
        if (buffer === undefined) {
          buffer = new Int32Array(entries);
          commonBuffers[k] = buffer;
        } else buffer.fill(0);
        for (const w of extWords[k]!) {
          const id = wordIds.get(w);
          if (id !== undefined) for (const e of postings[id]!) buffer[e]!++;
        }
        return buffer;
      });

      // The top `limit`, best first: [display score, client].
      const top: { score: number; client: number }[] = [];
      const better = (score: number, client: number, than: { score: number; client: number }): boolean =>
        score > than.score || (score === than.score && rank[client]! < rank[than.client]!);

      const variantCount = ext.variants.length;
      const extKeys = ext.variants.map((v) => v.key);
      const extWordCounts = extWords.map((w) => w.length);
      const consider = (i: number): void => {
        const to = firstEntry[i + 1]!;
        // The score the client must reach to enter the list (display scores, ties by rank).
        const floor = (top.length < limit ? MIN_SCORE : top[top.length - 1]!.score) - 0.005;
        let best = 0;
        for (let e = firstEntry[i]!; e < to && best < 1; e++) {
          const entryKey = keys[e]!;
          const entryLength = entryKey.length;
          for (let k = 0; k < variantCount; k++) {
            const key = extKeys[k]!;
            if (key === entryKey) {
              best = 1;
              break;
            }
            const c = common[k]![e]!;
            const union = extWordCounts[k]! + wordCounts[e]! - c;
            let score = union === 0 ? 0 : c / union;
            // Levenshtein only when its upper bounds say it can beat the words and reach the list.
            const need = score > floor ? score : floor;
            const shorter = key.length < entryLength ? key.length : entryLength;
            const longer = key.length < entryLength ? entryLength : key.length;
            if (shorter / longer > need && 1 - letterBound(extProbes[k]!, histograms, e * BUCKETS, totals[e]!) / longer > need) {
              const letters = 1 - distance(key, entryKey) / longer;
              if (letters > score) score = letters;
            }
            if (score > 0.99) score = 0.99;
            if (score > best) best = score;
          }
        }
        const hit = spelled.get(i);
        if (hit !== undefined && hit.score > best) best = hit.score;
        if (best > cap) best = cap;
        const shown = displayScore(best);
        if (shown < MIN_SCORE) return;
        if (top.length === limit && !better(shown, i, top[top.length - 1]!)) return;
        let at = top.length;
        while (at > 0 && better(shown, i, top[at - 1]!)) at--;
        top.splice(at, 0, { score: shown, client: i });
        if (top.length > limit) top.pop();
      };

      // Likely clients first (same key, then a word in common), so the list fills with good
      // scores early and the bounds skip most Levenshtein runs over the rest.
      seen.fill(0);
      const visit = (i: number): void => {
        if (seen[i] === 0) {
          seen[i] = 1;
          consider(i);
        }
      };
      for (const i of spelled.keys()) visit(i);
      for (const v of ext.variants) for (const i of byKey.get(v.key) ?? []) visit(i);
      for (let k = 0; k < ext.variants.length; k++) {
        for (const w of extWords[k]!) {
          const id = wordIds.get(w);
          if (id !== undefined) for (const e of postings[id]!) visit(entryClient[e]!);
        }
      }
      for (let i = 0; i < clients.length; i++) if (firstEntry[i] !== firstEntry[i + 1]) visit(i);

      return top.map(({ score, client }) => {
        const c = clients[client]!;
        const comparison = compareNames(ext, normalized[client]!);
        const why = domain === null ? explain(externalName, c.clientName, comparison) : explainForDomain(domain, c.clientName, comparison, spelled.get(client));
        return { clientId: c.clientId, clientName: c.clientName, score, why };
      });
    },
  };
}

/** One-off form of createClientMatcher(clients).suggest(externalName, limit). */
export function suggestClients(externalName: string, clients: readonly ClientLike[], limit = 3): Suggestion[] {
  return createClientMatcher(clients).suggest(externalName, limit);
}
