import { ActionController, Controller, Get } from 'stryke';
import { AService } from '../services/a_service';

@Controller('/cycle')
export class CycleController extends ActionController {
  constructor(readonly a: AService) {
    super();
  }

  @Get('/')
  index() {
    return {};
  }
}
