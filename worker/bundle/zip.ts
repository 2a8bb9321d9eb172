import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * A whole bundle as one zip, for "export workspace" / "import workspace" (spec §1).
 */

/**
 * fflate writes the DOS timestamp from the Date's local-time fields, so a Date built from local
 * fields gives the same bytes in every time zone; a UTC instant would not. Built per call because
 * the zone can change under a running process; noon, because no zone skips it for daylight saving.
 */
const fixedMtime = () => new Date(2000, 0, 1, 12, 0, 0);

/** The same files always give the same bytes, so an export can be compared or hashed. */
export function zipBundle(files: Record<string, string>): Uint8Array {
  const entries: Zippable = {};
  for (const name of Object.keys(files).sort()) entries[name] = strToU8(files[name] as string);
  return zipSync(entries, { mtime: fixedMtime() });
}

/**
 * Files of a bundle zip by name. Zipping a folder (Finder, Explorer) puts everything under that
 * folder, so files may sit at the root or in one top-level folder; what the OS adds on its own
 * (__MACOSX/, .DS_Store, Thumbs.db) is skipped.
 */
export function unzipBundle(bytes: Uint8Array): Record<string, string> {
  const rawNames: string[] = [];
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, {
      filter: (file) => {
        const keep = !isJunk(normalize(file.name));
        // fflate keys its result by name, so a second entry of the same name would silently win.
        if (keep) rawNames.push(file.name);
        return keep;
      },
    });
  } catch (error) {
    throw new Error(`not a readable zip file (${error instanceof Error ? error.message : String(error)})`);
  }

  const paths = rawNames.map(normalize);
  const root = bundleRoot(paths);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  rawNames.forEach((raw, i) => {
    const path = paths[i] as string;
    const name = path.startsWith(root) ? path.slice(root.length) : path;
    if (seen.has(name)) throw new Error(`the zip holds two files named ${name}`);
    seen.add(name);
    out[name] = decodeUtf8(name, unzipped[raw] as Uint8Array);
  });
  return out;
}

/** Windows zippers may write backslashes, and some tools a leading "./". */
function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

const OS_JUNK = new Set(['thumbs.db', 'desktop.ini']);

function isJunk(path: string): boolean {
  if (path.endsWith('/')) return true; // a directory entry
  const segments = path.split('/');
  if (segments[0] === '__MACOSX') return true;
  const base = segments[segments.length - 1] as string;
  return segments.some((s) => s.startsWith('.')) || OS_JUNK.has(base.toLowerCase());
}

/** "" when files are at the root, "folder/" when they sit in one top-level folder. */
function bundleRoot(paths: readonly string[]): string {
  const folders = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/');
    if (segments.length > 2) throw new Error(`${path}: bundle files must be at the top of the zip or inside one folder`);
    if (segments.length === 2) folders.add(segments[0] as string);
  }
  if (folders.size > 1) {
    throw new Error(`the zip has files in several folders (${[...folders].sort().join(', ')}): put the bundle files in one folder`);
  }
  const [folder] = folders;
  return folder === undefined ? '' : `${folder}/`;
}

/**
 * strFromU8 replaces invalid bytes with U+FFFD without complaint (and may drop a BOM); a Windows-1252 export would
 * then import with client names quietly mangled, so a file that does not survive the round trip
 * is refused instead.
 */
function decodeUtf8(name: string, data: Uint8Array): string {
  const text = strFromU8(data);
  if (text.includes('\uFFFD') && !sameBytes(withoutBom(strToU8(text)), withoutBom(data))) {
    throw new Error(`${name} is not UTF-8 text: save it as "CSV UTF-8" and zip it again`);
  }
  return text;
}

function withoutBom(data: Uint8Array): Uint8Array {
  return data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
