/**
 * The relay's one way to write a log line. Every line passes `redact` first, so a token (in a
 * URL's `?token=`, a `ledgerline.token.` subprotocol, an `Authorization` header or the admin key)
 * never reaches a log, whatever the caller put in its message.
 */

const SECRETS: readonly [RegExp, string][] = [
  // ?token=… / &token=… in any URL, encoded or not
  [/([?&]token=)[^&\s"']*/gi, '$1[redacted]'],
  // the subprotocol form (SUBPROTOCOL / TOKEN_SUBPROTOCOL_PREFIX in worker/protocol/syncProtocol.ts)
  [/(ledgerline\.token\.)[A-Za-z0-9._~-]+/g, '$1[redacted]'],
  // Authorization: Bearer …
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]'],
  // a bare link token: rw.<mac>, ro.<mac>, or <linkId>.<mac>-style values of 40+ url-safe characters
  [/\b(rw|ro)\.[A-Za-z0-9_-]{20,}/g, '$1.[redacted]'],
  // a bare per-person link token, <linkId>.<43-character base64url MAC> (server/tokens.ts): the link id may stay
  [/([A-Za-z0-9_-]{1,64})\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, '$1.[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  return out;
}

/** Where lines go; tests swap it to read what would have been logged. */
export const logSink = {
  info: (line: string): void => void process.stdout.write(`${line}\n`),
  error: (line: string): void => void process.stderr.write(`${line}\n`),
};

export function logInfo(message: string): void {
  logSink.info(redact(message));
}

export function logError(message: string): void {
  logSink.error(redact(message));
}
