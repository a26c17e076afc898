import { Service } from 'stryke';

@Service()
export class Greeter {
  greet(name: string): string {
    return `hello, ${name}`;
  }
}
