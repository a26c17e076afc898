// performLater, performAt, performIn and performNow take exactly what the job's perform takes.
import { Cleanup, SendDigest } from './app';

export async function enqueue(): Promise<void> {
  await SendDigest.performLater(1, 'Weekly');
  await SendDigest.performLater(1, 'Weekly', { urgent: true });
  await SendDigest.performIn(1000, 1, 'Weekly');
  await SendDigest.performAt(new Date(), 1, 'Weekly');
  await Cleanup.performLater();
  const done: void = await SendDigest.performNow(1, 'x');
  void done;

  // @ts-expect-error: the first argument is a number
  await SendDigest.performLater('1', 'Weekly');
  // @ts-expect-error: a missing argument
  await SendDigest.performLater(1);
  // @ts-expect-error: one too many
  await Cleanup.performLater(1);
  // @ts-expect-error: the options' shape is checked
  await SendDigest.performLater(1, 'Weekly', { urgent: 'yes' });
  // @ts-expect-error: performIn's delay comes first
  await SendDigest.performIn(1, 'Weekly');
}
