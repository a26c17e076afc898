import { ActionController, Controller, Get } from 'stryke';

@Controller('/api')
export class ApiController extends ActionController {
  @Get('/json')
  override json() {
    return super.json({ shadowed: true });
  }
}
