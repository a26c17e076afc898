#!/usr/bin/env node
// Summarizes a conformance run's JSON report: node summary.mjs <label> [--failures] [--compare <label>]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// `a+b`: report b's files replace a's (a file re-run on its own after a full run).
const load = (label) => {
  const files = new Map();
  for (const part of label.split('+')) {
    for (const f of JSON.parse(readFileSync(join(here, 'results', `${part}.json`), 'utf8')).testResults) files.set(f.name.replace(/.*\/tests\//, ''), f);
  }
  return { testResults: [...files.values()] };
};
const outcomes = (report) => {
  const m = new Map();
  for (const file of report.testResults) {
    for (const t of file.assertionResults) {
      let key = `${file.name.replace(/.*\/tests\//, '')} > ${t.fullName}`;
      for (let n = 2; m.has(key); n++) key = `${key.replace(/ #\d+$/, '')} #${n}`;
      m.set(key, t.status);
    }
  }
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
