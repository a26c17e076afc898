/** How `stryke build` wraps `server-bundle.js` (a function expression the loader below compiles and calls). */
export const CODE_CACHE_WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '\n})'] as const;

/**
 * The text of `dist/server.js` when `stryke build` writes the server bundle with V8's code cache: it compiles
 * `server-bundle.js` with the cached code of an earlier run (`server-bundle.cache`), runs it as the module it
 * would have been, and, when there was no cache or V8 refused it (another bundle, another node), writes one a
 * few seconds after start, once the boot's functions are compiled. A folder it cannot write is no error. The bundle
 * runs with this file's own `module` and `require` (the same folder, so the same resolution): nothing of node's
 * module internals is rebuilt by hand.
 */
export const CODE_CACHE_LOADER = `'use strict';
const { readFileSync, writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const vm = require('node:vm');
const file = join(__dirname, 'server-bundle.js');
const cacheFile = join(__dirname, 'server-bundle.cache');
// server-bundle.js is written as one function expression (the module wrapper included), so its text is compiled as
// read: no second copy of the source made by wrapping it here. The cache's buffer is dropped once compiled.
function compile() {
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch {}
  const script = new vm.Script(readFileSync(file, 'utf8'), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) writeCacheLater(script);
  return script.runInThisContext();
}
function writeCacheLater(script) {
  setTimeout(() => {
    try {
      const partial = cacheFile + '.' + process.pid;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {}
  }, Number(process.env.STRYKE_CODE_CACHE_DELAY_MS || 5000)).unref();
}
// The bundle runs as this module's body: its require (node's own, resolving from dist/ as the bundle's file would) and
// its module object, whose search paths the bundle's banner extends.
compile().call(module.exports, module.exports, require, module, file, __dirname);
`;
