/**
 * The `ws` package's Node implementation, loaded by file path. Under this project's vitest config
 * (vite-plugin-solid adds the `browser` resolve condition in test mode, and vitest passes it on to
 * Node) both `import 'ws'` and `require('ws')` resolve to ws's browser stub, which only throws.
 * Requiring `index.js` from the package folder gets the real one under tsx, node and vitest alike.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as WsModule from 'ws';

const require = createRequire(import.meta.url);
const ws = require(path.join(path.dirname(require.resolve('ws/package.json')), 'index.js')) as typeof WsModule;

export const WebSocketServer = ws.WebSocketServer;
export const WebSocket = ws.WebSocket;
export type WebSocket = WsModule.WebSocket;
export type RawData = WsModule.RawData;
