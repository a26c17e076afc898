import { Service } from 'stryke';
import { Clock } from './clock';

@Service()
export class Greeter {
  calls = 0;
  constructor(private readonly clock: Clock) {}
  greet(name: string) {
    this.calls++;
    return `hello ${name} at ${this.clock.now().toISOString()}`;
  }
}
