import type { ImportInput } from '../../worker/core/importBatch';

/**
 * Files from a drop: plain files, and whole folders walked through the File System entries API
 * (a dropped bundle folder keeps its files' paths, e.g. "march/usage.csv").
 */
export async function filesFromDrop(transfer: DataTransfer): Promise<ImportInput[]> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ name: file.name, blob: file }));
  const out: ImportInput[] = [];
  for (const entry of entries) await walk(entry, '', out);
  return out;
}

export function filesFromInput(list: FileList | null): ImportInput[] {
  return [...(list ?? [])].map((file) => ({ name: file.webkitRelativePath || file.name, blob: file }));
}

async function walk(entry: FileSystemEntry, prefix: string, out: ImportInput[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ name: `${prefix}${file.name}`, blob: file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call; read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
  }
}
