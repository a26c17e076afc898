import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * `stryke start`'s primary boots with V8's optimizing compiler held (cli/primary-tiering.ts) and must get it back
 * once a worker is ready: a primary that relays channel messages or rate-limit counters under load is optimized
 * as any process is. Checked in a process of its own (V8's flags are the process's), with V8's own status bits.
 */
const PROBE = `
const v8 = require('node:v8');
v8.setFlagsFromString('--allow-natives-syntax');
const cluster = require('node:cluster');
const tiering = require(${JSON.stringify(require.resolve('../../framework/cli/primary-tiering'))});
const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0');
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
const run = () => { for (let i = 0; i < 3000; i++) hot(1000); };
tiering.holdOptimizingCompiler();
tiering.releaseOptimizingCompilerOnReady();
run();
const held = optimized(hot);
cluster.emit('message', {}, { type: 'stryke:other' });
run();
const stillHeld = optimized(hot);
cluster.emit('message', {}, { type: 'stryke:ready' });
const deadline = Date.now() + 20000;
const poll = () => {
  run();
  if (optimized(hot) || Date.now() > deadline) console.log(JSON.stringify({ held, stillHeld, released: optimized(hot) }));
  else setTimeout(poll, 50);
};
poll();
`;

describe("stryke start's primary: the optimizing compiler held while it boots", () => {
  it('compiles nothing optimized until a worker is ready, then optimizes hot code again', () => {
    const child = spawnSync(process.execPath, ['-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { held: false, stillHeld: false, released: true });
  });
});
