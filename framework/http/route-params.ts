import type { FastifyRequest } from 'fastify';
import type { ParamType } from '../registry';
import { HttpErrors } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?\d{1,16}$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** One path parameter's value as its declared type, or undefined when it is not one. */
function cast(type: ParamType, value: string): unknown {
  switch (type) {
    case 'integer': {
      if (!INTEGER.test(value)) return undefined;
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'number':
      return NUMBER.test(value) && Number.isFinite(Number(value)) ? Number(value) : undefined;
    case 'boolean':
      return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : undefined;
    case 'uuid':
      return UUID.test(value) ? value : undefined;
    default:
      return value;
  }
}

/**
 * Typed path parameters (`{ params: { id: 'integer' } }`), checked and converted inside the route's own
 * handler, so every way to reach the action (the `.json` suffix, HEAD, a `_method` tunnel) gets the same
 * check: a value that is not of its type answers 400 (STRYKE_E_HTTP_BAD_PARAMETER).
 */
export function paramCaster(types: Record<string, ParamType> | undefined): ((req: FastifyRequest) => void) | null {
  if (!types) return null;
  const entries = Object.entries(types).filter(([, t]) => t !== 'string');
  if (!entries.length) return null;
  return (req) => {
    const params = req.params as Record<string, unknown>;
    for (const [name, type] of entries) {
      const raw = params[name];
      if (typeof raw !== 'string') continue;
      const value = cast(type, raw);
      if (value === undefined) throw HttpErrors.BAD_PARAMETER(name, type);
      params[name] = value;
    }
  };
}
