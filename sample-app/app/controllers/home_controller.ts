import { Controller, Get } from 'stryke';
import { ApplicationController } from './application_controller';

@Controller('/')
export class HomeController extends ApplicationController {
  @Get('/', { as: 'root' })
  index() {
    return this.redirectTo(this.paths.postsPath(), { status: 302 });
  }
}
