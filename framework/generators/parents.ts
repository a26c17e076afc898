import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { camelize } from '../support';
import { requiredAttributes, type GeneratedField } from './fields';

/** A model a generated test must create first, and how. */
export interface ParentSetup {
  /** Statements that create the records, parents before children: `const author = await Author.create({ ... });` */
  lines: string[];
  /** The models those statements use (for the test's imports). */
  imports: { className: string; fileName: string }[];
  /** Whether the lines use the `sequence` counter (unique values per record). */
  usesSequence: boolean;
}

/** The required `@BelongsTo` associations of a model, read from its source as `stryke generate` writes it. */
function requiredParents(source: string): { property: string; className: string; fileName: string; foreignKey: string }[] {
  const out: { property: string; className: string; fileName: string; foreignKey: string }[] = [];
  const required = new Set(requiredAttributeNames(source));
  for (const m of source.matchAll(/@BelongsTo\(\(\) => ([A-Za-z_$][\w$]*)(?:,\s*\{\s*foreignKey:\s*'([\w$]+)'\s*\})?\)\s+([A-Za-z_$][\w$]*)[!?]?:/g)) {
    const [, className, fk, property] = m as unknown as [string, string, string | undefined, string];
    const foreignKey = fk ?? `${property}Id`;
    if (!required.has(foreignKey)) continue;
    const imp = new RegExp(`import \\{[^}]*\\b${className}\\b[^}]*\\} from '\\./([\\w-]+)'`).exec(source);
    out.push({ property, className, fileName: imp?.[1] ?? className.toLowerCase(), foreignKey });
  }
  return out;
}

/** The presence-validated properties of a model source. */
function requiredAttributeNames(source: string): string[] {
  const names: string[] = [];
  let pending = '';
  for (const line of source.split('\n')) {
    const prop = /^\s*((?:@.*\)\s+)?)(?:readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)[!?]?:\s*([^;=]+);/.exec(line);
    if (!prop) {
      pending = /^\s*@/.test(line) ? `${pending}${line}\n` : '';
      continue;
    }
    if (/presence:\s*true/.test(pending + prop[1]!)) names.push(prop[2]!);
    pending = '';
  }
  return names;
}

/**
 * The records a test of a model with these fields creates first: each `references` field's model, and,
 * read from the models' sources, the models those require in turn (an Article belonging to an Author).
 * String values carry a counter, so unique columns stay unique when a test creates several records.
 */
export function parentSetup(fields: GeneratedField[], root: string, self: string): ParentSetup {
  const lines: string[] = [];
  const imports = new Map<string, string>();
  const made = new Map<string, string>(); // className -> the variable holding its record
  let usesSequence = false;

  const create = (className: string, fileName: string, variable: string, depth: number): string => {
    const known = made.get(className);
    if (known) return known;
    const file = join(root, 'app', 'models', `${fileName}.ts`);
    const source = existsSync(file) && className !== self ? readFileSync(file, 'utf8') : '';
    const attrs = requiredAttributes(source).map((a) => a.replace(/: '(Example [^']*)'$/, (_all, text: string) => {
      usesSequence = true;
      return `: \`${text} \${sequence}\``;
    }));
    if (depth < 5) {
      for (const p of requiredParents(source)) {
        if (p.className === className) continue;
        const v = create(p.className, p.fileName, camelize(p.property), depth + 1);
        attrs.push(`${p.foreignKey}: ${v}.id`);
      }
    }
    if (!source && className !== self) lines.push(`// app/models/${fileName}.ts did not exist when this test was generated: give ${className} what it needs.`);
    let name = variable;
    for (let i = 2; [...made.values()].includes(name); i++) name = `${variable}${i}`;
    lines.push(`const ${name} = await ${className}.create({${attrs.length ? ` ${attrs.join(', ')} ` : ''}});`);
    made.set(className, name);
    if (className !== self) imports.set(className, fileName);
    return name;
  };

  for (const f of fields) {
    if (!f.reference) continue;
    const v = create(f.reference.className, f.reference.fileName, f.reference.property, 0);
    // The field's sample value reads `<property>.id`.
    if (v !== f.reference.property) lines.push(`const ${f.reference.property} = ${v};`);
  }
  if (usesSequence) lines.unshift('sequence += 1;');
  return { lines, imports: [...imports].map(([className, fileName]) => ({ className, fileName })), usesSequence };
}
