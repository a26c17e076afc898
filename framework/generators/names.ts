import { camelize, classify, humanize, pluralize, singularize, underscore } from '../support';
import { GeneratorErrors } from './errors';

/**
 * Class names a generated model or controller cannot take: what the generated files import from
 * stryke or the app, and JavaScript's own globals.
 */
const RESERVED_CLASSES = new Set([
  'ActiveRecord', 'ActionController', 'Application', 'ApplicationModel', 'ApplicationController', 'Model', 'Field',
  'Timestamps', 'Validates', 'BelongsTo', 'HasMany', 'Loaded', 'Relation', 'Resources', 'Controller', 'Before',
  'After', 'Get', 'Put', 'Patch', 'Delete', 'Route', 'Params', 'Flash', 'Errors', 'Service', 'Inject', 'Schema',
  'Object', 'Array', 'String', 'Number', 'Boolean', 'Date', 'Error', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise',
  'Symbol', 'Function', 'JSON', 'Math', 'RegExp', 'Record', 'Partial', 'BigInt', 'Buffer', 'Proxy', 'Reflect',
  'Intl', 'URL', 'Request', 'Response', 'Headers', 'Event', 'Node', 'Test',
]);

function splitWords(input: string): string {
  return underscore(input.trim());
}

function checkIdentifier(input: string): void {
  if (input.includes('/') || input.includes('::')) throw GeneratorErrors.BAD_NAME(input, 'namespaced names (admin/post) are for controllers only (stryke generate controller admin/dashboard); use a plain name such as AdminPost.');
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(input)) throw GeneratorErrors.BAD_NAME(input, 'use letters, digits and underscores, starting with a letter (Post, BlogPost, blog_post).');
}

/** `blog_posts` -> `blog_post`: only the last word changes number. */
function singularWords(words: string): string {
  const parts = words.split('_');
  parts[parts.length - 1] = singularize(parts[parts.length - 1]!);
  return parts.join('_');
}

function pluralWords(words: string): string {
  const parts = words.split('_');
  parts[parts.length - 1] = pluralize(parts[parts.length - 1]!);
  return parts.join('_');
}

/** Every spelling of a resource the templates need, from `Post`, `post`, `BlogPost` or `blog_post`. */
export interface ResourceNames {
  /** `BlogPost` */
  className: string;
  /** `blog_post` (app/models/blog_post.ts) */
  fileName: string;
  /** `blog_posts`: the table, the resource path segment, the views folder */
  plural: string;
  /** `blogPost`: a local variable, a view local */
  varName: string;
  /** `blogPosts` */
  pluralVar: string;
  /** `Blog post` */
  human: string;
  /** `Blog posts` */
  humanPlural: string;
  /** `BlogPostsController` */
  controllerClass: string;
  /** `blog_posts_controller` */
  controllerFile: string;
  /** Path helpers of the resource routes. */
  paths: { index: string; new: string; show: string; edit: string };
  /** `CreateBlogPosts` / `create_blog_posts` */
  migrationClass: string;
  migrationFile: string;
}

export function resourceNames(input: string): { names: ResourceNames; notes: string[] } {
  checkIdentifier(input);
  const notes: string[] = [];
  const words = splitWords(input);
  const singular = singularWords(words);
  if (singular !== words) notes.push(`"${input}" looks plural: using the singular "${classify(singular)}" for the model.`);
  const className = classify(singular);
  if (RESERVED_CLASSES.has(className)) throw GeneratorErrors.BAD_NAME(input, `${className} is a name the generated code already uses (stryke's API or a JavaScript global). Choose another.`);
  const plural = pluralWords(singular);
  const varName = camelize(singular);
  const pluralVar = camelize(plural);
  return {
    notes,
    names: {
      className,
      fileName: singular,
      plural,
      varName,
      pluralVar,
      human: humanize(singular),
      humanPlural: humanize(plural),
      controllerClass: `${classify(plural)}Controller`,
      controllerFile: `${plural}_controller`,
      paths: {
        index: `${pluralVar}Path`,
        new: `new${className}Path`,
        show: `${varName}Path`,
        edit: `edit${className}Path`,
      },
      migrationClass: `Create${classify(plural)}`,
      migrationFile: `create_${plural}`,
    },
  };
}

/** A scaffold needs distinct singular and plural route names (postsPath vs postPath). */
export function assertCountable(input: string, names: ResourceNames): void {
  if (names.plural === names.fileName) {
    throw GeneratorErrors.BAD_NAME(input, `its singular and plural are both "${names.plural}", so the index and show routes would share a name. Choose a countable name.`);
  }
}

export interface MigrationNames {
  /** `AddPriceToProducts` */
  className: string;
  /** `add_price_to_products` */
  fileName: string;
}

export function migrationNames(input: string): MigrationNames {
  checkIdentifier(input);
  const words = splitWords(input);
  return { className: classify(words), fileName: words };
}

export interface ControllerNames {
  /** `PagesController`; `AdminDashboardController` for `admin/dashboard` */
  className: string;
  /** `pages_controller`; `admin/dashboard_controller` */
  fileName: string;
  /** `pages`; `admin/dashboard`: the route prefix and the views folder */
  segment: string;
  human: string;
  /** How deep under app/controllers (and test/) the file is: 0, or 1 for `admin/dashboard`. */
  depth: number;
  /** The import of ApplicationController from the controller: `./application_controller`, `../application_controller`. */
  baseImport: string;
}

/** `Pages`, `pages`, or namespaced `admin/dashboard` (app/controllers/admin/dashboard_controller.ts). */
export function controllerNames(input: string): ControllerNames {
  const parts = input.split('/');
  if (parts.some((p) => !p)) throw GeneratorErrors.BAD_NAME(input, 'a namespaced name reads admin/dashboard: words separated by single slashes.');
  parts.forEach((p) => checkIdentifier(p));
  const dirs = parts.slice(0, -1).map(splitWords);
  const last = splitWords(parts[parts.length - 1]!).replace(/_controller$/, '');
  const segment = [...dirs, last].join('/');
  const flat = [...dirs, last].join('_');
  const className = `${classify(flat)}Controller`;
  if (RESERVED_CLASSES.has(className) || RESERVED_CLASSES.has(classify(flat))) throw GeneratorErrors.BAD_NAME(input, `${classify(flat)} is a name the generated code already uses. Choose another.`);
  return {
    className, fileName: [...dirs, `${last}_controller`].join('/'), segment, human: humanize(flat),
    depth: dirs.length, baseImport: dirs.length ? `${'../'.repeat(dirs.length)}application_controller` : './application_controller',
  };
}

export interface AppNames {
  /** The package name (`my-blog`). */
  packageName: string;
  /** The stem of database names (`my_blog` -> my_blog_development). */
  dbName: string;
  /** A title for the layout and README (`My blog`). */
  title: string;
}

export function appNames(base: string): AppNames {
  if (!/^[A-Za-z]/.test(base)) throw GeneratorErrors.BAD_APP_NAME(base, 'the name must start with a letter.');
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(base)) throw GeneratorErrors.BAD_APP_NAME(base, 'use letters, digits, "-", "_" and "." only.');
  const packageName = base.replace(/([a-z\d])([A-Z])/g, '$1-$2').toLowerCase().replace(/[_.]+/g, '-');
  if (packageName === 'stryke') throw GeneratorErrors.BAD_APP_NAME(base, 'an app named stryke would shadow the framework package it depends on.');
  const dbName = packageName.replace(/-+/g, '_');
  return { packageName, dbName, title: humanize(dbName) };
}

export interface MiddlewareNames {
  /** `RequestTiming` */
  className: string;
  /** `request_timing` (app/middleware/request_timing.ts) */
  fileName: string;
}

export function middlewareNames(input: string): MiddlewareNames {
  checkIdentifier(input);
  const fileName = splitWords(input);
  const className = fileName.split('_').filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  if (RESERVED_CLASSES.has(className)) throw GeneratorErrors.BAD_NAME(input, `${className} is a name the generated code already uses. Choose another.`);
  return { className, fileName };
}

export interface JobNames {
  /** `SendReportJob` */
  className: string;
  /** `send_report_job` (app/jobs/send_report_job.ts) */
  fileName: string;
  /** `Send report` */
  human: string;
}

/** `SendReport`, `send_report` or `SendReportJob` -> class `SendReportJob` in app/jobs/send_report_job.ts. */
export function jobNames(input: string): JobNames {
  checkIdentifier(input);
  const words = splitWords(input).replace(/_job$/, '');
  if (!words || words === 'job' || words === 'application') throw GeneratorErrors.BAD_NAME(input, 'name the job for what it does: SendReport, CleanupUploads.');
  const base = words.split('_').filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return { className: `${base}Job`, fileName: `${words}_job`, human: humanize(words) };
}

export interface MailerNames {
  /** `UserMailer` */
  className: string;
  /** `user_mailer` (app/mailers/user_mailer.ts, app/views/user_mailer/) */
  fileName: string;
  /** `User` */
  human: string;
}

/** `UserMailer`, `User` and `user_mailer` all name the mailer UserMailer. */
export function mailerNames(input: string): MailerNames {
  checkIdentifier(input);
  const words = splitWords(input).replace(/_mailer$/, '');
  if (!words || words === 'mailer' || words === 'application') throw GeneratorErrors.BAD_NAME(input, 'name the mailer for whom or what it writes to: UserMailer, OrderMailer.');
  const base = words.split('_').filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return { className: `${base}Mailer`, fileName: `${words}_mailer`, human: humanize(words) };
}

export interface ChannelNames {
  /** `ChatChannel` */
  className: string;
  /** `chat_channel` (app/channels/chat_channel.ts) */
  fileName: string;
  /** `chat`: the WebSocket path is /chat, the client snippet public/channels/chat.js */
  segment: string;
  /** `Chat` */
  human: string;
}

/** `Chat`, `chat` or `ChatChannel` -> class `ChatChannel` in app/channels/chat_channel.ts, served at /chat. */
export function channelNames(input: string): ChannelNames {
  checkIdentifier(input);
  const words = splitWords(input).replace(/_channel$/, '');
  if (!words || words === 'channel' || words === 'application' || words === 'action') throw GeneratorErrors.BAD_NAME(input, 'name the channel for what it carries: Chat, Notifications.');
  const base = words.split('_').filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return { className: `${base}Channel`, fileName: `${words}_channel`, segment: words.replace(/_/g, '-'), human: humanize(words) };
}
