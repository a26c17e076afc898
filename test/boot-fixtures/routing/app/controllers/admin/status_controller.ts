import { ActionController, Controller, Get } from 'stryke';

@Controller('/status', { namespace: 'ops', host: 'ops.example.com' })
export class StatusController extends ActionController {
  @Get('/')
  show() {
    return { ok: true };
  }
}
