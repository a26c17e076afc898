import { randomBytes } from 'node:crypto';
import { AuthErrors } from './errors';

/**
 * Password hashing with Argon2id (`@node-rs/argon2`, loaded on first use). The defaults are OWASP's
 * minimum (19 MiB of memory, 2 passes, 1 lane); raise them with `configurePasswordHashing`, and digests
 * made with lower parameters are rehashed at the next successful sign-in.
 */
export interface PasswordHashing {
  /** KiB of memory per hash (OWASP minimum 19456). */
  memoryCost: number;
  /** Passes over the memory (OWASP minimum 2). */
  timeCost: number;
  /** Lanes (OWASP minimum 1). */
  parallelism: number;
}

/** Longest password accepted, in UTF-8 bytes: longer ones are refused before hashing (a cheap denial of service otherwise). */
export const MAX_PASSWORD_BYTES = 256;

const OWASP_MINIMUM: PasswordHashing = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum: it has no value at run time)

let settings: PasswordHashing = { ...OWASP_MINIMUM };
let argon2: typeof import('@node-rs/argon2') | undefined;
const lib = () => (argon2 ??= require('@node-rs/argon2') as typeof import('@node-rs/argon2'));

/** The parameters new digests are made with. */
export function passwordHashing(): Readonly<PasswordHashing> {
  return settings;
}

/**
 * Sets the parameters new digests are made with (refused below OWASP's minimum). Digests made with lower
 * parameters are rehashed when their owner next signs in.
 * @example configurePasswordHashing({ memoryCost: 65536, timeCost: 3 });
 */
export function configurePasswordHashing(options: Partial<PasswordHashing>): void {
  const next = { ...settings, ...options };
  const below = (Object.keys(OWASP_MINIMUM) as (keyof PasswordHashing)[]).filter((k) => !(Number.isInteger(next[k]) && next[k] >= OWASP_MINIMUM[k]));
  if (below.length) throw AuthErrors.WEAK_HASHING(below.map((k) => `${k}=${next[k]}`).join(', '));
  settings = next;
}

/** Whether a plain password is longer than MAX_PASSWORD_BYTES. */
export function passwordTooLong(plain: string): boolean {
  return Buffer.byteLength(plain, 'utf8') > MAX_PASSWORD_BYTES;
}

function refuseLong(plain: string): void {
  if (passwordTooLong(plain)) throw AuthErrors.PASSWORD_TOO_LONG(Buffer.byteLength(plain, 'utf8'), MAX_PASSWORD_BYTES);
}

/** An Argon2id digest (PHC string, with its own random salt) of a plain password. */
export async function hashPassword(plain: string): Promise<string> {
  refuseLong(plain);
  return lib().hash(plain, { algorithm: ARGON2ID, ...settings });
}

/** Whether `plain` matches `digest` (the comparison inside Argon2 is constant-time). A malformed digest never matches. */
export async function verifyPassword(digest: string, plain: unknown): Promise<boolean> {
  if (typeof plain !== 'string' || passwordTooLong(plain)) {
    await verifyDummy(); // the same work either way: the answer's timing tells nothing
    return false;
  }
  try {
    return await lib().verify(digest, plain);
  } catch {
    return false;
  }
}

/** Whether a digest was made with another algorithm or with parameters below the current ones. */
export function needsRehash(digest: string): boolean {
  try {
    const o = lib().parseOptions(digest);
    return o.algorithm !== ARGON2ID || o.memoryCost < settings.memoryCost || o.timeCost < settings.timeCost || o.parallelism < settings.parallelism;
  } catch {
    return true;
  }
}

/**
 * A digest made once with the default parameters (OWASP_MINIMUM) of 32 random bytes nobody kept: verifying
 * against it costs what verifying a real default digest costs, so an app on the defaults needs no hash made at
 * boot, nor the Argon2 addon loaded before the first sign-in (measured: 3.3-3.5 MiB of a worker's idle memory,
 * the addon and the thread pool the hash ran on). Its password is unknown, and verifyDummy answers false anyway.
 */
const DEFAULT_DUMMY_DIGEST = '$argon2id$v=19$m=19456,t=2,p=1$t4FxmOe4eG7GavYbAQJZdQ$9MTVNuoufsX0xn8O7UUHwdvosNlT+7TVAhDhcmSn4UM';

let dummy: { key: string; digest: Promise<string> } | undefined;

/**
 * Verifies a password against a digest of a random one made with the current parameters, and answers
 * false: what a sign-in or reset does for an unknown user, so it takes as long as a wrong password.
 */
export async function verifyDummy(plain = ''): Promise<false> {
  const digest = dummyDigest();
  const text = typeof plain === 'string' && !passwordTooLong(plain) ? plain : '';
  await lib().verify(await digest, text).catch(() => false);
  return false;
}

/**
 * The dummy digest for the current parameters: DEFAULT_DUMMY_DIGEST on the defaults, else made once (in the
 * background at boot, so the first sign-in does not pay for it).
 */
export function dummyDigest(): Promise<string> {
  const key = `${settings.memoryCost}:${settings.timeCost}:${settings.parallelism}`;
  if (dummy?.key !== key) {
    const defaults = key === `${OWASP_MINIMUM.memoryCost}:${OWASP_MINIMUM.timeCost}:${OWASP_MINIMUM.parallelism}`;
    const digest = defaults ? Promise.resolve(DEFAULT_DUMMY_DIGEST) : lib().hash(randomBytes(16).toString('hex'), { algorithm: ARGON2ID, ...settings });
    digest.catch(() => undefined);
    dummy = { key, digest };
  }
  return dummy.digest;
}
