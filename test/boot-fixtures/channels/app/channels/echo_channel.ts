import { Action, ActionChannel, Channel } from 'stryke';

/** The decorator form: routes itself. */
@Channel('/echo')
export class EchoChannel extends ActionChannel {
  @Action()
  echo(data: unknown) {
    return data;
  }

  @Action()
  flood(data: { n: number; size: number }) {
    const chunk = 'x'.repeat(data.size);
    for (let i = 0; i < data.n; i++) this.send('chunk', chunk);
  }
}
