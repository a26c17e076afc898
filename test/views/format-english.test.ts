import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ViewEngine } from '../../framework/views';

/**
 * `timeAgo`, `formatNumber` and `pluralize` write English without building an Intl formatter (which loads ICU's
 * locale data into the process); what they write must stay exactly what Intl writes.
 */
describe('views: English numbers and relative times, written as Intl writes them', () => {
  const root = mkdtempSync(join(tmpdir(), 'stryke-format-en-'));
  mkdirSync(join(root, 'app', 'views', 't'), { recursive: true });
  writeFileSync(join(root, 'app', 'views', 't', 'ago.hbs'), '{{#each dates}}{{timeAgo this}}\n{{/each}}');
  writeFileSync(join(root, 'app', 'views', 't', 'ago-de.hbs'), '{{#each dates}}{{timeAgo this locale="de"}}\n{{/each}}');
  writeFileSync(join(root, 'app', 'views', 't', 'num.hbs'), '{{#each nums}}{{formatNumber this}}|{{formatNumber this decimals=0}}|{{pluralize this "comment"}}\n{{/each}}');
  const views = new ViewEngine(root, {});
  const render = (name: string, locals: Record<string, unknown>) => views.render(name, locals, { flash: {} } as never, false).trim().split('\n');
  const words = (line: string) => /<time[^>]*>([^<]*)<\/time>/.exec(line)![1]!.replace(/&#x27;/g, "'");

  it('formatNumber and pluralize: whole numbers, negative, large, fractions and -0, as Intl.NumberFormat("en")', () => {
    const nums = [0, -0, 1, -1, 7, 12, 999, 1000, -1000, 1234, 99999, 100000, 123456, 1234567, -987654321, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, -1234.25, 0.1];
    const en = new Intl.NumberFormat('en', { maximumFractionDigits: 20 });
    const en0 = new Intl.NumberFormat('en', { minimumFractionDigits: 0, maximumFractionDigits: 0 });
    assert.deepEqual(
      render('t/num', { nums }),
      nums.map((n) => `${en.format(n)}|${en0.format(n)}|${en.format(n)} ${n === 1 ? 'comment' : 'comments'}`),
    );
  });

  it('timeAgo: every unit and distance, past and future, as Intl.RelativeTimeFormat("en", { numeric: "auto" })', () => {
    const now = Date.now();
    const offsets: number[] = [];
    // Seconds from under a minute to beyond a thousand years, both ways, on each unit's boundaries.
    for (const s of [44, 45, 60, 89, 90, 3000, 3239, 3240, 3600, 5399, 5400, 77760, 86400, 129599, 129600, 2332800, 2592000, 3888000, 28382400, 31536000, 47304000, 63072000, 31536000 * 1234]) {
      offsets.push(s, -s);
    }
    for (let m = 1; m < 4000; m += 7) offsets.push(m * 60, -m * 60, m * 3600, -m * 3600, m * 86400, -m * 86400);
    // A margin of a few seconds either side of each offset, so the clock moving between here and the render cannot change a unit.
    const dates = offsets.map((s) => new Date(now + s * 1000 + (s > 0 ? 2000 : -2000)));
    const got = render('t/ago', { dates }).map(words);
    const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
    const units: [Intl.RelativeTimeFormatUnit, number][] = [['minute', 60], ['hour', 3600], ['day', 86400], ['month', 2_592_000], ['year', 31_536_000]];
    const expected = dates.map((d) => {
      const secs = Math.round((d.getTime() - now) / 1000);
      const abs = Math.abs(secs);
      if (abs < 45) return secs <= 0 ? 'just now' : 'in a few seconds';
      let unit = units[0]!;
      for (const u of units) if (abs >= u[1] * 0.9) unit = u;
      return rtf.format(Math.round(secs / unit[1]), unit[0]);
    });
    assert.deepEqual(got, expected);
    assert.ok(got.includes('yesterday') && got.includes('tomorrow') && got.includes('last year') && got.includes('next month') && got.includes('in 8 minutes') && got.includes('1,234 years ago'));
  });

  it('another locale still goes through Intl', () => {
    const [line] = render('t/ago-de', { dates: [new Date(Date.now() - 86400_000 - 2000)] });
    assert.equal(words(line!), 'gestern');
  });
});
