import { ActionController, Controller, Get } from 'stryke';

@Controller('/things')
export class FirstController extends ActionController {
  @Get('/:id')
  show() {
    return {};
  }
}
