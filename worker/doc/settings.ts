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
  /**
   * The workspace's threshold for suggested client matches (issue 14): a suggestion scoring at or
   * above it is accepted in one click and counted by "Accept N"; one below it needs a confirmation.
   * Shared, so every teammate's "Accept N" accepts the same matches. No number depends on it.
   */
  suggestionThreshold: number;
}

/** What a bundle's workspace.json sets: everything but the workspace's own choices (the threshold), which an import keeps. */
export type BundleSettings = Omit<AppSettings, 'suggestionThreshold'>;

/** The lowest and highest threshold the app accepts: below 0.5 a "suggestion" is mostly noise. */
export const SUGGESTION_THRESHOLD_RANGE = { min: 0.5, max: 1 } as const;

export const DEFAULT_APP_SETTINGS: AppSettings = { asOfMode: 'now', asOf: null, inactiveAfterDays: 21, staleAfterHours: 24, currency: 'USD', suggestionThreshold: 0.9 };

/** Why `value` cannot be the threshold, or null when it can. */
export function thresholdProblem(value: number): string | null {
  return Number.isFinite(value) && value >= SUGGESTION_THRESHOLD_RANGE.min && value <= SUGGESTION_THRESHOLD_RANGE.max
    ? null
    : `The threshold is a score from ${SUGGESTION_THRESHOLD_RANGE.min} to ${SUGGESTION_THRESHOLD_RANGE.max}.`;
}
