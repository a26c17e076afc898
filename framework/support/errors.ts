/**
 * The base of every coded error in stryke. Codes are `STRYKE_E_<CONCERN>_<WHAT>`, stable and never reused;
 * `docs/errors.md` lists each with how to fix it (a test keeps the two in sync).
 */
export class StrykeError extends Error {
  readonly code: string;
  /** HTTP status this error answers with when it escapes an action. */
  readonly status: number;

  constructor(code: string, message: string, status = 500, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.name = new.target.name;
  }
}

export interface ErrorDefinition {
  code: string;
  status: number;
  /** One line: what happened and how to fix it. `%s` placeholders are filled in order. */
  message: string;
}

/** Builds a coded-error factory, in the manner of fastify's `createError`. */
export function defineError(code: string, message: string, status = 500) {
  const make = (...args: unknown[]) => {
    let i = 0;
    const text = message.replace(/%s/g, () => String(args[i++]));
    return new StrykeError(code, text, status);
  };
  return Object.assign(make, { code, status, template: message });
}

export type ErrorFactory = ReturnType<typeof defineError>;
