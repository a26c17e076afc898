import type Handlebars from 'handlebars';
import { MemoryStore } from './memory-store';

/** The fragment store: this process's memory (a view renders synchronously, so it cannot wait on Redis). */
let fragments = new MemoryStore(10_000);
let fragmentTtl = 300_000;

export function configureFragments(max: number, ttl: number): void {
  fragments = new MemoryStore(max);
  fragmentTtl = ttl;
}

/** How many fragments this process holds (for tests and the docs' sizing advice). */
export function fragmentCount(): number {
  return fragments.size;
}

/**
 * One part of a fragment's key: a record gives `<Class>/<id>-<updatedAt in ms>`, so saving it (which moves
 * `updatedAt`) makes its old fragments unreachable; anything else gives its string form.
 */
function keyPart(value: unknown): string {
  if (value && typeof value === 'object') {
    const r = value as { id?: unknown; updatedAt?: unknown; updated_at?: unknown };
    const stamp = r.updatedAt ?? r.updated_at;
    const time = stamp instanceof Date ? stamp.getTime() : stamp === undefined || stamp === null ? '' : String(stamp);
    return `${value.constructor?.name ?? 'Object'}/${String(r.id)}-${time}`;
  }
  return String(value);
}

/**
 * `{{#cache "comments" post}}...{{/cache}}`: the block's HTML, rendered once and reused until `post` is saved
 * (its `updatedAt` is in the key) or the ttl ends (`ttl=60000` in ms; config/cache.toml `ttl` otherwise).
 * The key is the view's name, the given name and each further argument's key part. A block that wrote the
 * CSRF token (a form) is rendered every time and never stored: one visitor's token must not reach another.
 */
export function registerCacheHelper(hb: typeof Handlebars): void {
  hb.registerHelper('cache', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as Handlebars.HelperOptions;
    const data = options.data as { strykeView?: string; stryke?: { csrfToken(): string } } | undefined;
    const ttl = Number.isInteger(options.hash?.ttl) && options.hash.ttl > 0 ? (options.hash.ttl as number) : fragmentTtl;
    const key = `views/${data?.strykeView ?? ''}/${args.map(keyPart).join('/')}`;
    const hit = fragments.getSync(key);
    if (hit !== undefined) return new hb.SafeString(hit);
    let usedToken = false;
    const frame = hb.createFrame(data ?? {}) as typeof data & object;
    if (data?.stryke) {
      const outer = data.stryke;
      frame.stryke = Object.assign(Object.create(outer), {
        csrfToken: () => {
          usedToken = true;
          return outer.csrfToken();
        },
      });
    }
    const html = options.fn(this, { data: frame });
    if (!usedToken) fragments.setSync(key, html, ttl);
    return new hb.SafeString(html);
  });
}
