import { ValidateBy, validate } from 'class-validator';
import { humanize } from '../support/inflect';
import { OrmErrors } from './errors';

export interface ValidationRules {
  presence?: boolean;
  length?: { min?: number; max?: number; is?: number };
  format?: RegExp | { with: RegExp; message?: string };
  inclusion?: unknown[] | { in: unknown[] };
  numericality?: boolean | { onlyInteger?: boolean; greaterThan?: number; lessThan?: number };
  message?: string;
}

const numeric = (v: unknown) => (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** Registers class-validator constraints for one property, with Rails' messages. */
export function applyValidations(target: object, property: string, rules: ValidationRules): void {
  const add = (name: string, check: (v: unknown) => boolean, message: string) => {
    ValidateBy({ name, validator: { validate: check, defaultMessage: () => rules.message ?? message } })(target, property);
  };
  for (const [rule, arg] of Object.entries(rules)) {
    switch (rule) {
      case 'message':
        break;
      case 'presence':
        if (arg) add('presence', (v) => !blank(v), "can't be blank");
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
      case 'numericality': {
        const o = typeof arg === 'object' ? (arg as { onlyInteger?: boolean; greaterThan?: number; lessThan?: number }) : {};
        add('numericality', (v) => blank(v) || (numeric(v) && (!o.onlyInteger || Number.isInteger(Number(v)))), o.onlyInteger ? 'must be an integer' : 'is not a number');
        // A value that is not a number gets only the message above, as in Rails.
        if (o.greaterThan !== undefined) add('greaterThan', (v) => blank(v) || !numeric(v) || Number(v) > o.greaterThan!, `must be greater than ${o.greaterThan}`);
        if (o.lessThan !== undefined) add('lessThan', (v) => blank(v) || !numeric(v) || Number(v) < o.lessThan!, `must be less than ${o.lessThan}`);
        break;
      }
      default:
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

/** Runs class-validator on a record and fills `errors`. */
export async function runValidations(record: object, errors: Errors): Promise<void> {
  errors.clear();
  const results = await validate(record, { forbidUnknownValues: false, skipMissingProperties: false });
  for (const r of results) for (const msg of Object.values(r.constraints ?? {})) errors.add(r.property, msg);
}
