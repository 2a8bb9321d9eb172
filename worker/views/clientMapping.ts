/**
 * The client mapping screen's one classification of a suggestion: confident (at or above the
 * workspace's threshold, `AppSettings.suggestionThreshold`: accepted in one click, counted and
 * accepted by "Accept N") or weak (accepted only after a confirmation that shows the money it
 * moves). The core counts and resolves "Accept N" with it, the screen asks it before a click
 * accepts, so the two can never disagree. Pure.
 */
import type { ClientMapEntry } from '../engine/model';
import type { ClientMappingRow } from './types';

/** A suggestion's score against the threshold: at or above it is confident. */
export const isConfident = (score: number, threshold: number): boolean => score >= threshold;

/** An unmapped client's best suggestion when it is confident, else undefined. */
function confidentBest(row: ClientMappingRow, threshold: number) {
  const best = row.status === 'unmapped' ? row.suggestions[0] : undefined;
  return best && isConfident(best.score, threshold) ? best : undefined;
}

/** How many unmapped clients "Accept N" would map. */
export function confidentCount(rows: readonly ClientMappingRow[], threshold: number): number {
  let n = 0;
  for (const row of rows) if (confidentBest(row, threshold)) n++;
  return n;
}

/** The mappings "Accept N" writes: each unmapped client to its confident best suggestion. */
export function confidentMappings(rows: readonly ClientMappingRow[], threshold: number): ClientMapEntry[] {
  const out: ClientMapEntry[] = [];
  for (const row of rows) {
    const best = confidentBest(row, threshold);
    if (best) out.push({ integrationId: row.integrationId, externalClientId: row.externalClientId, status: 'mapped', psaClientId: best.clientId });
  }
  return out;
}
