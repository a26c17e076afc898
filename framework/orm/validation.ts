import type { ValidationArguments } from 'class-validator';
import { humanize } from '../support';
import { OrmErrors } from './errors';

/** A condition on a validation: a method name on the record, or a function of it. */
export type ValidationCondition = string | ((record: any) => boolean);

export interface ValidationRules {
  presence?: boolean;
  /** The field must be blank. */
  absence?: boolean;
  length?: { min?: number; max?: number; is?: number };
  format?: RegExp | { with: RegExp; message?: string };
  inclusion?: unknown[] | { in: unknown[] };
  exclusion?: unknown[] | { in: unknown[] };
  numericality?: boolean | { onlyInteger?: boolean; greaterThan?: number; lessThan?: number; greaterThanOrEqualTo?: number; lessThanOrEqualTo?: number };
  /** No other row has this value (checked in the database), optionally within `scope` fields. */
  uniqueness?: boolean | { scope?: string | string[]; caseSensitive?: boolean };
  /** `<field>Confirmation`, when given, must equal the field (`password` / `passwordConfirmation`). */
  confirmation?: boolean;
  message?: string;
  /** Validate only when this holds (a method name or a function of the record). */
  if?: ValidationCondition;
  /** Validate only when this does not hold. */
  unless?: ValidationCondition;
  /** Validate only on create or only on update. */
  on?: 'create' | 'update';
  /** Skip the rules when the value is null or undefined. */
  allowNull?: boolean;
  /** Skip the rules when the value is blank. */
  allowBlank?: boolean;
}

/** Options of a `@Validate()` method. */
export interface ValidateOptions {
  if?: ValidationCondition;
  unless?: ValidationCondition;
  on?: 'create' | 'update';
}

const numeric = (v: unknown) => (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'bigint' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))));
export const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

function holds(record: any, c: ValidationCondition): boolean {
  return typeof c === 'function' ? !!c.call(record, record) : !!(typeof record[c] === 'function' ? record[c]() : record[c]);
}

/** Whether rules with these conditions apply to the record now. */
export function applies(record: any, o: { if?: ValidationCondition; unless?: ValidationCondition; on?: string }): boolean {
  if (o.on && o.on !== (record.isNewRecord ? 'create' : 'update')) return false;
  if (o.if !== undefined && !holds(record, o.if)) return false;
  if (o.unless !== undefined && holds(record, o.unless)) return false;
  return true;
}

const CONDITIONS = new Set(['message', 'if', 'unless', 'on', 'allowNull', 'allowBlank']);

/**
 * class-validator, loaded when the first record is validated, not when models are decorated: requiring it
 * (with its phone-number and string validators) is a large share of a worker's boot. Constraints declared
 * before that wait here, in declaration order, and are registered with it on load.
 */
type ClassValidator = typeof import('class-validator');
let classValidator: ClassValidator | undefined;
const waiting: Array<(cv: ClassValidator) => void> = [];

function register(apply: (cv: ClassValidator) => void): void {
  if (classValidator) apply(classValidator);
  else waiting.push(apply);
}

function loadClassValidator(): ClassValidator {
  if (!classValidator) {
    classValidator = require('class-validator') as ClassValidator;
    for (const apply of waiting.splice(0)) apply(classValidator);
  }
  return classValidator;
}

/** Registers class-validator constraints for one property, with Rails' messages. */
export function applyValidations(target: object, property: string, rules: ValidationRules): void {
  const conditional = rules.if !== undefined || rules.unless !== undefined || rules.on !== undefined;
  const add = (name: string, check: (v: unknown) => boolean, message: string) => {
    const validate = (v: unknown, args?: ValidationArguments) => {
      if (conditional && !applies(args!.object, rules)) return true;
      if (rules.allowNull && (v === null || v === undefined)) return true;
      if (rules.allowBlank && blank(v)) return true;
      return check(v);
    };
    register((cv) => cv.ValidateBy({ name, validator: { validate, defaultMessage: () => rules.message ?? message } })(target, property));
  };
  for (const [rule, arg] of Object.entries(rules)) {
    switch (rule) {
      case 'presence':
        if (arg) add('presence', (v) => !blank(v), "can't be blank");
        break;
      case 'absence':
        if (arg) add('absence', (v) => blank(v), 'must be blank');
        break;
      case 'length': {
        const { min, max, is } = arg as { min?: number; max?: number; is?: number };
        const len = (v: unknown) => (v === null || v === undefined ? 0 : String(v).length);
        if (min !== undefined) add('minLength', (v) => len(v) >= min, `is too short (minimum is ${min} character${min === 1 ? '' : 's'})`);
        if (max !== undefined) add('maxLength', (v) => len(v) <= max, `is too long (maximum is ${max} character${max === 1 ? '' : 's'})`);
        if (is !== undefined) add('exactLength', (v) => len(v) === is, `is the wrong length (should be ${is} characters)`);
        break;
      }
      case 'format': {
        const re = arg instanceof RegExp ? arg : (arg as { with: RegExp }).with;
        add('format', (v) => blank(v) || re.test(String(v)), (arg as { message?: string }).message ?? 'is invalid');
        break;
      }
      case 'inclusion': {
        const list = Array.isArray(arg) ? arg : (arg as { in: unknown[] }).in;
        add('inclusion', (v) => blank(v) || list.includes(v), 'is not included in the list');
        break;
      }
      case 'exclusion': {
        const list = Array.isArray(arg) ? arg : (arg as { in: unknown[] }).in;
        add('exclusion', (v) => blank(v) || !list.includes(v), 'is reserved');
        break;
      }
      case 'numericality': {
        const o = typeof arg === 'object' ? (arg as Exclude<ValidationRules['numericality'], boolean | undefined>) : {};
        add('numericality', (v) => blank(v) || (numeric(v) && (!o.onlyInteger || Number.isInteger(Number(v)))), o.onlyInteger ? 'must be an integer' : 'is not a number');
        // A value that is not a number gets only the message above, as in Rails.
        const bound = (name: string, limit: number | undefined, ok: (n: number, l: number) => boolean, text: string) => {
          if (limit !== undefined) add(name, (v) => blank(v) || !numeric(v) || ok(Number(v), limit), `must be ${text} ${limit}`);
        };
        bound('greaterThan', o.greaterThan, (n, l) => n > l, 'greater than');
        bound('greaterThanOrEqualTo', o.greaterThanOrEqualTo, (n, l) => n >= l, 'greater than or equal to');
        bound('lessThan', o.lessThan, (n, l) => n < l, 'less than');
        bound('lessThanOrEqualTo', o.lessThanOrEqualTo, (n, l) => n <= l, 'less than or equal to');
        break;
      }
      case 'uniqueness':
      case 'confirmation':
        break; // checked by runValidations (uniqueness needs the database; confirmation reports on the other field)
      default:
        if (CONDITIONS.has(rule)) break;
        throw OrmErrors.BAD_VALIDATION(rule, (target as any).constructor.name, property);
    }
  }
}

/** A record's validation errors, per field, with Rails' `fullMessages`. */
export class Errors {
  private readonly byField = new Map<string, string[]>();

  add(field: string, message: string): void {
    const list = this.byField.get(field);
    if (list) list.push(message);
    else this.byField.set(field, [message]);
  }

  on(field: string): string[] {
    return this.byField.get(field) ?? [];
  }

  clear(): void {
    this.byField.clear();
  }

  get any(): boolean {
    return this.byField.size > 0;
  }

  get count(): number {
    let n = 0;
    for (const l of this.byField.values()) n += l.length;
    return n;
  }

  /** `["Title can't be blank", "Body is too short (minimum is 10 characters)"]` */
  get fullMessages(): string[] {
    const out: string[] = [];
    for (const [field, list] of this.byField) for (const m of list) out.push(field === 'base' ? m : `${humanize(field)} ${m}`);
    return out;
  }

  /** `{ title: ["can't be blank"] }`, for JSON responses. */
  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.byField);
  }
}

/** What runValidations needs of the model beyond class-validator. */
export interface ModelValidations {
  /** `@Validates` rules per property (uniqueness and confirmation are run here). */
  rules: { property: string; rules: Record<string, unknown> }[];
  /** `@Validate()` methods. */
  methods: { method: string | ((record: any) => unknown); options: Record<string, unknown> }[];
  /** Whether another row has this value: `(record, property, scope, caseSensitive) => Promise<boolean>`. */
  taken(record: any, property: string, scope: string[], caseSensitive: boolean): Promise<boolean>;
}

/** Runs class-validator (loading it the first time) on a record, then uniqueness, confirmation and validation methods, and fills `errors`. */
export async function runValidations(record: any, errors: Errors, model?: ModelValidations): Promise<void> {
  errors.clear();
  const results = await loadClassValidator().validate(record, { forbidUnknownValues: false, skipMissingProperties: false });
  for (const r of results) for (const msg of Object.values(r.constraints ?? {})) errors.add(r.property, msg);
  if (!model) return;
  for (const { property, rules } of model.rules) {
    const r = rules as ValidationRules;
    if (!r.uniqueness && !r.confirmation) continue;
    if (!applies(record, r)) continue;
    const v = record[property];
    if (r.allowNull && (v === null || v === undefined)) continue;
    if (r.allowBlank && blank(v)) continue;
    if (r.confirmation) {
      const other = record[`${property}Confirmation`];
      if (other !== undefined && other !== null && other !== v) errors.add(`${property}Confirmation`, r.message ?? `doesn't match ${humanize(property)}`);
    }
    if (r.uniqueness && v !== undefined && v !== null) {
      const o = typeof r.uniqueness === 'object' ? r.uniqueness : {};
      const scope = o.scope === undefined ? [] : Array.isArray(o.scope) ? o.scope : [o.scope];
      if (await model.taken(record, property, scope, o.caseSensitive !== false)) errors.add(property, r.message ?? 'has already been taken');
    }
  }
  for (const { method, options } of model.methods) {
    if (applies(record, options)) await (typeof method === 'function' ? method(record) : record[method]());
  }
}
