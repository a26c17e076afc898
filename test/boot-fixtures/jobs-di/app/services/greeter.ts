import { Inject, Service } from 'stryke';

let built = 0;

/** A service a job asks for in its constructor; it counts its instances (one per container). */
@Service()
export class Greeter {
  readonly serial = ++built;
  constructor(@Inject('config') private readonly config: { app?: { name?: string } }) {}

  greet(name: string): string {
    return `Hello, ${name}, from ${this.config.app?.name ?? 'an app'} (greeter #${this.serial})`;
  }
}
