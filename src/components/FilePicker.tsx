import { filesFromInput } from './dropFiles';
import { core, progress } from '../state/workspace';
import './FilePicker.css';

/** The keyboard and mouse way to import, beside drag-and-drop: files (CSV, TSV, .xlsx, JSON, .zip) or a whole folder. */
export function FilePicker() {
  let files!: HTMLInputElement;
  let folder!: HTMLInputElement;
  const pick = async (input: HTMLInputElement) => {
    const inputs = filesFromInput(input.files);
    input.value = '';
    if (inputs.length > 0) await core.importFiles(inputs);
  };
  return (
    <div class="file-picker">
      <input ref={files} type="file" multiple accept=".csv,.tsv,.txt,.xlsx,.json,.zip,text/csv,application/zip" hidden data-testid="file-input" onChange={() => void pick(files)} />
      <input ref={folder} type="file" hidden {...{ webkitdirectory: true }} onChange={() => void pick(folder)} />
      <button disabled={!!progress()} onClick={() => files.click()}>Import files…</button>
      <button class="secondary" disabled={!!progress()} onClick={() => folder.click()}>Import a folder…</button>
    </div>
  );
}
