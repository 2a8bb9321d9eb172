import { describe, expect, it } from 'vitest';
import { bestClientMatch } from '../../src/components/psaClientEditor';

const NAMES = new Map([
  ['C1', 'Oakridge Pediatrics'],
  ['C2', 'Oak Street Dental'],
  ['C3', 'Riverbend Family Medicine'],
  ['C4', 'Harbor & Finch Law, LLP'],
]);
const known = new Set(NAMES.keys());
const labelOf = (id: string) => `${NAMES.get(id)} (${id})`;

describe('the PSA-client picker on Enter', () => {
  it('takes a name starting with the text before a word starting with it, and that before the text anywhere', () => {
    expect(bestClientMatch('oakri', known, labelOf)).toBe('C1');
    expect(bestClientMatch('family', known, labelOf)).toBe('C3');
    expect(bestClientMatch('iatr', known, labelOf)).toBe('C1');
  });

  it('takes the closest fit among names that start alike', () => {
    expect(bestClientMatch('oak', known, labelOf)).toBe('C2');
  });

  it('takes an exact id', () => {
    expect(bestClientMatch('c4', known, labelOf)).toBe('C4');
  });

  it('finds nothing for a text no client has', () => {
    expect(bestClientMatch('zzzq', known, labelOf)).toBeNull();
    expect(bestClientMatch('  ', known, labelOf)).toBeNull();
  });
});
