const UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/**
 * A window length in milliseconds: a number of seconds (`60`), or a number and a unit (`'1 minute'`,
 * `'15 minutes'`, `'10s'`, `'1h'`). Undefined when it is neither (the caller names the declaration).
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
  const unit = m && UNITS[m[2]!.toLowerCase()];
  if (!m || !unit) return undefined;
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : undefined;
}

/** `60000` -> `1 minute`, `1500` -> `2 seconds`: how long to wait, for messages. */
export function describeDuration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 120) return `${m} minutes`;
  return `${Math.ceil(m / 60)} hours`;
}

/** A window as a rate's unit: `60000` -> `minute`, `900000` -> `15 minutes`, `1500` -> `1.5 seconds`. */
export function describeWindow(ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]] as const) {
    if (ms % size === 0) return ms === size ? unit : `${ms / size} ${unit}s`;
  }
  return `${ms / 1000} seconds`;
}
