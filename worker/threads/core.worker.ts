/// <reference lib="webworker" />
/**
 * The core's thread. Opened as a SharedWorker, it is the one core of every tab of this browser
 * profile (one document, one engine, one relay connection); where SharedWorker is missing it runs
 * as each tab's dedicated worker, and the cores keep in step over a BroadcastChannel
 * (worker/core/tabs.ts). Either way each tab has a session (worker/core/core.ts `openSession`) on
 * its own port, spoken with comlink.
 */
import * as Comlink from 'comlink';
import { onCloseForGood, openSession } from '../core/core';

const scope = self as unknown as { onconnect?: unknown; close(): void };
if ('onconnect' in scope) {
  (self as unknown as SharedWorkerGlobalScope).onconnect = (event) => Comlink.expose(openSession(), event.ports[0]!);
  // After the tabs were told to reload (messages already posted are delivered): a fresh core then opens the new workspace.
  onCloseForGood(() => setTimeout(() => scope.close(), 200));
} else {
  Comlink.expose(openSession());
}
