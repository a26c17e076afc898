import { StrykeError } from '../support';
import { onFailure, paint, type OutputOptions } from './output';

/**
 * How a command reports its long steps (compiling, migrating, building):
 * - `tty`: a spinner with the elapsed time while a step runs, then `✔ compiled the app (1.2s)`;
 * - `plain` (stdout is a file or a pipe): one line per step, `compiling the app … done (1.2s)`, its start
 *   written when the step starts (so a long compile says what it is doing while it runs) and its end when it
 *   ends; no carriage returns and no escape codes (unless FORCE_COLOR asks for colour);
 * - `quiet`: nothing (errors still reach stderr);
 * - `json`: one JSON object per line, for scripts.
 */
export type OutputMode = 'tty' | 'plain' | 'quiet' | 'json';

/** `--quiet` and `--json`, as output.ts defines them for every command. */
export type ModeOptions = OutputOptions;

/** The mode for these options and this stdout. */
export function outputMode(opts: ModeOptions = {}, stream: NodeJS.WriteStream = process.stdout): OutputMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  return stream.isTTY === true && process.env.TERM !== 'dumb' ? 'tty' : 'plain';
}

/** A step's names: what it is doing while it runs, and what it did once done. */
export interface StepLabels {
  /** A stable name for scripts (`--json`): `compile`, `migrate:20260101000000`, `install`. */
  id: string;
  doing: string;
  done: string;
}

/** A step under way. */
export interface Step {
  /** A line about the step (a migration's operations): shown under the step's own line. */
  detail(line: string): void;
  done(): void;
  fail(err: unknown): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR = '\r\x1b[2K';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** An error as JSON: its code and message, and what explains it (the compiler's diagnostics) when attached. */
function errorFields(err: unknown): { code?: string; message: string; output?: string } {
  const output = (err as { output?: unknown })?.output;
  const fields = err instanceof StrykeError ? { code: err.code, message: err.message } : { message: (err as Error)?.message ?? String(err) };
  return typeof output === 'string' && output ? { ...fields, output } : fields;
}

export class Progress {
  private active: { labels: StepLabels; started: number; details: string[] }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  /** plain mode: the step whose line is written up to `… ` and waits for its outcome. */
  private open: object | undefined;

  constructor(readonly mode: OutputMode, private readonly stream: NodeJS.WriteStream = process.stdout) {
    // In json mode the error that ends the command is also an `error` event on stdout, for scripts.
    if (mode === 'json') onFailure((err) => this.error(err));
  }

  static for(opts: ModeOptions = {}): Progress {
    return new Progress(outputMode(opts));
  }

  get json(): boolean {
    return this.mode === 'json';
  }

  get quiet(): boolean {
    return this.mode === 'quiet';
  }

  /** Writes one JSON event (json mode only). */
  event(event: string, data: Record<string, unknown> = {}): void {
    if (this.mode === 'json') this.stream.write(`${JSON.stringify({ event, ...data })}\n`);
  }

  /** A message that is not a step (`Created sqlite database db/dev.sqlite3`, `Wrote db/schema.json`). */
  info(message: string, data: Record<string, unknown> = {}): void {
    if (this.mode === 'json') this.event('info', { message, ...data });
    else if (this.mode !== 'quiet') this.line(message);
  }

  /** The command's result, for scripts: a `result` event in json mode, nothing otherwise. */
  result(data: Record<string, unknown>): void {
    this.event('result', data);
  }

  /** Reports an error that ends the command (json mode: an `error` event). */
  error(err: unknown): void {
    this.event('error', errorFields(err));
  }

  /** Starts a step; the caller ends it with done() or fail(). */
  begin(labels: StepLabels): Step {
    const entry = { labels, started: Date.now(), details: [] as string[] };
    this.active.push(entry);
    this.event('step', { id: labels.id, status: 'start', label: labels.doing });
    if (this.mode === 'tty') this.spin();
    if (this.mode === 'plain') {
      this.closeOpenLine();
      this.stream.write(`${labels.doing} … `);
      this.open = entry;
    }
    let ended = false;
    const end = (ok: boolean, err?: unknown) => {
      if (ended) return;
      ended = true;
      this.active = this.active.filter((e) => e !== entry);
      if (!this.active.length) this.stopSpinning();
      const ms = Date.now() - entry.started;
      switch (this.mode) {
        case 'json':
          this.event('step', ok
            ? { id: labels.id, status: 'done', label: labels.done, ms }
            : { id: labels.id, status: 'failed', label: labels.doing, ms, error: errorFields(err) });
          break;
        case 'tty':
          this.line(ok ? `${paint.green('✔')} ${labels.done} ${paint.dim(`(${seconds(ms)})`)}` : `${paint.red('✖')} ${labels.doing} ${paint.red('failed')} ${paint.dim(`(${seconds(ms)})`)}`);
          break;
        case 'plain': {
          const outcome = `${ok ? paint.green('done') : paint.red('failed')} (${seconds(ms)})`;
          if (this.open === entry) {
            this.open = undefined;
            this.stream.write(`${outcome}\n`);
          } else this.line(`${labels.doing} … ${outcome}`);
          break;
        }
        default:
      }
      if (this.mode === 'tty' || this.mode === 'plain') for (const d of entry.details) this.line(`  ${d}`);
    };
    return {
      detail: (line: string) => {
        if (this.mode === 'json') this.event('detail', { step: labels.id, message: line.trim() });
        else entry.details.push(line);
      },
      done: () => end(true),
      fail: (err: unknown) => end(false, err),
    };
  }

  /** Runs `fn` as a step: its line says done or failed, and its error is rethrown. */
  async step<T>(labels: StepLabels, fn: (step: Step) => Promise<T> | T): Promise<T> {
    const s = this.begin(labels);
    try {
      const value = await fn(s);
      s.done();
      return value;
    } catch (err) {
      s.fail(err);
      throw err;
    }
  }

  /** A step whose work is synchronous (the spinner cannot turn while it runs; its line still reports it). */
  stepSync<T>(labels: StepLabels, fn: (step: Step) => T): T {
    const s = this.begin(labels);
    try {
      const value = fn(s);
      s.done();
      return value;
    } catch (err) {
      s.fail(err);
      throw err;
    }
  }

  /** Writes a whole line, above the spinner when one is turning. */
  line(text: string): void {
    if (this.mode === 'quiet' || this.mode === 'json') return;
    this.closeOpenLine();
    if (this.timer) this.stream.write(CLEAR);
    this.stream.write(`${text}\n`);
    if (this.timer) this.render();
  }

  /** plain mode: ends a step's started line (`compiling the app … `) before another line is written. */
  private closeOpenLine(): void {
    if (!this.open) return;
    this.open = undefined;
    this.stream.write('\n');
  }

  private spin(): void {
    if (!this.timer) {
      this.timer = setInterval(() => this.render(), 80);
      this.timer.unref();
    }
    this.render();
  }

  private render(): void {
    const top = this.active.at(-1);
    if (!top) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = seconds(Date.now() - top.started);
    this.stream.write(`${CLEAR}${paint.yellow(FRAMES[this.frame]!)} ${top.labels.doing}… ${paint.dim(elapsed)}`);
  }

  private stopSpinning(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write(CLEAR);
  }
}
