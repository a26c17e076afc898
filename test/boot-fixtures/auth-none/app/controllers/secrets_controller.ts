import { ActionController, Controller, Get, RequireAuth } from 'stryke';

/** @RequireAuth() in an app without an @Authenticator(): boot fails, naming this route. */
@Controller('/secrets')
export class SecretsController extends ActionController {
  @Get('/')
  @RequireAuth()
  index() {
    return { secret: true };
  }
}
