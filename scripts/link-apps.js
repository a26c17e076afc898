'use strict';
// Links the apps that live inside this repository (sample-app) to this checkout of the framework,
// as `stryke new` does for a new app: node_modules/stryke -> the repository root.
const { mkdirSync, symlinkSync, lstatSync, readlinkSync, rmSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
for (const app of ['sample-app']) {
  const modules = join(root, app, 'node_modules');
  const link = join(modules, 'stryke');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  // A link already in place is left alone: a running app (or test) never sees it missing.
  relink(link, relative(modules, root), 'dir');
  relink(join(modules, '.bin', 'stryke'), relative(join(modules, '.bin'), join(root, 'bin', 'stryke.js')));
}

function relink(link, target, type) {
  try {
    if (readlinkSync(link) === target) return;
  } catch {}
  try { lstatSync(link); rmSync(link, { recursive: true, force: true }); } catch {}
  symlinkSync(target, link, type);
}
