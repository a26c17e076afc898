import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { walkFiles } from '../support';

/** The comment that allows the raw output on its line or the next: `{{! stryke-lint allow-raw: why }}`. */
export const ALLOW_RAW = /stryke-lint\s+allow-raw/;

export interface RawOutput {
  /** `app/views/posts/show.hbs`, relative to the app. */
  file: string;
  line: number;
  column: number;
  /** The mustache as written: `{{{post.html}}}`. */
  source: string;
  /** The reason given in the allowing comment, when there is one. */
  allowed?: string;
}

export interface LintResult {
  raw: RawOutput[];
  /** Templates that do not parse, each `file:line: message`. */
  errors: string[];
  files: number;
}

/**
 * Finds every unescaped output (`{{{ }}}` and `{{& }}`) in an app's views, with file, line and column.
 * Parsing (not a regex) means mustaches inside comments and raw blocks are not counted.
 */
export function lintViews(root: string): LintResult {
  const dir = join(root, 'app', 'views');
  const result: LintResult = { raw: [], errors: [], files: 0 };
  if (!existsSync(dir)) return result;
  for (const path of walkFiles(dir, (n) => n.endsWith('.hbs'))) {
    const file = relative(root, path).split(sep).join('/');
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    result.files++;
    let ast: hbs.AST.Program;
    try {
      ast = Handlebars.parse(text);
    } catch (err) {
      const line = /line (\d+)/.exec((err as Error).message)?.[1] ?? '1';
      result.errors.push(`${file}:${line}: does not parse: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const allows = new Map<number, string>();
    const found: RawOutput[] = [];
    const visit = (node: any): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(visit);
      if (node.type === 'CommentStatement' && ALLOW_RAW.test(node.value)) {
        const reason = String(node.value).replace(/^[\s\S]*?allow-raw:?\s*/, '').trim() || 'allowed';
        allows.set(node.loc.end.line, reason);
        allows.set(node.loc.end.line + 1, reason);
      }
      if (node.type === 'MustacheStatement' && node.escaped === false) {
        const { start, end } = node.loc;
        const source = start.line === end.line ? lines[start.line - 1]!.slice(start.column, end.column) : lines[start.line - 1]!.slice(start.column);
        found.push({ file, line: start.line, column: start.column + 1, source });
      }
      for (const key of ['body', 'program', 'inverse']) if (key in node) visit(node[key]);
    };
    visit(ast);
    for (const f of found) {
      const reason = allows.get(f.line);
      result.raw.push(reason ? { ...f, allowed: reason } : f);
    }
  }
  return result;
}
