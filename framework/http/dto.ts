import type { Constructor } from '../registry';
import { HttpErrors } from './errors';
import { sanitize } from './params';

/**
 * Builds a DTO from the request body and validates it with class-validator: properties the DTO does
 * not decorate are dropped (whitelist); a failure answers 422 with `errors` per field.
 */
export async function validateBody(Dto: Constructor, body: unknown): Promise<unknown> {
  const dto = Object.assign(new Dto(), body && typeof body === 'object' && !Array.isArray(body) ? sanitize(body) : {});
  // Loaded on first use: class-validator (with its phone and string validators) costs ~80 ms to require.
  const { validate } = require('class-validator') as typeof import('class-validator');
  const results = await validate(dto, { whitelist: true, forbidUnknownValues: false });
  if (!results.length) return dto;
  const errors: Record<string, string[]> = {};
  for (const r of results) errors[r.property] = Object.values(r.constraints ?? { invalid: 'is invalid' });
  const err = HttpErrors.INVALID_BODY(Object.entries(errors).map(([k, v]) => `${k} ${v.join(', ')}`).join('; '));
  Object.assign(err, { fieldErrors: errors });
  throw err;
}
