import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { camelize } from '../support';
import { nearest } from '../support';
import { applyPlan, renderSchematics, statusLine, type ApplyOptions, type Outcome } from './engine';
import { GeneratorErrors } from './errors';
import {
  addColumnLines, decorators, displayField, indexLines, invalidSample, modelImports, parseFields, removeColumnLines,
  tableLine, type GeneratedField,
} from './fields';
import { migrationKind, migrationVersion } from './migrations';
import type * as Storage from '../storage';
import { AUTH_GENERATOR } from './auth';
import { ADMIN_GENERATOR } from './admin';
import { PWA_GENERATOR } from './pwa';
import { requiredAttributes } from './model-source';
import { parentSetup } from './parents';
import { assertCountable, channelNames, controllerNames, jobNames, mailerNames, middlewareNames, migrationNames, resourceNames, type ResourceNames } from './names';
import { mailerActions, staticActionsIn } from './mailer';

/** Helpers every template can call. */
const HELPERS = { tableLine, indexLines, decorators, addColumnLines, removeColumnLines };

/** `generate` writes the files; `destroy` renders the same plan to learn which files to remove. */
export type Mode = 'generate' | 'destroy';

export interface GeneratorDef {
  summary: string;
  usage: string;
  example: string;
  /** Takes no name (`stryke generate auth`). */
  nameless?: boolean;
  /** The schematics (folders under schematics/) it renders, and their locals. */
  prepare(name: string, args: string[], root: string, mode: Mode): { schematics: string[]; locals: Record<string, unknown>; notes: string[] };
}

/** Whether the app was made with `stryke new --api` (package.json `"stryke": { "api": true }`): JSON only, no views. */
export function isApiApp(root: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { stryke?: { api?: unknown } };
    return pkg.stryke?.api === true;
  } catch {
    return false;
  }
}

/** A model that another one `references`: whether it exists yet, and what creating one needs. */
export interface Parent {
  field: GeneratedField;
  exists: boolean;
  /** `name: 'Example name'` entries for `Parent.create({ ... })` in a generated test. */
  attributes: string[];
}

function parentsOf(fields: GeneratedField[], root: string): Parent[] {
  return fields.filter((f) => f.reference).map((field) => {
    const file = join(root, 'app', 'models', `${field.reference!.fileName}.ts`);
    const exists = existsSync(file);
    return { field, exists, attributes: exists ? requiredAttributes(readFileSync(file, 'utf8')) : [] };
  });
}

function modelLocals(names: ResourceNames, fields: GeneratedField[], root: string) {
  return {
    ...HELPERS,
    names,
    fields,
    table: names.plural,
    imports: modelImports(fields),
    display: displayField(fields),
    invalid: invalidSample(fields),
    parents: parentsOf(fields, root),
    setup: parentSetup(fields, root, names.className),
    version: migrationVersion(root, names.migrationFile),
    api: isApiApp(root),
  };
}

function referenceNotes(fields: GeneratedField[], root: string, self?: string): string[] {
  return parentsOf(fields, root).filter((p) => !p.exists && p.field.reference!.className !== self).map((p) =>
    `app/models/${p.field.reference!.fileName}.ts does not exist yet: generate it (stryke generate model ${p.field.reference!.className}) before you compile or migrate.`);
}

/**
 * The storage tables' migration (framework/storage), for `stryke generate storage` and for a model or
 * scaffold with `:attachment` fields: its version is kept apart from the model's own migration.
 */
function storagePlan(root: string, modelVersion?: string): Record<string, unknown> {
  let version = migrationVersion(root, 'create_storage_tables');
  if (version === modelVersion) {
    const d = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(version)!;
    version = migrationVersion(root, 'create_storage_tables', new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!) + 1000));
  }
  return { storageVersion: version, storageSource: (require('../storage') as typeof Storage).storageMigrationSource() };
}

/** The storage schematic when a generated model has attachments (never removed by `destroy`: other models may use the tables). */
function withStorage(schematics: string[], fields: GeneratedField[], locals: Record<string, unknown>, root: string, mode: Mode) {
  if (mode !== 'generate' || !fields.some((f) => f.attachment)) return { schematics, locals };
  return { schematics: [...schematics, 'storage'], locals: { ...locals, ...storagePlan(root, locals.version as string) } };
}

/** ActionController's own members: neither an action nor a scaffold's record property may take these names. */
const CONTROLLER_MEMBERS = new Set([
  'constructor', 'params', 'request', 'reply', 'session', 'flash', 'format', 'paths', 'log', 'csrfToken', 'render',
  'json', 'redirectTo', 'head', 'notFound', 'respondTo', 'finish', 'commitSession', 'invalid', 'currentUser', 'resolveCurrentUser',
]);
const RESERVED_ACTIONS = new Set([...CONTROLLER_MEMBERS, 'new', 'then']);

export const GENERATORS: Record<string, GeneratorDef> = {
  model: {
    summary: 'a model, the migration that creates its table, and its test',
    usage: 'model <Name> [field:type[:modifier] ...]',
    example: 'stryke generate model Post title:string body:text published:boolean',
    prepare(name, args, root, mode) {
      const { names, notes } = resourceNames(name);
      const fields = parseFields(args);
      return { ...withStorage(['model'], fields, modelLocals(names, fields, root), root, mode), notes: [...notes, ...referenceNotes(fields, root, names.className)] };
    },
  },
  resource: {
    summary: 'a model, its migration and test, and an empty resource controller (@Resources) to fill in',
    usage: 'resource <Name> [field:type[:modifier] ...]',
    example: 'stryke generate resource Comment post:references body:text',
    prepare(name, args, root, mode) {
      const { names, notes } = resourceNames(name);
      assertCountable(name, names);
      const fields = parseFields(args);
      return { ...withStorage(['model', 'resource'], fields, modelLocals(names, fields, root), root, mode), notes: [...notes, ...referenceNotes(fields, root, names.className)] };
    },
  },
  scaffold: {
    summary: 'a model, its migration, a resource controller (HTML and JSON; JSON only in an --api app), its views and tests',
    usage: 'scaffold <Name> [field:type[:modifier] ...]',
    example: 'stryke generate scaffold Post title:string body:text published:boolean',
    prepare(name, args, root, mode) {
      const { names, notes } = resourceNames(name);
      assertCountable(name, names);
      const fields = parseFields(args);
      if (mode === 'generate' && !fields.some((f) => f.type !== 'json')) throw GeneratorErrors.NO_FIELDS(names.className);
      // The controller keeps the record in a property; one named like an ActionController member would clash.
      const member = CONTROLLER_MEMBERS.has(names.varName) ? `${names.varName}Record` : names.varName;
      return { ...withStorage(['model', 'scaffold'], fields, { ...modelLocals(names, fields, root), member }, root, mode), notes: [...notes, ...referenceNotes(fields, root, names.className)] };
    },
  },
  migration: {
    summary: 'a migration: Create<Table>, Add<Columns>To<Table>, Remove<Columns>From<Table>, or an empty one',
    usage: 'migration <Name> [field:type[:modifier] ...]',
    example: 'stryke generate migration AddPriceToProducts price:decimal:index',
    prepare(name, args, root) {
      const names = migrationNames(name);
      const fields = parseFields(args);
      const kind = migrationKind(names.fileName);
      const notes: string[] = [];
      if (kind.kind === 'other' && fields.length) notes.push(`fields are used by Create<Table>, Add<Columns>To<Table> and Remove<Columns>From<Table> migrations only; write the change() of ${names.className} yourself.`);
      if (kind.kind === 'create') notes.push(...referenceNotes(fields, root));
      return {
        schematics: ['migration'],
        locals: { ...HELPERS, names, fields, kind, version: migrationVersion(root, names.fileName) },
        notes,
      };
    },
  },
  controller: {
    summary: 'a controller with GET actions and a view for each',
    usage: 'controller <Name> [action ...]',
    example: 'stryke generate controller Pages home about',
    prepare(name, args, root, mode) {
      const names = controllerNames(name);
      if (mode === 'destroy' && !args.length) args = actionsIn(join(root, 'app', 'controllers', `${names.fileName}.ts`));
      const seen = new Set<string>();
      for (const a of args) {
        if (!/^[a-z][A-Za-z0-9_]*$/.test(a)) throw GeneratorErrors.BAD_ACTION(a, 'an action is a method name: lower case letters, digits and underscores, starting with a letter.');
        if (RESERVED_ACTIONS.has(a)) throw GeneratorErrors.BAD_ACTION(a, 'the name is taken by ActionController (or is a keyword); choose another.');
        if (seen.has(a)) throw GeneratorErrors.BAD_ACTION(a, 'it is given twice.');
        seen.add(a);
      }
      const actions = args.map((a) => ({ name: a, route: a === 'index' ? '/' : `/${a}`, helper: `${camelize(`${names.segment}_${a}`)}Path` }));
      return { schematics: ['controller'], locals: { names, actions, api: isApiApp(root) }, notes: [] };
    },
  },
  middleware: {
    summary: 'a middleware class (handle(request, reply)) for @Use or config/middleware.ts, and its test',
    usage: 'middleware <Name>',
    example: 'stryke generate middleware RequestTiming',
    prepare(name, args) {
      const names = middlewareNames(name);
      if (args.length) throw GeneratorErrors.BAD_FIELD(args[0]!, 'a middleware takes a name only; write what it does in its handle method.');
      return { schematics: ['middleware'], locals: { names }, notes: [] };
    },
  },
  storage: {
    nameless: true,
    summary: 'the migration creating the storage tables (storage_blobs, storage_attachments) behind file attachments',
    usage: 'storage',
    example: 'stryke generate storage',
    prepare(_name, args, root) {
      if (args.length) throw GeneratorErrors.BAD_FIELD(args[0]!, 'storage takes no arguments: it writes the storage tables\' migration.');
      return { schematics: ['storage'], locals: storagePlan(root), notes: ['run `stryke db migrate` to create the tables; declare files on a model with @HasOneAttached(\'cover\') (docs/uploads.md).'] };
    },
  },
  job: {
    summary: 'a background job class (@Job, perform(...)) and its test, which runs it on a worker',
    usage: 'job <Name> [queue:<name>]',
    example: 'stryke generate job SendReport',
    prepare(name, args) {
      const names = jobNames(name);
      let queue = 'default';
      for (const a of args) {
        const m = /^queue:([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(a);
        if (!m) throw GeneratorErrors.BAD_FIELD(a, 'a job takes its name and, optionally, queue:<name> (queue:mailers); write what it does in its perform method.');
        queue = m[1]!;
      }
      return { schematics: ['job'], locals: { names, queue }, notes: [] };
    },
  },
  mailer: {
    summary: 'a mailer (@Mailer) with an HTML and a text template per action, its preview and its test',
    usage: 'mailer <Name> <action> [action ...]',
    example: 'stryke generate mailer UserMailer welcome password_reset',
    prepare(name, args, root, mode) {
      const names = mailerNames(name);
      if (mode === 'destroy' && !args.length) args = staticActionsIn(join(root, 'app', 'mailers', `${names.fileName}.ts`));
      return { schematics: ['mailer', 'mailer-base'], locals: { names, actions: mailerActions(args, mode) }, notes: [] };
    },
  },
  channel: {
    summary: 'a WebSocket channel (@Channel, @Action methods), a browser client snippet, and its test over a real socket',
    usage: 'channel <Name> [action ...]',
    example: 'stryke generate channel Chat speak',
    prepare(name, args) {
      const names = channelNames(name);
      const seen = new Set<string>();
      for (const a of args) {
        if (!/^[a-z][A-Za-z0-9_]*$/.test(a)) throw GeneratorErrors.BAD_ACTION(a, 'an action is a method name: lower case letters, digits and underscores, starting with a letter.');
        if (CHANNEL_MEMBERS.has(a)) throw GeneratorErrors.BAD_ACTION(a, 'the name is taken by ActionChannel (or is a keyword); choose another.');
        if (seen.has(a)) throw GeneratorErrors.BAD_ACTION(a, 'it is given twice.');
        seen.add(a);
      }
      return { schematics: ['channel'], locals: { names, actions: args }, notes: [] };
    },
  },
  ...AUTH_GENERATOR,
  ...ADMIN_GENERATOR,
  ...PWA_GENERATOR,
};

/** ActionChannel's own members and lifecycle: no channel action may take these names. */
const CHANNEL_MEMBERS = new Set([
  'constructor', 'id', 'params', 'request', 'session', 'currentUser', 'log', 'join', 'leave', 'streams', 'send', 'broadcastTo',
  'presence', 'reject', 'onConnect', 'onDisconnect', 'then', 'toString', 'valueOf', 'hasOwnProperty',
]);

/** The `@Get` actions of a controller the controller generator wrote (for `stryke destroy controller Name`). */
function actionsIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/@Get\('[^']*'\)\s*\n\s*([a-z][A-Za-z0-9_]*)\(\)/g)].map((m) => m[1]!);
}

export function generatorNames(): string[] {
  return Object.keys(GENERATORS);
}

export interface GenerateOptions extends ApplyOptions {
  root: string;
}

/** Runs one generator in an app: renders its schematics, then writes them (see applyPlan for conflicts). */
export function generatorDef(generator: string): GeneratorDef {
  const def = GENERATORS[generator];
  if (!def) {
    const guess = nearest(generator, generatorNames());
    throw GeneratorErrors.UNKNOWN(generator, guess ? ` Did you mean "${guess}"?` : '', generatorNames().join(', '));
  }
  return def;
}

export function generate(generator: string, name: string | undefined, args: string[], options: GenerateOptions): { files: Outcome[]; notes: string[] } {
  const def = generatorDef(generator);
  if (def.nameless) args = name ? [name, ...args] : args;
  else if (!name) throw GeneratorErrors.MISSING_NAME(generator, def.example.replace(/^stryke generate /, ''));
  const { schematics, locals, notes } = def.prepare(name ?? '', args, options.root, 'generate');
  const files = renderSchematics(schematics, locals);
  const outcomes = applyPlan(options.root, files, options);
  if (outcomes.every((o) => o.status === 'identical' || o.status === 'exist')) notes.push('nothing to do: every file is already as the generator writes it.');
  const log = options.log ?? ((line: string) => console.log(line));
  for (const n of notes) log(statusLine('note', n, options.paint));
  return { files: outcomes, notes };
}
