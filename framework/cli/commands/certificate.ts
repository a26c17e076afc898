import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { appRoot } from '../app-root';
import { CliErrors } from '../errors';
import { action } from '../output';

const DIR = 'config/tls';

/**
 * `stryke certificate`: a self-signed certificate for development (localhost, 127.0.0.1, ::1), made with
 * openssl, in config/tls/ (kept out of git), and the lines of config/server.toml that serve it over HTTPS
 * and HTTP/2. Browsers warn about it (no authority signed it); a real certificate replaces it in production.
 */
export function registerCertificate(program: Command): void {
  program
    .command('certificate')
    .description('make a self-signed development certificate in config/tls/ for TLS and HTTP/2 (needs openssl)')
    .option('--root <dir>', 'the app directory (default: current)')
    .option('--force', 'replace an existing certificate')
    .addHelpText('after', '\nExamples:\n  stryke certificate\n  stryke certificate --force')
    .action(action(async (opts: { root?: string; force?: boolean }) => {
      const root = appRoot(opts.root);
      const cert = join(DIR, 'development.crt');
      const key = join(DIR, 'development.key');
      if (!opts.force && (existsSync(join(root, cert)) || existsSync(join(root, key)))) {
        throw CliErrors.BAD_OPTION(`${cert} already exists: pass --force to replace it`);
      }
      mkdirSync(join(root, DIR), { recursive: true });
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-keyout', join(root, key), '-out', join(root, cert)], { encoding: 'utf8' });
      if (made.error || made.status !== 0) {
        const why = made.error ? (made.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'openssl is not installed' : made.error.message : made.stderr.trim().split('\n').pop();
        throw CliErrors.BAD_OPTION(`could not make the certificate: ${why}. Install openssl, or name your own files as tls_cert and tls_key in config/server.toml`);
      }
      const gitignore = join(root, '.gitignore');
      const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
      if (!ignored.split('\n').some((l) => l.trim() === `/${DIR}/` || l.trim() === `${DIR}/`)) {
        writeFileSync(gitignore, `${ignored}${ignored && !ignored.endsWith('\n') ? '\n' : ''}/${DIR}/\n`);
      }
      console.log(`Wrote ${relative(process.cwd(), join(root, cert)) || cert} and ${relative(process.cwd(), join(root, key)) || key} (self-signed, for localhost; ignored by git).`);
      console.log('Serve it over HTTPS and HTTP/2 by adding to config/server.toml:\n');
      console.log(`tls_cert = "${cert}"\ntls_key = "${key}"\nhttp2 = true\n`);
    }));
}
