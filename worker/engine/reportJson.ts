import { inactiveSeatsJson, type InactiveSeatRows } from './inactiveSeatsJson';
import type { Report } from './report.types';

/** The inactive_seats member as inactiveSeatsJson writes it, written already (on another thread). */
export interface WrittenInactiveSeats {
  written: readonly Uint8Array[];
}

/** Items of one list serialized together: small enough that no piece of the output is large. */
const ITEMS_PER_PIECE = 2000;

/**
 * The text of `JSON.stringify(report, null, 2) + '\n'`, in pieces (strings, and UTF-8 bytes for
 * inactive seats written from `inactiveSeats`' rows, see inactiveSeatsJson.ts). At 1M usage rows the report is
 * ~13 MB; as one string it was built, then copied whole into UTF-8, and one non-ASCII client name
 * made all of it a two-byte string, slow to copy. In pieces, only the pieces with such names are,
 * and the output starts before the last list is serialized.
 */
export function* reportJsonPieces(report: Report, itemsPerPiece = ITEMS_PER_PIECE, inactiveSeats?: InactiveSeatRows | WrittenInactiveSeats): Generator<string | Uint8Array> {
  // As JSON.stringify: a member whose value is undefined is left out.
  const keys = (Object.keys(report) as (keyof Report)[]).filter((key) => report[key] !== undefined);
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value = report[key];
    const last = k === keys.length - 1;
    if (key === 'inactive_seats' && inactiveSeats) {
      // The rows are written in place of the list, which must then be the empty stand-in toReport leaves.
      if (report.inactive_seats.length > 0) throw new Error('reportJsonPieces: inactive seats given twice');
      if ('written' in inactiveSeats) yield* inactiveSeats.written;
      else yield* inactiveSeatsJson(inactiveSeats);
      yield last ? '\n' : ',\n';
      continue;
    }
    if (!Array.isArray(value) || value.length <= itemsPerPiece) {
      yield `${memberText(key, value)}${last ? '\n' : ',\n'}`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (let from = 0; from < value.length; from += itemsPerPiece) {
      const items = value.slice(from, from + itemsPerPiece);
      const more = from + itemsPerPiece < value.length;
      yield `${itemsText(items)}${more ? ',\n' : '\n'}`;
    }
    yield last ? '  ]\n' : '  ],\n';
  }
  yield '}\n';
}

/** `"key": value` as it stands inside the top-level object (indented by two). */
function memberText(key: string, value: unknown): string {
  const text = JSON.stringify({ [key]: value }, null, 2);
  return text.slice(2, text.length - 2); // without the enclosing "{\n" and "\n}"
}

/** The items of a list inside the top-level object, one after the other (indented by four), as in the whole. */
function itemsText(items: unknown[]): string {
  const text = memberText('', items); // `  "": [\n    …\n  ]`
  return text.slice(text.indexOf('[\n') + 2, text.length - 4);
}
