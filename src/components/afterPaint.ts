/**
 * Runs `run` once the next frame has been drawn, as a task of its own: a bare animation frame
 * callback runs in the frame, before it is drawn, so heavy work there delays the very frame it
 * waits for.
 */
export function afterPaint(run: () => void): void {
  requestAnimationFrame(() => setTimeout(run));
}
