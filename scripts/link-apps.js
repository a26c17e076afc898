'use strict';
// Links the apps that live inside this repository (sample-app) to this checkout of the framework,
// as `stryke new` does for a new app: node_modules/stryke -> the repository root.
const { mkdirSync, symlinkSync, lstatSync, rmSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
for (const app of ['sample-app']) {
  const modules = join(root, app, 'node_modules');
  const link = join(modules, 'stryke');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  try { lstatSync(link); rmSync(link, { recursive: true, force: true }); } catch {}
  symlinkSync(relative(modules, root), link, 'dir');
  const bin = join(modules, '.bin', 'stryke');
  try { lstatSync(bin); rmSync(bin, { force: true }); } catch {}
  symlinkSync(relative(join(modules, '.bin'), join(root, 'bin', 'stryke.js')), bin);
}
