import { formatContractError } from '../bundle/contractError';
import type { FileOutcome } from './convertFiles';

/** One line per file, for the CLI's stderr and the app's import report: what it was and what became of it. */
export function describeOutcome(outcome: FileOutcome): string {
  switch (outcome.status) {
    case 'bundle':
      return `${outcome.file}: bundle file ${outcome.kind}${outcome.notes.length > 0 ? ` (${outcome.notes.join('; ')})` : ''}`;
    case 'converted': {
      const c = outcome.conversion;
      const written = c.usage.length + c.lines.length + (c.target === 'psa' && c.lines.length === 0 ? c.clients.length : 0);
      const skipped = Object.entries(c.skipped);
      const skippedText = skipped.length === 0 ? '0 skipped' : `${skipped.reduce((n, [, k]) => n + k, 0)} skipped (${skipped.map(([why, k]) => `${why}: ${k}`).join('; ')})`;
      const what = c.target === 'usage' ? `${c.usage.length} usage rows` : `${c.clients.length} clients, ${c.lines.length} lines`;
      const notes = c.notes.map((n) => (n.startsWith(`${outcome.file}: `) ? n.slice(outcome.file.length + 2) : n));
      return `${outcome.file}: ${c.profile.name}, ${c.rowsRead} rows read, ${written} rows written (${what}), ${skippedText}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
    }
    case 'unknown':
      return `${outcome.file}: not recognised (header: ${outcome.table.header.slice(0, 8).join(', ')}${outcome.table.header.length > 8 ? ', …' : ''})`;
    case 'skipped':
      return `${outcome.file}: skipped, ${outcome.reason}`;
    case 'failed':
      return `${outcome.file}: failed, ${outcome.errors.length} ${outcome.errors.length === 1 ? 'problem' : 'problems'}${outcome.errors[0] ? ` (first: ${formatContractError(outcome.errors[0])})` : ''}`;
  }
}
