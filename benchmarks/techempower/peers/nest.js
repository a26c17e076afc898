'use strict';
/**
 * NestJS on its fastify adapter with TypeORM (the repository pattern of @nestjs/typeorm): TechEmpower's seven
 * tests. Plain JavaScript, so the decorators are applied by hand (`Reflect.decorate`) and the entities are
 * EntitySchemas; what runs is what the usual TypeScript decorators produce. `node nest.js <port>`
 */
require('reflect-metadata');
const { Module, Controller, Get, Header, Query, Inject } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { TypeOrmModule, getRepositoryToken } = require('@nestjs/typeorm');
const { EntitySchema } = require('typeorm');
const c = require('./common');

const World = new EntitySchema({
  name: 'World', tableName: 'world',
  columns: { id: { type: 'int', primary: true }, randomNumber: { type: 'int', name: 'randomNumber' } },
});
const Fortune = new EntitySchema({
  name: 'Fortune', tableName: 'fortune',
  columns: { id: { type: 'int', primary: true }, message: { type: 'varchar' } },
});

const cached = new c.WorldCache();

class BenchController {
  constructor(worlds, fortunes) {
    this.worlds = worlds;
    this.fortunesRepo = fortunes;
  }
  plaintext() {
    return 'Hello, World!';
  }
  json() {
    return { message: 'Hello, World!' };
  }
  db() {
    return this.worlds.findOneBy({ id: c.randomId() });
  }
  queries(queries) {
    return Promise.all(Array.from({ length: c.queryCount(queries) }, () => this.worlds.findOneBy({ id: c.randomId() })));
  }
  async fortunes() {
    return c.fortunesPage({ fortunes: c.addAndSort(await this.fortunesRepo.find()) });
  }
  async updates(queries) {
    const worlds = await Promise.all(Array.from({ length: c.queryCount(queries) }, () => this.worlds.findOneBy({ id: c.randomId() })));
    for (const w of worlds) w.randomNumber = c.randomId();
    await this.worlds.save(c.distinct(worlds));
    return worlds;
  }
  cachedQueries(count) {
    return Promise.all(Array.from({ length: c.queryCount(count) }, () => cached.fetch(c.randomId(), (id) => this.worlds.findOneBy({ id }))));
  }
}

function route(name, decorators) {
  const proto = BenchController.prototype;
  const desc = Reflect.decorate(decorators, proto, name, Object.getOwnPropertyDescriptor(proto, name));
  Object.defineProperty(proto, name, desc);
}
function param(name, index, decorator) {
  decorator(BenchController.prototype, name, index);
}
route('plaintext', [Get('plaintext'), Header('content-type', 'text/plain')]);
route('json', [Get('json')]);
route('db', [Get('db')]);
route('queries', [Get('queries')]);
param('queries', 0, Query('queries'));
route('fortunes', [Get('fortunes'), Header('content-type', 'text/html; charset=utf-8')]);
route('updates', [Get('updates')]);
param('updates', 0, Query('queries'));
route('cachedQueries', [Get('cached-queries')]);
param('cachedQueries', 0, Query('count'));
Inject(getRepositoryToken(World))(BenchController, undefined, 0);
Inject(getRepositoryToken(Fortune))(BenchController, undefined, 1);
Reflect.decorate([Controller()], BenchController);

class AppModule {}
Reflect.decorate([Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres', ...(({ max, user, ...o }) => ({ ...o, username: user, poolSize: max }))(c.pgOptions()),
      entities: [World, Fortune], synchronize: false, logging: false,
    }),
    TypeOrmModule.forFeature([World, Fortune]),
  ],
  controllers: [BenchController],
})], AppModule);

(async () => {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  await app.listen(c.port(), '127.0.0.1');
  process.send?.('ready');
})();
