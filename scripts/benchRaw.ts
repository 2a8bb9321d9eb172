/**
 * Raw exports (bench step 4): a NinjaOne device export and a German Microsoft 365 tenant export
 * (Windows-1252, semicolons, two licences per user), each converted to bundle rows and validated as
 * the app and `import` do. Printed beside the bare read of the same bytes (read the file, count its
 * lines), so the ratio holds on a noisy machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataset } from '../worker/bundle/parseDataset';
import { BUILTIN_PROFILES } from '../worker/sources/builtinProfiles';
import { conversionFiles } from '../worker/sources/bundleCsv';
import { convertFile } from '../worker/sources/convertFiles';

const pad = (n: number) => String(n).padStart(2, '0');

function ninjaOne(rows: number): string {
  const lines = ['ID,Display Name,Client Name,Location,Role,OS Name,Last Online,Serial Number'];
  const roles = ['WINDOWS_WORKSTATION', 'WINDOWS_SERVER', 'MAC', 'NMS_SWITCH'];
  for (let i = 0; i < rows; i++) {
    const hour = i % 12 || 12;
    lines.push(`${100000 + i},HOST-${i},Client ${i % 400},Main,${roles[i % 4]},Windows 11 Pro,${1 + (i % 12)}/${1 + (i % 28)}/2026 ${hour}:${pad(i % 60)}:00 ${i % 2 ? 'PM' : 'AM'},SN-${i}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Windows-1252 bytes of Latin-1 text (the generator writes no 0x80–0x9F characters). */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function m365German(users: number): Uint8Array {
  const lines = ['Anzeigename;Benutzerprinzipalname;Vorname;Nachname;Lizenzen;Anmeldung blockiert;Land/Region'];
  for (let i = 0; i < users; i++) {
    const licences = i % 10 === 0 ? 'Nicht lizenziert' : 'Microsoft 365 Business Standard+Exchange Online (Plan 1)';
    lines.push(`Jürgen Müller ${i};user${i}@müller-steuer.de;Jürgen;Müller;${licences};${i % 50 === 0 ? 'WAHR' : 'FALSCH'};Deutschland`);
  }
  return latin1(`${lines.join('\r\n')}\r\n`);
}

function bareRead(path: string): number {
  const started = performance.now();
  const bytes = readFileSync(path);
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
  if (lines === 0) throw new Error('empty');
  return performance.now() - started;
}

async function convertAndValidate(path: string): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const name = path.split('/').pop()!;
  const outcome = await convertFile({ name, bytes: new Uint8Array(readFileSync(path)) }, BUILTIN_PROFILES, {}, { asOf: '2026-11-28T12:00:00Z' });
  if (outcome.status !== 'converted') throw new Error(`${name}: ${outcome.status}`);
  const parsed = parseDataset('usage', name, conversionFiles(outcome.conversion)['usage.csv']!);
  if (!parsed.ok) throw new Error(`${name}: ${parsed.errors[0]?.message}`);
  return { ms: performance.now() - started, rows: parsed.rows };
}

export async function benchRaw(dir: string, rows: number, runs: number): Promise<void> {
  const files = [
    { path: join(dir, 'ninjaone-devices.csv'), write: () => writeFileSync(join(dir, 'ninjaone-devices.csv'), ninjaOne(rows)) },
    { path: join(dir, 'm365-de-1252.csv'), write: () => writeFileSync(join(dir, 'm365-de-1252.csv'), m365German(rows / 2)) },
  ];
  for (const file of files) {
    file.write();
    const bare: number[] = [];
    const full: number[] = [];
    let written = 0;
    // Alternate the two, so both see the same machine.
    for (let run = 0; run < runs; run++) {
      bare.push(bareRead(file.path));
      const r = await convertAndValidate(file.path);
      full.push(r.ms);
      written = r.rows;
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const mb = (readFileSync(file.path).length / 1024 / 1024).toFixed(1);
    console.log(`raw export ${file.path.split('/').pop()} (${mb} MB, ${written.toLocaleString('en-US')} usage rows): convert + validate median ${(med(full) / 1000).toFixed(2)} s; bare read ${(med(bare) / 1000).toFixed(3)} s; ratio ${(med(full) / med(bare)).toFixed(1)}x`);
  }
}
