/**
 * The client mapping screen's one classification of a suggestion against the workspace's threshold
 * (worker/views/clientMapping.ts): confident at or above it, counted by "Accept N" and mapped by it;
 * mapped and excluded clients are never counted.
 */
import { describe, expect, it } from 'vitest';
import { confidentCount, confidentMappings, isConfident } from '../../worker/views/clientMapping';
import type { ClientMappingRow } from '../../worker/views/types';

const row = (externalClientId: string, status: ClientMappingRow['status'], scores: number[]): ClientMappingRow => ({
  integrationId: 'm365',
  externalClientId,
  externalClientName: externalClientId,
  rows: 1,
  status,
  psaClientId: status === 'mapped' ? 'C0' : '',
  psaClientName: '',
  suggestions: scores.map((score, i) => ({ clientId: `C${externalClientId}${i}`, clientName: `Client ${i}`, score, why: '' })),
});

const rows = [row('a', 'unmapped', [0.95, 0.5]), row('b', 'unmapped', [0.9]), row('c', 'unmapped', [0.72]), row('d', 'unmapped', []), row('e', 'mapped', [0.99]), row('f', 'excluded', [0.99])];

describe('confident suggestions at the workspace threshold', () => {
  it('counts an unmapped client whose best suggestion is at or above the threshold, and no other', () => {
    expect(isConfident(0.9, 0.9)).toBe(true);
    expect(isConfident(0.89, 0.9)).toBe(false);
    expect(confidentCount(rows, 0.9)).toBe(2);
    expect(confidentCount(rows, 0.7)).toBe(3);
    expect(confidentCount(rows, 1)).toBe(0);
  });

  it('maps exactly the clients it counts, each to its best suggestion', () => {
    expect(confidentMappings(rows, 0.9)).toEqual([
      { integrationId: 'm365', externalClientId: 'a', status: 'mapped', psaClientId: 'Ca0' },
      { integrationId: 'm365', externalClientId: 'b', status: 'mapped', psaClientId: 'Cb0' },
    ]);
    expect(confidentMappings(rows, 0.7)).toHaveLength(confidentCount(rows, 0.7));
  });
});
