/// <reference lib="webworker" />
/** The import thread: reading, recognising, parsing and storing dropped files, off the main thread. */
import * as Comlink from 'comlink';
import { generateDemoBundle } from '../../worker/demo/generateDemo';
import { openDb } from '../state/db';
import { importBatch, type ImportInput, type ImportProgress } from './importBatch';

const db = openDb();

const api = {
  importFiles: (inputs: ImportInput[], onProgress: (p: ImportProgress) => void) => importBatch(db, inputs, onProgress),

  /** The built-in demo workspace, imported like any bundle (so clearing and history work the same). */
  importDemo(onProgress: (p: ImportProgress) => void) {
    const files = generateDemoBundle();
    const inputs = Object.entries(files).map(([name, text]) => ({ name: `demo/${name}`, blob: new Blob([text], { type: 'text/csv' }) }));
    return importBatch(db, inputs, onProgress, { source: 'demo' });
  },

  /** Removes every dataset and setting; the demo does not come back by itself. */
  async clearWorkspace() {
    await db.transaction('rw', [db.imports, db.datasets, db.usageBlocks, db.meta], async () => {
      await Promise.all([db.imports.clear(), db.datasets.clear(), db.usageBlocks.clear(), db.meta.clear()]);
      await db.setMeta('initialised', true);
      await db.setMeta('dataVersion', Date.now());
    });
  },
};

export type ImportApi = typeof api;
Comlink.expose(api);
