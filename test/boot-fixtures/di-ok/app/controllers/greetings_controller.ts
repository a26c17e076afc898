import { ActionController, After, Before, Controller, Get, Post } from 'stryke';
import { Greeter } from '../services/greeter';

@Controller('/greetings')
@Before('stamp', { except: ['plain'] })
@Before('halt', { only: ['halted'] })
@After('trail', { only: ['show'] })
export class GreetingsController extends ActionController {
  private order: string[] = [];
  constructor(private readonly greeter: Greeter) {
    super();
  }

  @Get('/:name')
  show() {
    this.order.push('action');
    return { text: this.greeter.greet(String(this.params.name)), calls: this.greeter.calls, order: this.order, query: this.params.toObject() };
  }

  @Get('/plain/text', { as: 'plain' })
  plain() {
    return 'just text';
  }

  @Get('/halted/now')
  halted() {
    return { reached: true };
  }

  @Get('/token/new', { as: 'token' })
  token() {
    return { token: this.csrfToken() };
  }

  @Post('/echo')
  echo() {
    return { params: this.params.toObject(), permitted: this.params.require('item').permit('name', { tags: [] }, { meta: {} }) };
  }

  private stamp() {
    this.order = ['before'];
  }

  private halt() {
    return this.head(401);
  }

  private trail() {
    this.order.push('after');
  }
}
