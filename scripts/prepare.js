'use strict';
// `npm install` runs this (the prepare script): links the apps inside this repository to this checkout, then
// compiles the framework, the sample app, the tests and the benchmarks with `tsc -b`. A first compile takes a
// minute or more, so each project says when it starts and how long it took, as the CLI's progress lines do
// (`compiling framework/ … done (21.4s)`); the compiler's errors pass through as it prints them.
const { spawn } = require('node:child_process');
const { relative, dirname, join } = require('node:path');

const root = join(__dirname, '..');
const tty = process.stdout.isTTY === true && process.env.TERM !== 'dumb';
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/** A step's line: written when it starts, ended with `done (1.2s)` (a turning spinner on a terminal). */
function begin(doing) {
  const started = Date.now();
  let timer;
  if (tty) {
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let i = 0;
    const draw = () => process.stdout.write(`\r\x1b[2K${frames[(i = (i + 1) % frames.length)]} ${doing}… ${seconds(Date.now() - started)}`);
    draw();
    timer = setInterval(draw, 100);
  } else {
    process.stdout.write(`${doing} … `);
  }
  const end = (ok) => {
    if (timer) clearInterval(timer);
    const outcome = `${ok ? 'done' : 'failed'} (${seconds(Date.now() - started)})`;
    if (tty) process.stdout.write(`\r\x1b[2K${ok ? '✔' : '✖'} ${doing} ${outcome}\n`);
    else process.stdout.write(end.interrupted ? `${doing} … ${outcome}\n` : `${outcome}\n`);
  };
  /** Something else is printed while the step runs: end its line first (the outcome then repeats the label). */
  end.interrupt = () => {
    if (end.interrupted) return;
    end.interrupted = true;
    if (timer) {
      clearInterval(timer);
      timer = undefined;
      process.stdout.write('\r\x1b[2K');
    } else process.stdout.write('\n');
  };
  return end;
}

const linked = begin('stryke: linking sample-app/ to this checkout');
require('./link-apps.js');
linked(true);

console.log('stryke: compiling TypeScript to build/ (tsc -b): the framework, the sample app, the tests and the benchmarks');
const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', '--verbose', '--pretty', 'false'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let current;
let pending = '';
const compiled = [];
tsc.stdout.setEncoding('utf8').on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const building = /- Building project '(.+)'\.\.\.$/.exec(line);
    if (building) {
      if (current) current(true);
      const name = relative(root, dirname(building[1])) || '.';
      compiled.push(name);
      current = begin(`  compiling ${name}/`);
    } else if (/error TS\d+/.test(line) || (line.trim() && !/^\d{1,2}:\d\d:\d\d (AM|PM) - |^\s+\* |^\s*$/.test(line))) {
      // The compiler's diagnostics, on a line of their own.
      if (current) current.interrupt();
      process.stderr.write(`${line}\n`);
    }
  }
});
tsc.on('close', (status) => {
  if (current) current(status === 0);
  if (status === 0) console.log(compiled.length ? `stryke: compiled ${compiled.length} project(s); \`npm start\` serves the sample app.` : 'stryke: build/ is up to date.');
  else console.error('stryke: the TypeScript compile failed (the errors are above).');
  process.exit(status ?? 1);
});
