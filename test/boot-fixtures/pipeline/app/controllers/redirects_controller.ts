import { ActionController, Controller, Get, Post } from 'stryke';

/** Redirects to a location from the request, as `return_to` parameters do; and errors with internal codes. */
@Controller('/redirects')
export class RedirectsController extends ActionController {
  @Get('/go')
  go() {
    return this.redirectTo(String(this.params.to));
  }

  @Get('/away')
  away() {
    return this.redirectTo(String(this.params.to), { allowOtherHost: true });
  }

  @Get('/sql')
  sql() {
    // A real driver error, with its internal code (SQLITE_ERROR).
    const Sqlite = require('better-sqlite3');
    return new Sqlite(':memory:').prepare('SELECT * FROM no_such_table').all();
  }

  @Post('/form')
  form() {
    return { fields: Object.keys(this.params.toObject()).length };
  }

  @Get('/query')
  query() {
    return { fields: Object.keys(this.params.toObject()).length };
  }
}
