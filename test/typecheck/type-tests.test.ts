import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

// The type tests (test/types) are compiled, never run: this proves they are in the build, and that the
// build fails when one of their `@ts-expect-error` lines stops being an error (as when an `any` creeps back).
const root = resolve(__dirname, '../../..');
const source = join(root, 'test', 'types');

describe('type tests', () => {
  it('are part of the root build, and each file has @ts-expect-error cases', () => {
    const refs = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).references.map((r: { path: string }) => r.path);
    assert.ok(refs.includes('test/types'), 'tsconfig.json references test/types');
    const files = readdirSync(source).filter((f) => f.endsWith('.types.ts'));
    assert.ok(files.length >= 4, files.join(', '));
    for (const f of files) assert.match(readFileSync(join(source, f), 'utf8'), /@ts-expect-error/, f);
  });

  it('fail to compile when an expected error stops being one, and on nothing else', () => {
    // A copy inside the repository (so `stryke` resolves to this checkout), plus one stale directive.
    const dir = join(root, 'build', `type-tests-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const f of readdirSync(source)) if (f.endsWith('.ts')) copyFileSync(join(source, f), join(dir, f));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true, incremental: false, rootDir: '.' },
        include: ['*.ts'],
      }));
      writeFileSync(join(dir, 'stale.types.ts'), [
        "import { Article } from './app';",
        '// @ts-expect-error: not an error: a field that exists',
        "Article.where({ title: 'x' });",
        '',
      ].join('\n'));
      const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      const errors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
      assert.notEqual(tsc.status, 0, tsc.stdout + tsc.stderr);
      assert.deepEqual(errors.map((l) => l.replace(/^.*[\\/]/, '')), ["stale.types.ts(2,1): error TS2578: Unused '@ts-expect-error' directive."]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
