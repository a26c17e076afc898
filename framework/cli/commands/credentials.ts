import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  CREDENTIALS_FILE, CredentialsErrors, createCredentials, openCredentials, parseToml, readMasterKey, stringifyToml, writeCredentials,
  type Credentials,
} from '../../credentials';
import { appRoot } from '../app-root';
import { action } from '../output';

const EDIT_HEADER = [
  '# stryke credentials, decrypted for editing. Save and close the editor to encrypt them again into',
  '# config/credentials.toml.enc; this file is removed then. TOML: `key = "value"`, tables as [aws].',
  '# Read them as config.credentials.<key>, or ${credentials:<key>} in another config/*.toml. Comments are not kept.',
  '',
].join('\n');

/** Keeps config/master.key out of git: adds it to the app's .gitignore when that does not list it. */
function ignoreKey(root: string, log: (line: string) => void): void {
  const file = join(root, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/^\/?config\/master\.key$/m.test(text)) return;
  appendFileSync(file, `${text && !text.endsWith('\n') ? '\n' : ''}# Decrypts config/credentials.toml.enc: never committed.\nconfig/master.key\n`);
  log('Added config/master.key to .gitignore');
}

/** The app's credentials and key; a first run creates both (a new key, and a secret_key_base). */
function open(root: string, log: (line: string) => void) {
  let key = readMasterKey(root);
  const hasFile = existsSync(join(root, CREDENTIALS_FILE));
  if (!key && hasFile) throw CredentialsErrors.KEY_MISSING();
  if (!key) {
    createCredentials(root);
    ignoreKey(root, log);
    log('Created config/master.key (keep it safe and out of git; servers take it as STRYKE_MASTER_KEY) and config/credentials.toml.enc');
    key = readMasterKey(root)!;
  } else if (!hasFile) {
    writeCredentials(root, key, { secret_key_base: randomBytes(64).toString('hex') });
  }
  return { key, current: openCredentials(root, key) };
}

/** Runs the editor on `file` through the shell, so EDITOR may carry arguments (`code --wait`). */
function runEditor(file: string): void {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw CredentialsErrors.NO_EDITOR();
  // Ctrl-C belongs to the editor meanwhile: this process must live to remove the decrypted file.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const res = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'stryke-editor', file], { stdio: 'inherit' });
    if (res.error) throw CredentialsErrors.EDITOR_FAILED(editor, `could not start (${res.error.message})`);
    if (res.status !== 0) throw CredentialsErrors.EDITOR_FAILED(editor, res.signal ? `was stopped by ${res.signal}` : `exited with status ${res.status}`);
  } finally {
    process.off('SIGINT', ignore);
  }
}

/**
 * `stryke credentials edit`: decrypts into a file readable by its owner only, in a private temporary folder,
 * opens the editor on it, checks the TOML, encrypts it back (unchanged values keep their ciphertext), and
 * removes the folder whatever happened. An invalid edit leaves config/credentials.toml.enc as it was.
 */
function edit(root: string, log: (line: string) => void): void {
  const { key, current } = open(root, log);
  const dir = mkdtempSync(join(tmpdir(), 'stryke-credentials-')); // mode 0700
  try {
    const file = join(dir, 'credentials.toml');
    const before = EDIT_HEADER + stringifyToml(current.plain);
    writeFileSync(file, before, { mode: 0o600, flag: 'wx' });
    runEditor(file);
    const after = readFileSync(file, 'utf8');
    if (after === before) {
      log('No changes: config/credentials.toml.enc is as it was.');
      return;
    }
    let plain;
    try {
      plain = parseToml(after);
    } catch (err) {
      throw CredentialsErrors.INVALID_EDIT((err as Error).message.split('\n')[0]);
    }
    writeCredentials(root, key, plain, current as Credentials);
    log(`Saved config/credentials.toml.enc (encrypted with ${key.source}).`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerCredentials(program: Command): void {
  const credentials = program
    .command('credentials')
    .description('the encrypted credentials (config/credentials.toml.enc): edit or show them');

  credentials
    .command('edit')
    .description('decrypt into $EDITOR, then encrypt again (creates the key and the file on first use)')
    .option('--root <dir>', 'the app directory (default: current)')
    .action(action((opts: { root?: string }) => edit(appRoot(opts.root), (line) => console.log(line))));

  credentials
    .command('show')
    .description('print the decrypted credentials (TOML)')
    .option('--root <dir>', 'the app directory (default: current)')
    .action(action((opts: { root?: string }) => {
      const root = appRoot(opts.root);
      const key = readMasterKey(root);
      if (!existsSync(join(root, CREDENTIALS_FILE))) {
        console.log('# No config/credentials.toml.enc yet: `stryke credentials edit` creates it.');
        return;
      }
      if (!key) throw CredentialsErrors.KEY_MISSING();
      process.stdout.write(stringifyToml(openCredentials(root, key).plain));
    }));
}
