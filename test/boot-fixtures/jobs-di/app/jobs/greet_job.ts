import { ApplicationJob, Job } from 'stryke/jobs';
import { Greeter } from '../services/greeter';

/** Performs through a service the container gives its constructor. */
@Job({ queue: 'greetings' })
export class GreetJob extends ApplicationJob {
  constructor(private readonly greeter: Greeter) {
    super();
  }

  async perform(name: string) {
    return this.greeter.greet(name);
  }
}
