import { humanize } from '../support';

/**
 * Reading an existing model's source, as `stryke generate` writes it: one property a line, its decorators
 * on the lines above or before it on the same line. The generators use it to create the records a
 * generated test needs (a model's required attributes and the models it belongs to).
 */
export interface ModelProperty {
  name: string;
  /** The declared type, as written (`string`, `number`, `Date`...). */
  type: string;
  /** The decorator text before the property (`@Field('date')\n@Validates({ presence: true })`). */
  decorators: string;
}

/** Every declared property of a model source, with its decorators. */
export function modelProperties(source: string): ModelProperty[] {
  const out: ModelProperty[] = [];
  let pending = '';
  for (const line of source.split('\n')) {
    const prop = /^\s*((?:@.*\)\s+)?)(?:readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)[!?]?:\s*([^;=]+);/.exec(line);
    if (!prop) {
      pending = /^\s*@/.test(line) ? `${pending}${line}\n` : '';
      continue;
    }
    out.push({ name: prop[2]!, type: prop[3]!.trim(), decorators: pending + prop[1]! });
    pending = '';
  }
  return out;
}

/** The presence-validated properties of a model source. */
export function requiredProperties(source: string): ModelProperty[] {
  return modelProperties(source).filter((p) => /presence:\s*true/.test(p.decorators));
}

/**
 * The attributes a test must give to create a record of an existing model: its presence-validated
 * properties with a sample value each (foreign keys are left to the caller).
 */
export function requiredAttributes(source: string): string[] {
  const out: string[] = [];
  for (const { name, type: t, decorators } of requiredProperties(source)) {
    if (name === 'id') continue;
    let value = '';
    if (t === 'number') value = /Id$/.test(name) ? '' : '1';
    else if (t === 'boolean') value = 'true';
    else if (t === 'Date') value = 'new Date()';
    else if (t === 'string') value = /@Field\('date'\)/.test(decorators) ? `'2026-01-15'` : `'Example ${humanize(name).toLowerCase()}'`;
    if (value) out.push(`${name}: ${value}`);
  }
  return out;
}

/** The required `@BelongsTo` associations of a model source: those whose foreign key is presence-validated. */
export function requiredParents(source: string): { property: string; className: string; fileName: string; foreignKey: string }[] {
  const out: { property: string; className: string; fileName: string; foreignKey: string }[] = [];
  const required = new Set(requiredProperties(source).map((p) => p.name));
  for (const m of source.matchAll(/@BelongsTo\(\(\) => ([A-Za-z_$][\w$]*)(?:,\s*\{\s*foreignKey:\s*'([\w$]+)'\s*\})?\)\s+([A-Za-z_$][\w$]*)[!?]?:/g)) {
    const [, className, fk, property] = m as unknown as [string, string, string | undefined, string];
    const foreignKey = fk ?? `${property}Id`;
    if (!required.has(foreignKey)) continue;
    const imp = new RegExp(`import \\{[^}]*\\b${className}\\b[^}]*\\} from '\\./([\\w-]+)'`).exec(source);
    out.push({ property, className, fileName: imp?.[1] ?? className.toLowerCase(), foreignKey });
  }
  return out;
}
