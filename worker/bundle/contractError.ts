/** A §9 contract violation: names the file, the row (header = row 1) and the column. */
export interface ContractError {
  file: string;
  /** Spreadsheet row number: the header is row 1, the first record row 2. Absent when the whole file is at fault. */
  row?: number;
  /** Column name; absent only where the whole row or file is at fault. */
  column?: string;
  message: string;
}

export function formatContractError(e: ContractError): string {
  const where = [e.file];
  if (e.row !== undefined) where.push(`row ${e.row}`);
  if (e.column !== undefined) where.push(`column ${e.column}`);
  return `${where.join(', ')}: ${e.message}`;
}
