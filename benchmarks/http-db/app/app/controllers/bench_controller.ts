import { ActionController, Controller, Get, gte } from 'stryke';
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

/**
 * The TechEmpower database tests through stryke's model layer, written as an app would write them:
 * records found by id and rendered as JSON, fortunes rendered through a handlebars view in the layout.
 */
@Controller('/')
export class BenchController extends ActionController {
  /** Single query: one random World row. */
  @Get('/db')
  async db() {
    return this.json(await World.find(randomId()));
  }

  /**
   * Multiple queries: N random rows, a query each (the test requires it), issued together as the fastify
   * peer issues them (on PostgreSQL they spread over the pool's connections).
   */
  @Get('/queries')
  async queries() {
    const n = queryCount(this.params.queries);
    const finds = new Array<Promise<World>>(n);
    for (let i = 0; i < n; i++) finds[i] = World.find(randomId());
    return this.json(await Promise.all(finds));
  }

  /** Multi-row: 20 rows read by one query, from a random starting id. */
  @Get('/multi')
  async multi() {
    const from = Math.floor(Math.random() * (ROWS - 20)) + 1;
    return this.json(await World.where({ id: gte(from) }).order('id').limit(20).toArray());
  }

  /** Fortunes: every row plus one added at request time, sorted by message, escaped by the view. */
  @Get('/fortunes')
  async fortunes() {
    const fortunes: { id: number; message: string }[] = await Fortune.all();
    fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
    fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    return this.render('fortunes/index', { fortunes });
  }
}
