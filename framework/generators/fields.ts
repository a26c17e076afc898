import { nearest } from '../support';
import { camelize, classify, humanize, pluralize, underscore } from '../support';
import { GeneratorErrors } from './errors';

/** The field types `stryke generate` understands (`name:type`). */
export const FIELD_TYPES = [
  'string', 'text', 'integer', 'bigint', 'float', 'decimal', 'boolean', 'date', 'datetime', 'json', 'uuid', 'references',
  'attachment', 'attachments',
] as const;
export type GeneratedFieldType = (typeof FIELD_TYPES)[number];

/** Other spellings accepted for a type. */
const TYPE_ALIASES: Record<string, GeneratedFieldType> = { belongs_to: 'references', belongsTo: 'references' };

export const FIELD_MODIFIERS = ['index', 'unique', 'required', 'optional'] as const;

/** Property names a field cannot take: the primary key, the timestamps, and ActiveRecord's own members. */
const RESERVED_FIELDS = new Set([
  'id', 'createdAt', 'updatedAt', 'errors', 'isNewRecord', 'isPersisted', 'assign', 'isValid', 'save', 'saveOrFail',
  'update', 'destroy', 'reload', 'load', 'related', 'toJSON', 'constructor', 'then', 'runCallbacks', 'fieldValues',
  'insertRow', 'updateRow', 'prototype', '__proto__',
]);

/** What a view shows for a field, and how its form input looks. */
export type InputKind = 'text' | 'textarea' | 'number' | 'checkbox' | 'date' | 'datetime' | 'json' | 'file';

export interface Reference {
  /** `author` (the migration's `t.references('author')`) */
  name: string;
  /** `author`: the association's property (`blog_author` -> `blogAuthor`) */
  property: string;
  /** `Author` */
  className: string;
  /** `author` (app/models/author.ts) */
  fileName: string;
  /** `authors` */
  table: string;
}

export interface GeneratedField {
  /** As typed on the command line. */
  spec: string;
  type: GeneratedFieldType;
  /** The property and column (camelCase, as stryke's columns are): `publishedAt`, `authorId`. */
  name: string;
  /** `Published at`, `Author` */
  human: string;
  reference?: Reference;
  /** `cover:attachment` (one file, `@HasOneAttached`) or `photos:attachments` (many): stored apart, no column. */
  attachment?: 'one' | 'many';
  limit?: number;
  precision?: number;
  scale?: number;
  index: boolean;
  unique: boolean;
  /** NOT NULL and validated for presence. */
  required: boolean;
  /** The form input and display for scaffold views. */
  input: InputKind;
  /** `1` for an integer input, `any` for float/decimal. */
  step?: string;
  /** The TypeScript type of the model property. */
  tsType: string;
  /** TypeScript literals (or expressions) the generated test posts: a valid value and a different one. */
  sample?: { valid: string; updated: string };
}

const INPUTS: Record<GeneratedFieldType, InputKind> = {
  string: 'text', text: 'textarea', integer: 'number', bigint: 'number', float: 'number', decimal: 'number',
  boolean: 'checkbox', date: 'date', datetime: 'datetime', json: 'json', uuid: 'text', references: 'number',
  attachment: 'file', attachments: 'file',
};

const TS_TYPES: Record<GeneratedFieldType, string> = {
  string: 'string', text: 'string', integer: 'number', bigint: 'bigint', float: 'number', decimal: 'string',
  boolean: 'boolean', date: 'string', datetime: 'Date', json: 'unknown', uuid: 'string', references: 'number',
  attachment: 'AttachedOne', attachments: 'AttachedMany',
};

function sampleFor(f: GeneratedField): GeneratedField['sample'] {
  const words = humanize(f.name).toLowerCase();
  switch (f.type) {
    case 'string':
    case 'text': return { valid: `'Example ${words}'`, updated: `'Updated ${words}'` };
    case 'integer':
    case 'bigint': return { valid: '1', updated: '2' };
    case 'float': return { valid: '1.5', updated: '2.5' };
    case 'decimal': return { valid: `'1.5'`, updated: `'2.5'` };
    case 'boolean': return { valid: 'true', updated: 'false' };
    case 'date': return { valid: `'2026-01-15'`, updated: `'2026-02-20'` };
    case 'datetime': return { valid: `'2026-01-15T10:30:00.000Z'`, updated: `'2026-02-20T16:45:00.000Z'` };
    case 'uuid': return { valid: `'1b4e28ba-2fa1-11d2-883f-0016d3cca427'`, updated: `'6fa459ea-ee8a-3ca4-894e-db77e160355e'` };
    case 'references': return { valid: `${f.reference!.property}.id`, updated: `${f.reference!.property}.id` };
    case 'json': return undefined; // a form posts JSON text, an API an object: left to the app's own tests
    case 'attachment':
    case 'attachments': return undefined; // a file, sent as multipart: see docs/uploads.md for tests that upload
  }
}

/**
 * Parses one `name:type[{options}][:modifier...]` argument, e.g. `title:string`, `title:string{200}:index`,
 * `price:decimal{10,2}`, `author:references`, `email:string:unique`, `notes:text:optional`. A bare name is a string.
 */
export function parseField(spec: string): GeneratedField {
  const [rawName = '', rawType = 'string', ...modifiers] = spec.split(':');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rawName)) {
    throw GeneratorErrors.BAD_FIELD(spec, 'a field name uses letters, digits and underscores, starting with a letter (title, published_at).');
  }
  const typeMatch = /^([A-Za-z_]+)(?:\{(\d+)(?:[,.-](\d+))?\})?$/.exec(rawType);
  const typeName = typeMatch?.[1] ?? rawType;
  const type = TYPE_ALIASES[typeName] ?? (FIELD_TYPES as readonly string[]).find((t) => t === typeName);
  if (!type) {
    const guess = nearest(typeName, [...FIELD_TYPES, ...Object.keys(TYPE_ALIASES)]);
    throw GeneratorErrors.UNKNOWN_FIELD_TYPE(typeName, spec, guess ? ` Did you mean "${guess}"?` : '', FIELD_TYPES.join(', '));
  }
  const field: GeneratedField = {
    spec, type: type as GeneratedFieldType, name: camelize(rawName), human: '', index: false, unique: false,
    required: type === 'string' || type === 'text' || type === 'references', input: INPUTS[type as GeneratedFieldType],
    tsType: TS_TYPES[type as GeneratedFieldType],
  };
  const [, , a, b] = typeMatch ?? [];
  if (a !== undefined) {
    if (type === 'string') field.limit = Number(a);
    else if (type === 'decimal') [field.precision, field.scale] = [Number(a), Number(b ?? 0)];
    else throw GeneratorErrors.BAD_FIELD(spec, `only string{limit} and decimal{precision,scale} take options, not ${type}.`);
    if (type === 'string' && b !== undefined) throw GeneratorErrors.BAD_FIELD(spec, 'a string takes one option, its limit: string{200}.');
    if (field.limit === 0 || field.precision === 0) throw GeneratorErrors.BAD_FIELD(spec, 'a limit or precision must be at least 1.');
  }
  if (type === 'decimal' && field.precision === undefined) [field.precision, field.scale] = [10, 2];
  for (const m of modifiers) {
    switch (m) {
      case 'index': field.index = true; break;
      case 'unique': field.unique = true; break;
      case 'required': field.required = true; break;
      case 'optional': field.required = false; break;
      default: {
        const known: readonly string[] = FIELD_MODIFIERS;
        const guess = nearest(m, known);
        if (m && (FIELD_TYPES as readonly string[]).includes(m)) throw GeneratorErrors.BAD_FIELD(spec, `give one type per field (${rawName}:${m}); modifiers are ${known.join(', ')}.`);
        throw GeneratorErrors.UNKNOWN_MODIFIER(m, spec, guess ? ` Did you mean "${guess}"?` : '', known.join(', '));
      }
    }
  }
  if (field.type === 'boolean') field.required = false; // false is a value: NOT NULL DEFAULT false, never "blank"
  if (field.type === 'attachment' || field.type === 'attachments') {
    if (field.required || field.index || field.unique || field.limit !== undefined) throw GeneratorErrors.BAD_FIELD(spec, 'an attachment is stored apart from the table: it takes no modifiers (cover:attachment, photos:attachments).');
    field.attachment = field.type === 'attachment' ? 'one' : 'many';
  }
  if (field.type === 'references') {
    const ref = underscore(rawName).replace(/_id$/, '');
    field.reference = { name: ref, property: camelize(ref), className: classify(ref), fileName: ref, table: pluralize(ref) };
    field.name = `${camelize(ref)}Id`;
  }
  if (field.input === 'number') field.step = field.type === 'float' || field.type === 'decimal' ? 'any' : '1';
  field.human = humanize(field.name);
  if (RESERVED_FIELDS.has(field.name)) {
    throw GeneratorErrors.BAD_FIELD(spec, `${field.name} is ${['id', 'createdAt', 'updatedAt'].includes(field.name) ? 'added to every model already' : 'a member of ActiveRecord; a field of that name would hide it'}. Choose another name.`);
  }
  field.sample = sampleFor(field);
  return field;
}

export function parseFields(specs: string[]): GeneratedField[] {
  const fields = specs.map(parseField);
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw GeneratorErrors.BAD_FIELD(f.spec, `${f.name} is given twice.`);
    seen.add(f.name);
  }
  return fields;
}

const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function objectLiteral(entries: [string, string][]): string {
  return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }` : '';
}

/** `limit`, `precision` and `scale`, as migration option entries. */
function sizeOptions(f: GeneratedField): [string, string][] {
  const out: [string, string][] = [];
  if (f.limit !== undefined) out.push(['limit', String(f.limit)]);
  if (f.precision !== undefined) out.push(['precision', String(f.precision)], ['scale', String(f.scale ?? 0)]);
  return out;
}

/** The column's line in a createTable block: `t.string('title', { null: false })`. */
export function tableLine(f: GeneratedField): string {
  if (f.attachment) throw GeneratorErrors.BAD_FIELD(f.spec, 'an attachment has no column: generate it with a model or scaffold (it lives in storage_attachments).');
  if (f.type === 'references') {
    const o: [string, string][] = [];
    if (!f.required) o.push(['null', 'true']);
    if (f.unique) o.push(['index', 'false']);
    const opts = objectLiteral(o);
    return `t.references(${lit(f.reference!.name)}${opts ? `, ${opts}` : ''});`;
  }
  const o: [string, string][] = [];
  if (f.type === 'boolean') o.push(['null', 'false'], ['default', 'false']);
  else if (f.required) o.push(['null', 'false']);
  o.push(...sizeOptions(f));
  const opts = objectLiteral(o);
  return `t.${f.type}(${lit(f.name)}${opts ? `, ${opts}` : ''});`;
}

/** addIndex statements a createTable (or addColumn) needs for `:index` and `:unique`. */
export function indexLines(table: string, f: GeneratedField): string[] {
  if (f.unique) return [`m.addIndex(${lit(table)}, [${lit(f.name)}], { unique: true });`];
  if (f.index && f.type !== 'references') return [`m.addIndex(${lit(table)}, [${lit(f.name)}]);`];
  return [];
}

function columnType(f: GeneratedField): string {
  return f.type === 'references' ? 'integer' : f.type;
}

function columnOptions(f: GeneratedField): string {
  const o: [string, string][] = [];
  if (f.type === 'boolean') o.push(['default', 'false']);
  o.push(...sizeOptions(f));
  return objectLiteral(o);
}

/** Lines of an `Add<Cols>To<Table>` migration for one field (the column, then its index). */
export function addColumnLines(table: string, f: GeneratedField): string[] {
  if (f.attachment) throw GeneratorErrors.BAD_FIELD(f.spec, `an attachment has no column: add @${f.attachment === 'one' ? 'HasOneAttached' : 'HasManyAttached'}('${f.name}') to the model instead (docs/uploads.md).`);
  const opts = columnOptions(f);
  const lines = [`m.addColumn(${lit(table)}, ${lit(f.name)}, ${lit(columnType(f))}${opts ? `, ${opts}` : ''});`];
  if (f.unique) lines.push(`m.addIndex(${lit(table)}, [${lit(f.name)}], { unique: true });`);
  else if (f.index || f.type === 'references') lines.push(`m.addIndex(${lit(table)}, [${lit(f.name)}]);`);
  return lines;
}

/** Lines of a `Remove<Cols>From<Table>` migration for one field: its index, then the column (typed, so it rolls back). */
export function removeColumnLines(table: string, f: GeneratedField): string[] {
  if (f.attachment) throw GeneratorErrors.BAD_FIELD(f.spec, 'an attachment has no column: remove its decorator from the model instead.');
  const lines: string[] = [];
  if (f.unique) lines.push(`m.removeIndex(${lit(table)}, [${lit(f.name)}], { unique: true });`);
  else if (f.index || f.type === 'references') lines.push(`m.removeIndex(${lit(table)}, [${lit(f.name)}]);`);
  const opts = columnOptions(f);
  lines.push(`m.removeColumn(${lit(table)}, ${lit(f.name)}, ${lit(columnType(f))}${opts ? `, ${opts}` : ''});`);
  return lines;
}

/** The decorators on a model property, outermost first: `@Field('text')`, `@Validates({ presence: true })`. */
export function decorators(f: GeneratedField): string[] {
  if (f.attachment) return [];
  let field: string;
  switch (f.type) {
    case 'string': field = f.limit !== undefined ? `@Field({ type: 'string', limit: ${f.limit} })` : '@Field()'; break;
    case 'integer': case 'datetime': case 'references': field = '@Field()'; break;
    case 'boolean': field = '@Field({ default: false })'; break;
    default: field = `@Field(${lit(f.type)})`;
  }
  const rules: [string, string][] = [];
  if (f.required) rules.push(['presence', 'true']);
  if (f.limit !== undefined) rules.push(['length', `{ max: ${f.limit} }`]);
  if (f.type === 'integer' || f.type === 'bigint') rules.push(['numericality', '{ onlyInteger: true }']);
  if (f.type === 'float' || f.type === 'decimal') rules.push(['numericality', 'true']);
  return rules.length ? [field, `@Validates(${objectLiteral(rules)})`] : [field];
}

/** The `import { ... } from 'stryke'` names a model with these fields needs. */
export function modelImports(fields: GeneratedField[]): string {
  const names = new Set(['Field', 'Model', 'Timestamps']);
  for (const f of fields) {
    if (decorators(f).length > 1) names.add('Validates');
    if (f.type === 'references') names.add('BelongsTo');
    if (f.attachment === 'one') names.add('HasOneAttached');
    if (f.attachment === 'many') names.add('HasManyAttached');
  }
  const list = [...names].sort();
  if (fields.some((f) => f.attachment === 'one')) list.push('type AttachedOne');
  if (fields.some((f) => f.attachment === 'many')) list.push('type AttachedMany');
  if (fields.some((f) => f.type === 'references')) list.push('type Loaded');
  return list.join(', ');
}

/** The field the views link with and the test checks: the first string or text field. */
export function displayField(fields: GeneratedField[]): GeneratedField | undefined {
  return fields.find((f) => f.type === 'string' || f.type === 'text');
}

/** What the generated test posts to be rejected with 422: a blank required field, or a non-number in a number field. */
export function invalidSample(fields: GeneratedField[]): { field: GeneratedField; value: string; message: string } | undefined {
  const required = fields.find((f) => f.required && (f.type === 'string' || f.type === 'text')) ?? fields.find((f) => f.required);
  if (required) return { field: required, value: `''`, message: "can't be blank" };
  const numeric = fields.find((f) => ['integer', 'bigint', 'float', 'decimal'].includes(f.type));
  if (numeric) return { field: numeric, value: `'not a number'`, message: numeric.type === 'integer' || numeric.type === 'bigint' ? 'must be an integer' : 'is not a number' };
  return undefined;
}
