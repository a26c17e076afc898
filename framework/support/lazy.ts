/**
 * A module's exports, loaded on first use: `const { createDatabase } = lazyModule(() => require('./admin') as
 * typeof Admin)`. Each export is a stand-in that requires the module when it is first called, constructed or
 * read from (`Database.connect`), so a command line that registers forty commands loads only what the one it
 * runs uses: `stryke --help` answers without loading fastify, TypeORM or Handlebars. For exported functions
 * and classes only: a constant or an object export is not a function, so import those directly.
 */
export function lazyModule<T extends object>(load: () => T): T {
  let mod: T | undefined;
  const stands = new Map<PropertyKey, unknown>();
  const real = (key: PropertyKey) => (mod ??= load())[key as keyof T] as unknown as (...a: unknown[]) => unknown;
  return new Proxy({} as T, {
    get(_target, key) {
      let stand = stands.get(key);
      if (!stand) {
        stand = new Proxy(function lazyExport() {}, {
          apply: (_f, self, args) => Reflect.apply(real(key), self, args),
          construct: (_f, args) => Reflect.construct(real(key), args) as object,
          get: (_f, prop) => Reflect.get(real(key), prop),
        });
        stands.set(key, stand);
      }
      return stand;
    },
  });
}
