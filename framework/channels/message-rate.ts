import type { ChannelSettings } from './config';

/** Rate-limit clock: milliseconds since this module loaded (a small integer, not a boxed double). */
const EPOCH = Date.now();

/**
 * A connection's message-rate bucket, kept on the connection itself (two integer fields, no object of its own
 * per connection): thousandths of a message, and when it was last filled (ms since EPOCH).
 */
export interface RateBucket {
  tokens: number;
  lastRefill: number;
}

/** A full bucket's tokens: `burst` messages. */
export function fullTokens(settings: ChannelSettings): number {
  return Math.floor(settings.burst * 1000);
}

/** The bucket's clock now (a new bucket's `lastRefill`). */
export function rateClock(): number {
  return Date.now() - EPOCH;
}

/** Token bucket: `burst` messages at once, refilled at `messagesPerSecond`. False when the message is over the rate. */
export function takeToken(bucket: RateBucket, { messagesPerSecond, burst }: ChannelSettings): boolean {
  const now = rateClock();
  const cap = Math.floor(burst * 1000);
  // messagesPerSecond thousandths per millisecond; the clock moves on only by the time turned into tokens.
  const gained = Math.floor((now - bucket.lastRefill) * messagesPerSecond);
  if (gained > 0 || bucket.tokens >= cap) {
    bucket.tokens = Math.min(cap, bucket.tokens + gained);
    bucket.lastRefill = now;
  }
  if (bucket.tokens < 1000) return false;
  bucket.tokens -= 1000;
  return true;
}
