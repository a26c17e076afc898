import { ActionController, Controller, Get } from 'stryke';

@Controller('/things')
export class SecondController extends ActionController {
  @Get('/:slug')
  find() {
    return {};
  }
}
