/**
 * The registry: plain records that decorators write when a class is defined. Nothing here reflects
 * or composes; the boot pipeline (framework/app) reads these records once and builds the container,
 * the routes and the model schema from them.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type Constructor<T = any> = new (...args: any[]) => T;

export interface RouteDecl {
  method: HttpMethod;
  path: string;
  action: string;
  name?: string;
  source: string;
}

export interface FilterDecl {
  kind: 'before' | 'after';
  method: string;
  only?: string[];
  except?: string[];
  source: string;
}

export interface ResourcesDecl {
  name: string;
  only?: string[];
  except?: string[];
}

export interface ControllerDecl {
  target: Constructor;
  prefix: string;
  resources?: ResourcesDecl;
  routes: RouteDecl[];
  filters: FilterDecl[];
  source: string;
}

export type FieldType =
  | 'string' | 'text' | 'integer' | 'bigint' | 'float' | 'decimal' | 'boolean'
  | 'date' | 'datetime' | 'json' | 'uuid';

export interface FieldDecl {
  property: string;
  column: string;
  type: FieldType;
  primary: boolean;
  nullable: boolean;
  limit?: number;
  default?: unknown;
  /** `createdAt`/`updatedAt`, filled by the model on insert/update. */
  timestamp?: 'create' | 'update';
}

export interface AssociationDecl {
  kind: 'belongsTo' | 'hasMany';
  property: string;
  target: () => Constructor;
  foreignKey?: string;
  source: string;
}

export interface ValidationDecl {
  property: string;
  rules: Record<string, unknown>;
}

export interface ModelDecl {
  target: Constructor;
  table: string;
  fields: FieldDecl[];
  associations: AssociationDecl[];
  validations: ValidationDecl[];
  callbacks: { event: string; method: string }[];
  source: string;
}

export interface ServiceDecl {
  target: Constructor;
  source: string;
}

class Registry {
  readonly controllers = new Map<Function, ControllerDecl>();
  readonly models = new Map<Function, ModelDecl>();
  readonly services = new Map<Function, ServiceDecl>();

  controller(target: Function): ControllerDecl {
    let decl = this.controllers.get(target);
    if (!decl) {
      decl = { target: target as Constructor, prefix: '', routes: [], filters: [], source: '' };
      this.controllers.set(target, decl);
    }
    return decl;
  }

  model(target: Function): ModelDecl {
    let decl = this.models.get(target);
    if (!decl) {
      decl = { target: target as Constructor, table: '', fields: [], associations: [], validations: [], callbacks: [], source: '' };
      this.models.set(target, decl);
    }
    return decl;
  }

  /** Declarations whose class was defined in a file under `dir` (one app's compiled code). */
  within<T extends { source: string }>(map: Map<Function, T>, dir: string): T[] {
    return [...map.values()].filter((d) => d.source.startsWith(dir));
  }
}

/** One registry per process, shared by every copy of the framework module that might be loaded. */
const KEY = Symbol.for('stryke.registry');
export const registry: Registry = ((globalThis as any)[KEY] ??= new Registry());
