import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootFixture } from '../support/boot-fixture';

describe('boot: the DI container', () => {
  it('injects constructor dependencies, as singletons resolved once', async () => {
    const app = await bootFixture('di-ok');
    try {
      const first = await app.server.inject({ url: '/greetings/ada' });
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().text, 'hello ada at 2026-01-02T03:04:05.000Z');
      const second = await app.server.inject({ url: '/greetings/bob' });
      assert.equal(second.json().calls, 2, 'one Greeter shared by every request');
    } finally {
      await app.close();
    }
  });

  it('fails boot on a missing dependency, naming the whole chain', async () => {
    await assert.rejects(bootFixture('di-missing'), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_DI_MISSING_DEPENDENCY');
      assert.match(err.message, /ReportsController -> ReportService/);
      assert.match(err.message, /interface or primitive/);
      return true;
    });
  });

  it('fails boot on a circular dependency, naming the chain', async () => {
    await assert.rejects(bootFixture('di-cycle'), (err: any) => {
      assert.ok(['STRYKE_E_DI_CIRCULAR_DEPENDENCY', 'STRYKE_E_DI_MISSING_DEPENDENCY'].includes(err.code), err.message);
      assert.match(err.message, /CycleController -> AService -> BService/);
      assert.match(err.message, /circular/i);
      return true;
    });
  });
});

describe('boot: the route table', () => {
  it('fails on a duplicate route, naming both declarations', async () => {
    await assert.rejects(bootFixture('dup-routes'), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_ROUTING_DUPLICATE_ROUTE');
      assert.match(err.message, /FirstController#show \(.*first_controller\.js:\d+\)/);
      assert.match(err.message, /SecondController#find \(.*second_controller\.js:\d+\)/);
      return true;
    });
  });
});

describe('boot: action names', () => {
  it('refuses an action that would hide a controller helper', async () => {
    await assert.rejects(bootFixture('reserved-action'), (err: any) => {
      assert.equal(err.code, 'STRYKE_E_ROUTING_RESERVED_ACTION');
      assert.match(err.message, /ApiController#json/);
      return true;
    });
  });
});
