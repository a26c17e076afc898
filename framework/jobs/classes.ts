import type * as BullMQ from 'bullmq';
import { bullmq } from './bullmq';

/**
 * BullMQ's classes, re-exported so an app uses the very copy of BullMQ its SQL backend was built against
 * (`import { Queue, Worker, FlowProducer } from 'stryke/jobs'`). Each is a getter that requires BullMQ on
 * first use, so loading `stryke/jobs` (every `@Job` class does, at boot) does not load BullMQ.
 */
const NAMES = {
  Queue: 'Queue',
  Worker: 'Worker',
  QueueEvents: 'QueueEvents',
  FlowProducer: 'FlowProducer',
  BullMQJob: 'Job',
  UnrecoverableError: 'UnrecoverableError',
  DelayedError: 'DelayedError',
  WaitingChildrenError: 'WaitingChildrenError',
  WaitingError: 'WaitingError',
  RateLimitError: 'RateLimitError',
} as const;

for (const [exported, name] of Object.entries(NAMES)) {
  Object.defineProperty(exports, exported, { enumerable: true, get: () => bullmq()[name] });
}

export declare const Queue: typeof BullMQ.Queue;
export declare const Worker: typeof BullMQ.Worker;
export declare const QueueEvents: typeof BullMQ.QueueEvents;
export declare const FlowProducer: typeof BullMQ.FlowProducer;
/** BullMQ's `Job` (stryke's `Job` is the decorator). */
export declare const BullMQJob: typeof BullMQ.Job;
export declare const UnrecoverableError: typeof BullMQ.UnrecoverableError;
export declare const DelayedError: typeof BullMQ.DelayedError;
export declare const WaitingChildrenError: typeof BullMQ.WaitingChildrenError;
export declare const WaitingError: typeof BullMQ.WaitingError;
export declare const RateLimitError: typeof BullMQ.RateLimitError;
