import { Service } from 'stryke';

@Service()
export class Clock {
  now() {
    return new Date('2026-01-02T03:04:05Z');
  }
}
