import { ActionController, Controller, Get, cache } from 'stryke';
import { Fortune } from '../models/fortune';
import { World } from '../models/world';

const ROWS = 10_000;

function randomId(): number {
  return Math.floor(Math.random() * ROWS) + 1;
}

/** TechEmpower's `queries` parameter: a count from 1 to 500; anything else (missing, not a number) is 1. */
function queryCount(value: unknown): number {
  const n = Number.parseInt(String(value ?? ''), 10);
  return Number.isNaN(n) ? 1 : Math.min(500, Math.max(1, n));
}

/** The seven TechEmpower tests, written as an app would write them with stryke's controllers, models, views and cache. */
@Controller('/')
export class BenchController extends ActionController {
  @Get('/plaintext')
  plaintext() {
    this.reply.header('content-type', 'text/plain');
    return 'Hello, World!';
  }

  @Get('/json')
  jsonTest() {
    return { message: 'Hello, World!' };
  }

  @Get('/db')
  async db() {
    return this.json(await World.find(randomId()));
  }

  @Get('/queries')
  async queries() {
    const n = queryCount(this.params.queries);
    const finds = new Array<Promise<World>>(n);
    for (let i = 0; i < n; i++) finds[i] = World.find(randomId());
    return this.json(await Promise.all(finds));
  }

  @Get('/fortunes')
  async fortunes() {
    const fortunes: { id: number; message: string }[] = await Fortune.all();
    fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
    fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    return this.render('fortunes/index', { fortunes });
  }

  /**
   * Updates: N rows read one by one, each given a new random number, and written back in one statement by
   * `upsertAll` (a row read twice is written once, with its last number, as the answer shows it).
   */
  @Get('/updates')
  async updates() {
    const n = queryCount(this.params.queries);
    const worlds = await Promise.all(Array.from({ length: n }, () => World.find(randomId())));
    for (const w of worlds) w.randomNumber = randomId();
    await World.upsertAll(worlds.map((w) => ({ id: w.id, randomNumber: w.randomNumber })));
    return this.json(worlds);
  }

  /** Cached queries: N rows through `cache.fetch` (config/cache.toml: the in-process store by default), kept 10 minutes as every peer keeps them. */
  @Get('/cached-queries')
  async cachedQueries() {
    const n = queryCount(this.params.count);
    const rows = new Array<Promise<unknown>>(n);
    for (let i = 0; i < n; i++) {
      const id = randomId();
      rows[i] = cache.fetch(`world/${id}`, { ttl: 600_000 }, async () => (await World.find(id)).toJSON());
    }
    return this.json(await Promise.all(rows));
  }
}
