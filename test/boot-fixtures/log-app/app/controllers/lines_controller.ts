import { ActionController, Controller, Get } from 'stryke';
import { log } from 'stryke/observability';

/** Actions that log, fail or do neither (test/http/request-logger.test.ts). */
@Controller('/lines')
export class LinesController extends ActionController {
  @Get('/ok')
  ok() {
    return 'fine';
  }

  @Get('/boom')
  boom() {
    throw new Error('the boom detail');
  }

  @Get('/warn')
  warn() {
    this.log.warn({ item: 7 }, 'careful now');
    this.log.info('an info line');
    return 'warned';
  }

  @Get('/request-log')
  requestLog() {
    this.request.log.error({ password: 'hunter2', user: 'ann' }, 'sign-in trouble');
    return 'logged';
  }

  @Get('/app-log')
  appLog() {
    log().warn('through the app logger');
    return 'logged';
  }
}
