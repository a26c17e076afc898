import { After, Controller, Get, Post, SkipBefore, Use } from 'stryke';
import { CreateWidget } from '../dto/create_widget';
import { RequireToken } from '../middleware/require_token';
import { ApplicationController } from './application_controller';

@Controller('/reports')
@SkipBefore('loadUser', { only: ['open'] })
@After('close', { only: ['index'] })
export class ReportsController extends ApplicationController {
  @Get('/')
  index() {
    this.trail.push('action');
    return { trail: this.trail }; // serialized after the filters ran, so it shows them all
  }

  @Get('/open')
  open() {
    return { trail: this.trail };
  }

  @Get('/secret')
  @Use(RequireToken)
  secret() {
    return { secret: true };
  }

  @Get('/own-nosniff')
  ownNosniff() {
    this.reply.header('X-Content-Type-Options', 'nosniff');
    return 'mine';
  }

  @Get('/typed/:id', { params: { id: 'integer' } })
  typed() {
    return { id: this.params.id, type: typeof this.params.id };
  }

  @Post('/widgets', { body: CreateWidget })
  widget() {
    return this.json({ widget: this.body, isDto: this.body instanceof CreateWidget }, { status: 201 });
  }

  @Post('/tiny', { bodyLimit: 16 })
  tiny() {
    return { ok: true };
  }

  @Post('/strict')
  strict() {
    return { permitted: this.params.require('item').permit('name') };
  }

  @Get('/boom')
  boom() {
    throw new Error('secret internal detail');
  }

  @Get('/session')
  touch() {
    this.session.set('seen', true);
    return { ok: true };
  }

  private close() {
    this.trail.push('after');
  }
}
