/** Imports in the core: reading, recognising, parsing and storing dropped files, off the main thread. */
import { gunzipSync, gzipSync } from 'fflate';
import { generateDemoBundle } from '../demo/generateDemo';
import { DEVICE_META_KEYS, type LedgerlineDb } from './db';
import type { FileOverrides, RawTable, SourceProfile } from '../sources/types';
import { importBatch, type ImportInput, type ImportOptions, type ImportProgress } from './importBatch';
import { previewConversion } from '../sources/previewConversion';

/** What the core chooses for an import from the document and the wizard (the rest is the importer's). */
export type ImportChoices = Pick<ImportOptions, 'profiles' | 'skip' | 'overrides' | 'tenantNames' | 'asOf'>;

/** The importer of one workspace database. */
export function createImporter(db: LedgerlineDb) {
  /** Full tables of the files the last import did not know, for the wizard's live preview. */
  const unknownTables = new Map<string, RawTable>();
  return {
    importFiles(inputs: ImportInput[], onProgress: (p: ImportProgress) => void, choices: ImportChoices = {}) {
      unknownTables.clear();
      return importBatch(db, inputs, onProgress, { ...choices, unknownTables });
    },

    /** The wizard's live preview of an unknown file of the last import through a profile being edited. */
    previewProfile(file: string, profile: SourceProfile, overrides: FileOverrides = {}, asOf: string | null = null) {
      const table = unknownTables.get(file);
      if (!table) return null;
      return previewConversion(table, profile, overrides, asOf ?? undefined);
    },

    /** The built-in demo workspace, imported like any bundle (so clearing and history work the same). */
    importDemo(onProgress: (p: ImportProgress) => void) {
      const files = generateDemoBundle();
      const inputs = Object.entries(files).map(([name, text]) => ({ name: `demo/${name}`, blob: new Blob([text], { type: 'text/csv' }) }));
      return importBatch(db, inputs, onProgress, { source: 'demo' });
    },

    /**
     * The files of an import as compressed, content-addressed blobs for teammates: gzip, then the
     * SHA-256 of the compressed bytes names the blob (the relay checks it).
     */
    async packForSharing(inputs: ImportInput[]) {
      const out: { name: string; hash: string; bytes: Uint8Array }[] = [];
      for (const input of inputs) {
        const bytes = gzipSync(new Uint8Array(await input.blob.arrayBuffer()), { level: 6 });
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        out.push({ name: input.name, hash: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), bytes });
      }
      return out;
    },

    /** A teammate's import, from its blobs: the same validation and storage as a drop. */
    importShared(files: { name: string; gzipped: Uint8Array }[], onProgress: (p: ImportProgress) => void, choices: ImportChoices = {}) {
      const inputs = files.map((f) => ({ name: f.name, blob: new Blob([gunzipSync(f.gzipped) as BlobPart]) }));
      return importBatch(db, inputs, onProgress, choices);
    },

    /** Removes every dataset (this device's link and applied shares stay); the demo does not come back by itself. */
    async clearWorkspace() {
      await db.transaction('rw', [db.imports, db.datasets, db.usageBlocks, db.meta], async () => {
        await Promise.all([db.imports.clear(), db.datasets.clear(), db.usageBlocks.clear(), db.meta.where('key').noneOf(DEVICE_META_KEYS as string[]).delete()]);
        await db.setMeta('initialised', true);
        await db.setMeta('dataVersion', Date.now());
      });
    },
  };
}

export type Importer = ReturnType<typeof createImporter>;
