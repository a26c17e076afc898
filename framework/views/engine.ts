import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import type { PathHelpers } from '../routing/helpers';
import { walkFiles } from '../support/fs';
import { ViewErrors } from './errors';
import { registerHelpers, type RenderContext } from './helpers';

type Template = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/**
 * The app's views: every `app/views/**\/*.hbs` compiled once, at boot. Files named `_name.hbs` are
 * partials (`{{> posts/form}}`); `layouts/application.hbs` wraps every page through `{{{yield}}}`, and
 * `layouts/<controller>.hbs` replaces it for one controller.
 */
export class ViewEngine {
  private readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Template>();
  readonly dir: string;

  constructor(root: string, paths: PathHelpers) {
    this.dir = join(root, 'app', 'views');
    registerHelpers(this.hb, paths);
    for (const file of walkFiles(this.dir, (n) => n.endsWith('.hbs'))) {
      const rel = relative(this.dir, file).split(sep).join('/').replace(/\.hbs$/, '');
      const source = readFileSync(file, 'utf8');
      const base = rel.split('/').pop()!;
      if (base.startsWith('_')) {
        const partialName = rel.replace(/(^|\/)_([^/]+)$/, '$1$2');
        this.hb.registerPartial(partialName, this.compile(rel, source));
      } else {
        this.templates.set(rel, this.compile(rel, source));
      }
    }
  }

  /** Compiles now rather than on first render, so a template error fails boot, not a request. */
  private compile(name: string, source: string): Template {
    try {
      const spec = this.hb.precompile(source, { strict: false });
      // eslint-disable-next-line no-new-func
      return this.hb.template(new Function(`return ${spec}`)()) as Template;
    } catch (err) {
      throw ViewErrors.COMPILE(`app/views/${name}.hbs`, (err as Error).message);
    }
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** Renders `name` with `locals`, wrapped in the layout (`layout: false` for none). */
  render(name: string, locals: Record<string, unknown>, ctx: RenderContext, layout: string | false): string {
    const template = this.templates.get(name);
    if (!template) throw ViewErrors.MISSING_TEMPLATE(name, join(this.dir, `${name}.hbs`));
    const data = { stryke: ctx };
    const context = { ...locals, flash: ctx.flash };
    const body = template(context, { data });
    if (layout === false) return body;
    const wrap = this.templates.get(`layouts/${layout}`);
    if (!wrap) return body;
    return wrap({ ...context, yield: new Handlebars.SafeString(body) }, { data });
  }

  /** The layout for a controller: `layouts/<controller>` when it exists, else `layouts/application`. */
  layoutFor(controller: string): string | false {
    if (this.templates.has(`layouts/${controller}`)) return controller;
    if (this.templates.has('layouts/application')) return 'application';
    return false;
  }
}
