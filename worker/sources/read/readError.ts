import type { ContractError } from '../../bundle/contractError';
import { formatContractError } from '../../bundle/contractError';

/**
 * A file that cannot be read at all (unterminated quote, not a workbook, empty). It carries the
 * same ContractError shape as a bundle problem so the app and the CLI list it the same way.
 */
export class ReadError extends Error {
  constructor(readonly problem: ContractError) {
    super(formatContractError(problem));
    this.name = 'ReadError';
  }
}

export function readError(file: string, message: string, row?: number): ReadError {
  return new ReadError(row === undefined ? { file, message } : { file, row, message });
}
