import { ActionController, Controller, Get } from 'stryke';

/** The TechEmpower plaintext and JSON tests, as a stryke controller with the default pipeline. */
@Controller('/')
export class BenchController extends ActionController {
  @Get('/plaintext')
  plaintext() {
    this.reply.header('content-type', 'text/plain');
    return 'Hello, World!';
  }

  @Get('/json')
  jsonTest() {
    return { message: 'Hello, World!' };
  }
}
