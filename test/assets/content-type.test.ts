import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { COMMON_TYPES, contentType } from '../../framework/assets/files';

/** A static file's Content-Type: the common web types from a table of their own, every other from mime-types. */
describe('assets: content types', () => {
  it('answers the common extensions exactly as mime-types does, in any case, and the rest through it', () => {
    const mime = require('mime-types') as { lookup(p: string): string | false; contentType(t: string): string | false };
    const viaMime = (p: string) => {
      const t = mime.lookup(p);
      return t ? (mime.contentType(t) || t) : 'application/octet-stream';
    };
    for (const ext of COMMON_TYPES.keys()) {
      for (const path of [`a.${ext}`, `dir/b.min.${ext}`, `C.${ext.toUpperCase()}`, `assets/app-0123456789abcdef.${ext}`]) assert.equal(contentType(path), viaMime(path), path);
    }
    for (const path of ['report.csv', 'notes.md', 'archive.zip', 'a.unknownext', 'README', '.css', 'dir.d/file', 'x/.hidden.js', 'font.eot']) assert.equal(contentType(path), viaMime(path), path);
  });

  it('needs no mime-db for a common type', () => {
    const child = spawnSync(process.execPath, ['-e', `
      const { contentType } = require(${JSON.stringify(require.resolve('../../framework/assets/files'))});
      const types = ['app.css', 'app.js', 'favicon.svg', 'logo.png', 'site.webmanifest'].map(contentType);
      console.log(JSON.stringify({ types, mime: Object.keys(require.cache).some((f) => /node_modules\\/mime-(types|db)\\//.test(f)) }));
    `], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      types: ['text/css; charset=utf-8', 'text/javascript; charset=utf-8', 'image/svg+xml', 'image/png', 'application/manifest+json; charset=utf-8'],
      mime: false,
    });
  });
});
