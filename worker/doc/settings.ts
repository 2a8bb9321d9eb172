/**
 * The settings every teammate shares (the same as-of gives the same numbers): kept in the
 * workspace document's `settings` map. No Yjs here, so the screens and the engine's host read it alike.
 */
export interface AppSettings {
  /** 'now': asOf is the moment of each reconciliation; 'fixed': the given ISO time (a bundle sets it). */
  asOfMode: 'now' | 'fixed';
  asOf: string | null;
  inactiveAfterDays: number;
  staleAfterHours: number;
  currency: string;
}

export const DEFAULT_APP_SETTINGS: AppSettings = { asOfMode: 'now', asOf: null, inactiveAfterDays: 21, staleAfterHours: 24, currency: 'USD' };
