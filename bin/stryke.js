#!/usr/bin/env node
'use strict';
// The stryke command line. The TypeScript sources compile to build/ on `npm install` (the prepare script).
try {
  require('../build/framework/cli/bin.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('cli/bin.js')) {
    console.error('stryke: the framework is not built. Run `npm install` (or `npm run build`) in ' + require('node:path').resolve(__dirname, '..'));
    process.exit(1);
  }
  throw err;
}
