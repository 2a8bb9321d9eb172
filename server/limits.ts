/**
 * The relay's rate limits as small pure classes: no timers, no I/O, the clock injected, so each can
 * be tested by moving a fake clock (test/server/limits.test.ts).
 */

import type { IncomingMessage } from 'node:http';

export type Clock = () => number;

/**
 * The address every per-address limit counts (upgrade attempts, failed blob tokens, failed admin
 * keys): the socket's peer, or with `trustProxy` the last `X-Forwarded-For` entry, the one the
 * proxy itself appended (earlier entries are whatever the client chose to send). One function, so
 * the throttles cannot disagree on who is who behind a proxy.
 */
export function remoteAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * A token bucket: holds up to `burst` tokens, refilled at `ratePerSecond`; each event takes one (or
 * `cost`). Lets a client burst after a quiet spell while bounding its sustained rate.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: Clock = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `cost` tokens if there are that many; false (and nothing taken) otherwise. */
  take(cost = 1): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Tokens there now (after refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** True once the bucket has refilled completely: nothing about its past matters any more. */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const t = this.now();
    // A clock that steps back (NTP) must not drain the bucket.
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}

/**
 * `limit` events per `windowMs` per key (a remote address), as a token bucket per key (burst
 * `limit`, refilled at `limit / windowMs`). Keys whose bucket is full again are forgotten, so
 * memory follows the number of addresses active within one window, and `maxKeys` caps even that
 * (past it, new keys are refused: a relay flooded from that many addresses is better refusing
 * than growing).
 */
export class KeyedThrottle {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: Clock = Date.now,
    readonly maxKeys = 100_000,
  ) {
    this.lastSweep = now();
  }

  /** Counts one attempt for `key`; false when the key is over its limit. */
  allow(key: string): boolean {
    this.sweep();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) return false;
      bucket = new TokenBucket((this.limit * 1000) / this.windowMs, this.limit, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  /**
   * Whether `key` could make an attempt now, without counting one: for requests that are charged
   * only when they fail (a blob request with a wrong token), but refused before any work once over.
   */
  wouldAllow(key: string): boolean {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.buckets.size < this.maxKeys;
    return bucket.available() >= 1;
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    const t = this.now();
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [key, bucket] of this.buckets) if (bucket.full()) this.buckets.delete(key);
  }
}

/**
 * Presence (awareness) updates of one connection: up to `perSecond` are applied (with a burst of as
 * many), the rest dropped without a word (a stock client re-announces its state every 15 s, so a
 * dropped one heals); a connection that keeps sending past that for `floodSeconds` worth of
 * updates is not a client having a busy moment, and `offer` says so ('close').
 */
export class PresenceLimiter {
  private readonly accept: TokenBucket;
  private readonly flood: TokenBucket;

  constructor(perSecond: number, floodSeconds = 10, now: Clock = Date.now) {
    this.accept = new TokenBucket(perSecond, perSecond, now);
    // Every update, accepted or not, drains this one at the same refill rate: only a sustained
    // excess of `perSecond * floodSeconds` updates empties it.
    this.flood = new TokenBucket(perSecond, perSecond * floodSeconds, now);
  }

  offer(): 'apply' | 'drop' | 'close' {
    if (!this.flood.take()) return 'close';
    return this.accept.take() ? 'apply' : 'drop';
  }
}
