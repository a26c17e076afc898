import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import type { PathHelpers } from '../routing';
import { requireAppFile, StrykeError } from '../support';
import { assetResolver, loadAssetManifest, type AssetResolver } from '../assets';
import { ViewErrors } from './errors';
import { registerHelpers, type RenderContext } from './helpers';
import { compileSources, evaluate, PRECOMPILED_FILE, readSources, type CompiledSet } from './compile';

type Template = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/**
 * What Handlebars' runtime sets up at the start of every top-level template call: the helper table (every
 * registered helper copied and wrapped, 50-odd of them with the app's path helpers), the partials, the
 * decorators, the hooks and the prototype-access rules. Set up here once, by a template whose only work is
 * to hand over the runtime's container, and passed to every render as a partial call's options are, so a
 * page (view, layout and partials) does not rebuild them per call.
 */
interface SharedSetup {
  helpers: Record<string, unknown>;
  partials: Record<string, unknown>;
  decorators: Record<string, unknown>;
  hooks: Record<string, unknown>;
  protoAccessControl: unknown;
}

function sharedSetup(hb: typeof Handlebars): SharedSetup {
  let captured: SharedSetup | undefined;
  const revision = (hb as any).COMPILER_REVISION as number;
  const spec = {
    compiler: [revision, (hb as any).REVISION_CHANGES[revision]],
    main: (container: SharedSetup) => {
      captured = container;
      return '';
    },
    usePartial: true,
    useDecorators: true,
    useData: true,
  };
  (hb.template(spec as any) as Template)({}, {});
  const c = captured!;
  return { helpers: c.helpers, partials: c.partials, decorators: c.decorators, hooks: c.hooks, protoAccessControl: c.protoAccessControl };
}

/** Per-render state shared by every helper and partial of one render (Handlebars `@data`). */
export interface RenderState {
  stryke: RenderContext;
  strykeContent: Map<string, string>;
  strykeView: string;
  strykeAssets: AssetResolver;
}

/**
 * The app's views, compiled once: from `app/views/**\/*.hbs` at boot, or from the precompiled bundle
 * that `stryke build` writes (`build/stryke-views.js`) when the app runs from `dist/`. Files named
 * `_name.hbs` are partials (`{{> posts/form}}`, or `{{> form}}` from another posts view);
 * `layouts/application.hbs` wraps every page through `{{yield}}`, and `layouts/<controller>.hbs` replaces
 * it for one controller.
 */
export class ViewEngine {
  private readonly hb: typeof Handlebars;
  private readonly templates = new Map<string, Template>();
  private readonly partials = new Set<string>();
  /** Handlebars' per-call setup, made once (on the first render after the views are installed). */
  private shared: SharedSetup | undefined;
  readonly dir: string;
  readonly assets: AssetResolver;

  /** Only the templates `only` accepts (by name, `user_mailer/welcome.html`) are compiled: the mailers' engine. */
  private readonly only?: (name: string) => boolean;

  constructor(root: string, paths: PathHelpers, options: { only?: (name: string) => boolean } = {}) {
    this.dir = join(root, 'app', 'views');
    this.only = options.only;
    this.assets = assetResolver(join(root, 'public'), loadAssetManifest(root));
    const bundle = join(root, 'build', PRECOMPILED_FILE);
    const precompiled = !existsSync(this.dir) && existsSync(bundle);
    // A build (`stryke build`) brings its views precompiled: Handlebars' runtime renders them, and its compiler (with
    // source-map, about 20 modules) stays unloaded.
    this.hb = (precompiled ? require('handlebars/runtime') : require('handlebars') as typeof Handlebars).create();
    registerHelpers(this.hb, paths, this);
    const set: CompiledSet = precompiled
      ? this.chosen(requireAppFile(bundle) as CompiledSet)
      : evaluate(compileSources(this.hb, this.sources()));
    this.install(set);
    // Under `stryke dev`, a changed view is recompiled in place when the primary asks, without a new worker.
    if (process.env.STRYKE_LIVE_RELOAD === '1' && process.send && existsSync(this.dir)) {
      process.on('message', (m: any) => {
        if (m?.type !== 'stryke:views') return;
        let ok = true;
        try {
          this.reload();
        } catch {
          ok = false; // the primary replaces the worker, whose boot shows the error
        }
        process.send!({ type: 'stryke:views-done', id: m.id, ok });
      });
    }
  }

  private install(set: CompiledSet): void {
    this.shared = undefined;
    for (const name of this.partials) this.hb.unregisterPartial(name);
    this.partials.clear();
    this.templates.clear();
    for (const [name, spec] of Object.entries(set.partials)) {
      this.hb.registerPartial(name, this.hb.template(spec as any));
      this.partials.add(name);
    }
    for (const [name, spec] of Object.entries(set.templates)) this.templates.set(name, this.hb.template(spec as any) as Template);
  }

  /** Compiles every view again from app/views (all or nothing: on an error the old views stay). */
  reload(): void {
    this.install(evaluate(compileSources(this.hb, this.sources())));
  }

  private sources() {
    const all = readSources(this.dir);
    return this.only ? all.filter((s) => this.only!(s.name)) : all;
  }

  private chosen(set: CompiledSet): CompiledSet {
    if (!this.only) return set;
    return { templates: Object.fromEntries(Object.entries(set.templates).filter(([name]) => this.only!(name))), partials: set.partials };
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  hasPartial(name: string): boolean {
    return this.partials.has(name);
  }

  /** The file a template or partial name is read from (for error messages). */
  pathOf(name: string, partial = false): string {
    const parts = name.split('/');
    if (partial) parts[parts.length - 1] = `_${parts[parts.length - 1]}`;
    return join(this.dir, `${parts.join('/')}.hbs`);
  }

  /** Renders `name` with `locals`, wrapped in the layout (`layout: false` for none). */
  render(name: string, locals: Record<string, unknown>, ctx: RenderContext, layout: string | false): string {
    const template = this.templates.get(name);
    if (!template) throw ViewErrors.MISSING_TEMPLATE(name, this.pathOf(name));
    let wrap: Template | undefined;
    if (layout !== false) {
      wrap = this.templates.get(`layouts/${layout}`);
      if (!wrap) throw ViewErrors.MISSING_LAYOUT(layout, this.pathOf(`layouts/${layout}`));
    }
    const data: RenderState = { stryke: ctx, strykeContent: new Map(), strykeView: name, strykeAssets: this.assets };
    const context = { ...locals, flash: ctx.flash, currentUser: ctx.currentUser ?? null };
    const body = this.run(template, name, context, data);
    if (!wrap) return body;
    data.strykeContent.set('main', body);
    return this.run(wrap, `layouts/${layout}`, { ...context, yield: new this.hb.SafeString(body) }, data);
  }

  /**
   * The options of one top-level call: the shared setup, as Handlebars passes it to a partial, and `data` as a
   * frame of its own with `@root`, as the runtime makes for a top-level call.
   */
  private options(context: unknown, data: unknown): Handlebars.RuntimeOptions {
    const shared = (this.shared ??= sharedSetup(this.hb));
    const frame = this.hb.createFrame(data);
    frame.root = context;
    return { partial: true, data: frame, ...shared } as Handlebars.RuntimeOptions;
  }

  /** Renders one partial (for the `render` helper and collections). */
  renderPartial(name: string, context: unknown, data: unknown, from: string): string {
    const partial = this.hb.partials[name] as Template | undefined;
    if (!partial) throw ViewErrors.MISSING_PARTIAL(name, from, this.pathOf(name, true));
    const shared = (this.shared ??= sharedSetup(this.hb));
    return partial(context, { partial: true, data: data as any, ...shared } as Handlebars.RuntimeOptions);
  }

  private run(template: Template, name: string, context: unknown, data: RenderState): string {
    try {
      return template(context, this.options(context, data));
    } catch (err) {
      if (err instanceof StrykeError) throw err;
      const m = /The partial (.+) could not be found/.exec((err as Error).message);
      if (m) throw ViewErrors.MISSING_PARTIAL(m[1], `app/views/${name}.hbs`, this.pathOf(m[1]!, true));
      throw ViewErrors.RENDER(`app/views/${name}.hbs`, (err as Error).message);
    }
  }

  /** The layout for a controller: `layouts/<controller>` when it exists, else `layouts/application`. */
  layoutFor(controller: string): string | false {
    if (this.templates.has(`layouts/${controller}`)) return controller;
    if (this.templates.has('layouts/application')) return 'application';
    return false;
  }
}
