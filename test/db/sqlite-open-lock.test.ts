import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { until } from '../support/cli';

/**
 * Opening a SQLite file puts it in WAL mode, which takes the file's write lock. SQLite refuses that at once,
 * without waiting busy_timeout, while another process holds the write lock: two `stryke start` workers booting
 * on a new file together met it (one failed "database is locked", and the primary stopped before serving).
 * Here the other process is this test, holding a write transaction on a file in rollback mode.
 */

const root = resolve(__dirname, '../../../test/fixtures/blog');
const dir = mkdtempSync(join(tmpdir(), 'stryke-sqlite-open-'));
process.env.SECRET_KEY_BASE ??= 'x'.repeat(64);
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether process `pid` has `file` open. */
function holds(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('SQLite: opening a file another process is writing', () => {
  it('waits for the write lock (within busy_timeout) to switch the file to WAL, instead of failing the boot', async () => {
    const file = join(dir, 'held.sqlite3');
    const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): unknown; close(): unknown };
    const holder = new Database(file);
    holder.exec('CREATE TABLE held (x INTEGER)');
    holder.exec('BEGIN IMMEDIATE');
    holder.exec('INSERT INTO held VALUES (1)');
    const child = spawn(process.execPath, [join(__dirname, 'sqlite-open-child.js'), root, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    const exited = once(child, 'exit');
    try {
      // Once the booting process has the file open it switches it to WAL: give it a moment to meet the lock.
      await until(() => holds(child.pid!, file) || child.exitCode !== null, undefined, 'the file opened by the booting process');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
    const [code] = await exited;
    assert.equal(output.trim(), 'booted wal');
    assert.equal(code, 0);
  });
});
