import type { CodedColumn } from './model';

/** Interns the few distinct values of a column so each row stores a small integer. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(initial: readonly string[] = []) {
    for (const value of initial) this.code(value);
  }

  private lastValue: string | undefined;
  private lastCode = -1;

  code(value: string): number {
    // Exports list a client's rows together, so the previous value usually repeats.
    if (value === this.lastValue) return this.lastCode;
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
    }
    this.lastValue = value;
    this.lastCode = code;
    return code;
  }

  find(value: string): number | undefined {
    return this.index.get(value);
  }
}

/** Maps each code of a column to the code of its lower-cased value (the contract compares names case-insensitively). */
export function foldCase(values: readonly string[]): { folded: Dictionary; ofCode: Uint32Array } {
  const folded = new Dictionary();
  const ofCode = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) ofCode[i] = folded.code(values[i]!.toLowerCase());
  return { folded, ofCode };
}

export function valueAt(column: CodedColumn, row: number): string {
  return column.values[column.codes[row]!]!;
}
