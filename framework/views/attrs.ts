import type Handlebars from 'handlebars';

/** Builds ` name="value"` attributes from a helper's hash (escaped; `true` -> bare attribute, false/null -> none). */
export function attrs(hb: typeof Handlebars, hash: Record<string, unknown> | undefined, skip: string[] = []): string {
  let out = '';
  for (const [k, v] of Object.entries(hash ?? {})) {
    if (skip.includes(k) || v === false || v === null || v === undefined) continue;
    const name = k.replace(/[^a-zA-Z0-9_:-]/g, '').replace(/_/g, '-');
    out += v === true ? ` ${name}` : ` ${name}="${hb.escapeExpression(String(v))}"`;
  }
  return out;
}
