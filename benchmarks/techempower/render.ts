/**
 * In process, CPU time: the TechEmpower fortunes page (13 rows, view in layout) rendered by the ViewEngine as it
 * renders now (Handlebars' per-call setup made once and shared) against the same templates called as Handlebars
 * calls them by default (a helper table copied and wrapped on each of the two top-level calls, as before).
 * 20 path helpers stand in for an app's routes. Rounds interleaved; the median of the last four of five.
 *
 *   node build/benchmarks/techempower/render.js
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ViewEngine } from '../../framework/views';
import { REPO } from '../support';

const paths: Record<string, (...args: unknown[]) => string> = {};
for (let i = 0; i < 20; i++) paths[`thing${i}Path`] = () => `/things/${i}`;
const engine = new ViewEngine(join(REPO, 'benchmarks', 'techempower', 'app'), paths as any);
const internals = engine as any;
const hb = internals.hb;
const templates = internals.templates as Map<string, (context: unknown, options?: unknown) => string>;
const fortunes = Array.from({ length: 13 }, (_, i) => ({ id: i + 1, message: `fortune <b>${i}</b> & more` }));
const ctx = { csrfToken: () => 'x', flash: {}, currentUser: null };

function asBefore(): string {
  const data = { stryke: ctx, strykeContent: new Map(), strykeView: 'fortunes/index', strykeAssets: engine.assets };
  const context = { fortunes, flash: ctx.flash, currentUser: null };
  const body = templates.get('fortunes/index')!(context, { data });
  data.strykeContent.set('main', body);
  return templates.get('layouts/application')!({ ...context, yield: new hb.SafeString(body) }, { data });
}
const now = () => engine.render('fortunes/index', { fortunes }, ctx as any, 'application');

if (asBefore() !== now()) throw new Error('the two renders differ');
console.log(`helpers registered: ${Object.keys(hb.helpers).length}`);
const samples: Record<string, number[]> = { before: [], now: [] };
let sink = 0;
for (let round = 0; round < 5; round++) {
  for (const [name, fn] of [['before', asBefore], ['now', now]] as const) {
    const start = process.cpuUsage();
    for (let i = 0; i < 50_000; i++) sink += fn().length;
    const used = process.cpuUsage(start);
    if (round > 0) samples[name]!.push(((used.user + used.system) * 1000) / 50_000);
  }
}
for (const [name, v] of Object.entries(samples)) console.log(`${name}: ${v.sort((a, b) => a - b)[2]!.toFixed(0)} ns a page (median)`);
console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}${sink ? '' : ' '}`);
