import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, stryke } from '../support/cli';

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

/** The commands `stryke --help` lists, read from its "Commands:" section. */
function commandsOf(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1]!.split(/^\S/m)[0]!;
  return [...section.matchAll(/^ {2}([a-z][a-z:-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('stryke --help, --version and usage errors', () => {
  it('answers --help and every command\'s --help without loading the framework (no fastify, TypeORM, Handlebars)', () => {
    // A preloaded hook reports, at exit, which heavy packages the command loaded: --help must not wait for them.
    const dir = mkdtempSync(join(tmpdir(), 'stryke-help-'));
    const hook = join(dir, 'report.js');
    writeFileSync(hook, `process.on('exit', () => {
      const heavy = ['fastify', 'typeorm', 'handlebars', 'class-validator', 'bullmq', 'better-sqlite3', 'pg', 'mysql2', 'typescript'];
      const loaded = heavy.filter((p) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + p + '/')));
      require('node:fs').writeSync(2, 'LOADED:' + JSON.stringify(loaded) + '\\n');
    });`);
    for (const args of [['--help'], ['db', '--help'], ['db', 'migrate', '--help'], ['start', '--help'], ['routes', '--help'], ['jobs', '--help'], ['lint', '--help']]) {
      const res = spawnSync(process.execPath, ['-r', hook, join(REPO, 'bin', 'stryke.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^Usage: stryke/);
      assert.deepEqual(JSON.parse(/LOADED:(.*)/.exec(res.stderr)![1]!), [], `stryke ${args.join(' ')} loaded heavy packages`);
    }
  });

  it('lists every command with examples, and prints the version', () => {
    const help = stryke(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: stryke \[options\] \[command\]/);
    assert.match(help.stdout, /^Examples:$/m);
    const commands = commandsOf(help.stdout);
    for (const c of ['new', 'generate', 'destroy', 'console', 'db', 'start', 'server', 'dev', 'build', 'routes', 'test']) {
      assert.ok(commands.includes(c), `${c} is listed in:\n${help.stdout}`);
    }
    const version = stryke(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  });

  it('gives every command (and every db and jobs subcommand) a help page with examples', () => {
    const commands = commandsOf(stryke(['--help']).stdout);
    const db = commandsOf(stryke(['db', '--help']).stdout).map((c) => `db ${c}`);
    const jobs = commandsOf(stryke(['jobs', '--help']).stdout).map((c) => `jobs ${c}`);
    assert.ok(db.includes('db migrate'), db.join(', '));
    assert.ok(jobs.includes('jobs retry'), jobs.join(', '));
    for (const c of [...commands, ...db, ...jobs]) {
      const res = stryke([...c.split(' '), '--help']);
      assert.equal(res.status, 0, `${c} --help: ${res.stderr}`);
      assert.match(res.stdout, new RegExp(`^Usage: stryke ${c}`, 'm'), c);
      assert.match(res.stdout, /^Examples:\n {2}\S/m, `${c} --help has examples:\n${res.stdout}`);
    }
  });

  it('refuses an unknown command or option in one line naming the nearest, with exit 1', () => {
    const cases: [string[], RegExp][] = [
      [['gnerate'], /^stryke: Unknown command "gnerate"\. Did you mean "generate"\?.*\(STRYKE_E_CLI_UNKNOWN_COMMAND\)$/],
      [['consle'], /Did you mean "console"\?.*\(STRYKE_E_CLI_UNKNOWN_COMMAND\)$/],
      [['generate', 'model', 'Post', '--forse'], /^stryke: unknown option '--forse' \(Did you mean --force\?\) Run `stryke generate --help` for usage\. \(STRYKE_E_CLI_USAGE\)$/],
      [['destroy'], /^stryke: missing required argument 'generator'\. Run `stryke destroy --help` for usage\. \(STRYKE_E_CLI_USAGE\)$/],
      [['new', 'x', '--databse', 'pg'], /Did you mean --database\?.*\(STRYKE_E_CLI_USAGE\)$/],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'stryke-help-'));
    for (const [args, expected] of cases) {
      const res = stryke(args, { cwd: dir });
      assert.equal(res.status, 1, args.join(' '));
      assert.equal(res.stdout, '', args.join(' '));
      assert.match(oneLine(res.stderr), expected);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing was written');
  });

  it('colours the status words on a terminal, and not when NO_COLOR is set', () => {
    const { NO_COLOR: _unset, ...env } = process.env;
    const dir = mkdtempSync(join(tmpdir(), 'stryke-tty-'));
    // script(1) runs the command on a pseudo-terminal.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO, 'bin/stryke.js'))} new`;
    const tty = spawnSync('script', ['-qec', `${cmd} coloured --skip-install`, '/dev/null'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(tty.status, 0, tty.stdout);
    assert.match(tty.stdout, /\x1b\[32m +create\x1b\[0m {2}package\.json/);
    const off = spawnSync('script', ['-qec', `${cmd} uncoloured --skip-install`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
    assert.equal(off.status, 0, off.stdout);
    assert.match(off.stdout, /create {2}package\.json/);
    assert.doesNotMatch(off.stdout, /\x1b\[[\d;]*m/, 'no colour (the progress line still redraws itself: that is not colour)');
  });

  it('prints no colour codes when the output is not a terminal', () => {
    const { NO_COLOR: _unset, ...env } = process.env;
    const dir = mkdtempSync(join(tmpdir(), 'stryke-colour-'));
    // stryke() sets NO_COLOR; this run leaves it out, so only the missing terminal keeps colour off.
    const res = spawnSync(process.execPath, [join(REPO, 'bin/stryke.js'), 'new', 'plain', '--skip-install'], {
      cwd: dir, encoding: 'utf8', env,
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /create {2}package\.json/);
    assert.doesNotMatch(res.stdout, /\x1b\[/);
  });
});
