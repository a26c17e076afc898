import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { camelize } from '../support';
import type { GeneratedField } from './fields';
import { requiredAttributes, requiredParents } from './model-source';

/** A model a generated test must create first, and how. */
export interface ParentSetup {
  /** Statements that create the records, parents before children: `const author = await Author.create({ ... });` */
  lines: string[];
  /** The models those statements use (for the test's imports). */
  imports: { className: string; fileName: string }[];
  /** Whether the lines use the `sequence` counter (unique values per record). */
  usesSequence: boolean;
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
