#!/usr/bin/env node
// Summarizes a conformance run's JSON report: node summary.mjs <label> [--failures] [--compare <label>]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const load = (label) => JSON.parse(readFileSync(join(here, 'results', `${label}.json`), 'utf8'));
const outcomes = (report) => {
  const m = new Map();
  for (const file of report.testResults) for (const t of file.assertionResults) m.set(`${file.name.replace(/.*\/tests\//, '')} > ${t.fullName}`, t.status);
  return m;
};
const label = args[0];
const report = load(label);
const res = outcomes(report);
const count = (s) => [...res.values()].filter((v) => v === s).length;
console.log(`${label}: ${count('passed')} passed / ${count('failed')} failed / ${count('skipped') + count('pending') + count('todo')} skipped (${res.size} tests)`);
if (args.includes('--failures')) for (const [k, v] of res) if (v === 'failed') console.log(`  FAIL ${k}`);
const ci = args.indexOf('--compare');
if (ci >= 0) {
  const ref = outcomes(load(args[ci + 1]));
  const extra = [...res].filter(([k, v]) => v === 'failed' && ref.get(k) !== 'failed');
  console.log(`failing here but not on ${args[ci + 1]}: ${extra.length}`);
  for (const [k] of extra) console.log(`  ${k}`);
}
