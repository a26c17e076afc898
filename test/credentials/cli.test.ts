import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stryke } from '../support/cli';

/**
 * A stand-in for $EDITOR: records where it was opened and with what permissions, then does what
 * EDIT_ACTION says (append lines from EDIT_TEXT, replace the file with it, or fail).
 */
const EDITOR_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
const file = process.argv[2];
const record = { file, dir: path.dirname(file), mode: fs.statSync(file).mode & 0o777, dirMode: fs.statSync(path.dirname(file)).mode & 0o777, before: fs.readFileSync(file, 'utf8') };
fs.writeFileSync(process.env.EDIT_RECORD, JSON.stringify(record));
const action = process.env.EDIT_ACTION;
if (action === 'fail') process.exit(3);
if (action === 'append') fs.appendFileSync(file, process.env.EDIT_TEXT);
if (action === 'replace') fs.writeFileSync(file, process.env.EDIT_TEXT);
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'stryke-credentials-test-'));
  const root = join(dir, 'app');
  mkdirSync(join(root, 'config'), { recursive: true });
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n');
  const editor = join(dir, 'editor.js');
  writeFileSync(editor, EDITOR_SOURCE);
  const recordFile = join(dir, 'record.json');
  const edit = (action: string, text = '', env: Record<string, string> = {}) =>
    stryke(['credentials', 'edit', '--root', root], { env: { EDITOR: `"${process.execPath}" "${editor}"`, VISUAL: '', EDIT_ACTION: action, EDIT_TEXT: text, EDIT_RECORD: recordFile, ...env } });
  const show = (env: Record<string, string> = {}) => stryke(['credentials', 'show', '--root', root], { env });
  const record = () => JSON.parse(readFileSync(recordFile, 'utf8')) as { file: string; dir: string; mode: number; dirMode: number; before: string };
  const enc = () => readFileSync(join(root, 'config', 'credentials.toml.enc'), 'utf8');
  return { dir, root, edit, show, record, enc };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0]!;
}

describe('stryke credentials edit and show', () => {
  it('creates the key and the file on first use, edits through a private temporary file, and encrypts every value', () => {
    const { root, edit, show, record, enc } = setup();
    const res = edit('append', '\n[aws]\naccess_key_id = "AKIAEXAMPLE"\nsecret_access_key = "wJalrXUtnFEMI-very-secret"\n');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Created config\/master\.key/);
    assert.match(res.stdout, /Saved config\/credentials\.toml\.enc/);

    // The key: 64 hex characters, readable by its owner only, and ignored by git.
    assert.match(readFileSync(join(root, 'config', 'master.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.equal(statSync(join(root, 'config', 'master.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^config\/master\.key$/m);

    // The editor got a file only its owner can read, in a folder only its owner can enter; both are gone.
    const r = record();
    assert.equal(r.mode, 0o600);
    assert.equal(r.dirMode, 0o700);
    assert.match(r.before, /^secret_key_base = "[0-9a-f]{128}"$/m, 'a new file holds a fresh secret_key_base');
    assert.equal(existsSync(r.file), false);
    assert.equal(existsSync(r.dir), false);

    // Keys readable, values not; nothing else written beside it.
    const text = enc();
    assert.match(text, /^\[aws\]$/m);
    assert.match(text, /^access_key_id = "enc:v1:[A-Za-z0-9+/=]+"$/m);
    assert.match(text, /^secret_key_base = "enc:v1:/m);
    assert.doesNotMatch(text, /AKIAEXAMPLE|wJalrXUtnFEMI/);
    assert.deepEqual(readdirSync(join(root, 'config')).sort(), ['credentials.toml.enc', 'master.key']);

    const shown = show();
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^\[aws\]\naccess_key_id = "AKIAEXAMPLE"\nsecret_access_key = "wJalrXUtnFEMI-very-secret"$/m);
  });

  it('changes only the lines of the values an edit changed', () => {
    const { edit, enc } = setup();
    assert.equal(edit('append', '\n[stripe]\nkey = "sk_1"\n').status, 0);
    const before = enc().split('\n');
    assert.equal(edit('append', '\n[github]\ntoken = "ghp_1"\n').status, 0);
    const after = enc().split('\n');
    const added = after.filter((l) => !before.includes(l));
    const removed = before.filter((l) => !after.includes(l));
    assert.deepEqual(removed, []);
    assert.deepEqual(added.filter((l) => l.trim()).map((l) => l.replace(/"enc:v1:.*"/, '"…"')), ['[github]', 'token = "…"']);
    // No edit at all: the file is not rewritten.
    const unchanged = edit('none');
    assert.equal(unchanged.status, 0);
    assert.match(unchanged.stdout, /No changes/);
    assert.equal(enc(), after.join('\n'));
  });

  it('keeps the old file and says why when the edit is not valid TOML, or the editor fails', () => {
    const { root, edit, record, enc } = setup();
    assert.equal(edit('append', '\napi_key = "one"\n').status, 0);
    const saved = enc();
    const bad = edit('append', '\nbroken = "no closing quote\n');
    assert.equal(bad.status, 1);
    assert.match(oneLine(bad.stderr), /^stryke: The edited credentials are not valid TOML \(.+\); config\/credentials\.toml\.enc was left as it was and the edit discarded\. .*\(STRYKE_E_CREDENTIALS_INVALID_EDIT\)$/);
    assert.equal(enc(), saved);
    assert.equal(existsSync(record().dir), false, 'the decrypted copy is removed after a failed edit too');

    const failed = edit('fail');
    assert.equal(failed.status, 1);
    assert.match(oneLine(failed.stderr), /exited with status 3; config\/credentials\.toml\.enc was left as it was\. \(STRYKE_E_CREDENTIALS_EDITOR_FAILED\)$/);
    assert.equal(enc(), saved);
    assert.equal(existsSync(record().dir), false);

    const none = stryke(['credentials', 'edit', '--root', root], { env: { EDITOR: '', VISUAL: '' } });
    assert.equal(none.status, 1);
    assert.match(oneLine(none.stderr), /set EDITOR \(or VISUAL\).*\(STRYKE_E_CREDENTIALS_NO_EDITOR\)$/);
  });

  it('fails with one line naming the file for a wrong key, a short key, a missing key, and a changed file', () => {
    const { root, edit, show, enc } = setup();
    assert.equal(edit('append', '\n[db]\npassword = "hunter2"\nuser = "app"\n').status, 0);
    const original = enc();

    const wrong = show({ STRYKE_MASTER_KEY: 'ab'.repeat(32) });
    assert.equal(wrong.status, 1);
    assert.match(oneLine(wrong.stderr), /^stryke: config\/credentials\.toml\.enc cannot be decrypted with the key from STRYKE_MASTER_KEY \(none of its 3 values decrypts\).*\(STRYKE_E_CREDENTIALS_UNREADABLE\)$/);
    assert.equal(wrong.stdout, '', 'no plaintext');

    const short = show({ STRYKE_MASTER_KEY: 'abc123' });
    assert.equal(short.status, 1);
    assert.match(oneLine(short.stderr), /^stryke: STRYKE_MASTER_KEY is not a master key: it must be 64 hexadecimal characters \(32 bytes\), and it has 6 characters\..*\(STRYKE_E_CREDENTIALS_BAD_KEY\)$/);

    const keyFile = join(root, 'config', 'master.key');
    const key = readFileSync(keyFile, 'utf8');
    writeFileSync(keyFile, 'not a key\n');
    const badFile = show();
    assert.match(oneLine(badFile.stderr), /config\/master\.key is not a master key.*not hexadecimal/);
    writeFileSync(keyFile, key);

    // One value's ciphertext changed: that key is named.
    const flipped = original.replace(/^(password = "enc:v1:)(.)/m, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    writeFileSync(join(root, 'config', 'credentials.toml.enc'), flipped);
    const tampered = show();
    assert.equal(tampered.status, 1);
    assert.match(oneLine(tampered.stderr), /config\/credentials\.toml\.enc cannot be decrypted with the key from config\/master\.key \(db\.password did not decrypt\)/);
    assert.doesNotMatch(tampered.stdout + tampered.stderr, /hunter2|"app"/);

    // Two values swapped between their keys: each is bound to its own key path.
    const password = /^password = (".*")$/m.exec(original)![1]!;
    const user = /^user = (".*")$/m.exec(original)![1]!;
    writeFileSync(join(root, 'config', 'credentials.toml.enc'), original.replace(password, 'P').replace(user, password).replace('password = P', `password = ${user}`));
    assert.match(oneLine(show().stderr), /db\.password, db\.user did not decrypt/);

    // A value written into the file by hand.
    writeFileSync(join(root, 'config', 'credentials.toml.enc'), `${original}\nplain = "oops"\n`);
    assert.match(oneLine(show().stderr), /plain holds a value that is not encrypted.*\(STRYKE_E_CREDENTIALS_NOT_ENCRYPTED\)$/);

    // No key at all.
    writeFileSync(join(root, 'config', 'credentials.toml.enc'), original);
    const { rmSync } = require('node:fs') as typeof import('node:fs');
    rmSync(keyFile);
    const missing = show();
    assert.match(oneLine(missing.stderr), /config\/credentials\.toml\.enc cannot be read without its key: set STRYKE_MASTER_KEY.*\(STRYKE_E_CREDENTIALS_KEY_MISSING\)$/);
    const noKeyEdit = edit('none');
    assert.equal(noKeyEdit.status, 1);
    assert.equal(existsSync(keyFile), false, 'edit does not make a new key for a file it cannot read');
    // The key from the environment works in its place.
    const fromEnv = show({ STRYKE_MASTER_KEY: key.trim() });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /password = "hunter2"/);
  });

  it('merges two branches that added different keys, through git, without a conflict', () => {
    const { root, edit, show } = setup();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
    assert.equal(edit('append', '\n[aws]\nregion = "eu-west-1"\n').status, 0);
    // What `stryke new` writes.
    writeFileSync(join(root, '.gitattributes'), readFileSync(join(__dirname, '..', '..', '..', 'schematics', 'app', 'gitattributes.ejs'), 'utf8').replace(/^---[\s\S]*?---\n/, ''));
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'credentials');
    git('checkout', '-qb', 'stripe');
    assert.equal(edit('append', '\n[stripe]\napi_key = "sk_live_1"\n').status, 0);
    assert.equal(edit('replace', 'secret_key_base = "x"\n[aws]\nregion = "eu-west-1"\nbucket = "b"\n[stripe]\napi_key = "sk_live_1"\n').status, 0);
    git('commit', '-qam', 'stripe');
    git('checkout', '-q', 'main');
    assert.equal(edit('append', '\n[sendgrid]\napi_key = "SG.1"\n').status, 0);
    assert.equal(edit('append', '\n[aws.s3]\nbucket2 = "c"\n').status, 0);
    git('commit', '-qam', 'sendgrid');
    git('merge', '-q', '--no-edit', 'stripe');
    const merged = show();
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stdout, /\[stripe\]\napi_key = "sk_live_1"/);
    assert.match(merged.stdout, /\[sendgrid\]\napi_key = "SG\.1"/);
    assert.match(merged.stdout, /bucket = "b"/);
    assert.match(merged.stdout, /\[aws\.s3\]\nbucket2 = "c"/);
    assert.match(merged.stdout, /^secret_key_base = "x"$/m);
  });
});
