/**
 * stryke: what an app commonly uses, picked from the concerns' indexes. Each user-facing concern is also its own
 * subpath (`stryke/routing`, `stryke/orm`, `stryke/channels`...; package.json "exports", docs/architecture.md);
 * jobs, mailers and testing are on their subpaths only.
 */
import 'reflect-metadata';

export { createApp, paths, type App, type CreateAppOptions, type JobWorkersStart } from './app';
export {
  Controller, Resources, Route, Get, Post, Put, Patch, Delete, Sse, Ws, Member, Collection, Before, After, Around, SkipBefore,
  SkipAfter, SkipAround, Use, routes, type RouteBuilder, type RouteSet, type RouteDef, type PathHelpers, type PathParam,
  type QueryParams, type AppPaths, type TypedPaths,
} from './routing';
export type { SseStream, SseEvent } from './http';
export type { Middleware } from './http';
/** fastify's request and reply, as controllers and middleware see them (apps need not depend on fastify). */
export type { FastifyRequest as Request, FastifyReply as Reply } from 'fastify';
export { ActionController, type RenderOptions, type RedirectOptions } from './http';
export { Params, type ParamValue, type UploadedFile } from './http';
export { Flash } from './http';
export { Service, Inject } from './di';
export {
  Model, Field, Timestamps, SoftDelete, BelongsTo, HasMany, HasOne, Validates, Validate, BeforeValidation, AfterValidation,
  BeforeSave, AfterSave, BeforeCreate, AfterCreate, BeforeUpdate, AfterUpdate, BeforeDestroy, AfterDestroy, AfterCommit,
  AfterRollback, ActiveRecord, Abort, Relation, CollectionProxy, range, scope, Errors, type Scope, type Loaded, type Page,
  type RelationOf, type Conditions, type Attributes, type FieldName, type AssociationName, type Includes, type ColumnName, type ModelClass,
} from './orm';
export { gt, gte, lt, lte, anyOf, not, ne, Operator } from './orm';
export { SharedPoll } from './http';
// The migration runner and its schema engine load only with the migration commands: `migration` is a one-line builder.
export { migration, type Schema, type TableBuilder } from './migrations';
export { loadConfig, currentEnv } from './config';
export { StrykeError } from './support';
export {
  HasOneAttached, HasManyAttached, AttachedOne, AttachedMany, Upload, loadAttached, urlFor, createStorageTables, type Blob, type UrlOptions,
} from './storage';
export {
  Password, RequireAuth, AllowAnonymous, Authenticator, forbidden, takeReturnTo, safeReturnTo, currentUserOf, hashPassword,
  verifyPassword, verifyDummy, needsRehash, configurePasswordHashing, passwordHashing, newSecret, digestSecret, secretMatches,
  formatToken, parseToken, MAX_PASSWORD_BYTES, type PasswordOptions, type PasswordHashing, type AuthContext, type UserResolver,
} from './auth';
export { cache, type CacheOptions } from './cache';
export { RateLimit, setRateLimitUserResolver, type RateLimitOptions, type RateLimitUserResolver } from './rate-limit';
export {
  Channel, Action, ActionChannel, broadcastTo, presence, setChannelUserResolver, channelsClientPath, type ChannelOptions,
  type JoinOptions, type PresenceMember, type CurrentUserResolver,
} from './channels';
export { admin, requireAdmin, defineAdmin, type AdminOptions } from './admin';
export { pwa, type PwaOptions } from './pwa';
