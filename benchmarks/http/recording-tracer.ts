/**
 * A recording TracerProvider for the benchmarks (`stryke-tracing`): what an SDK's tracer does on the request
 * path, without an exporter's network work. Each span gets random ids (as the SDK's id generator makes them),
 * its attributes, name changes and status are kept, and an ended span goes into a fixed ring of 2,048 (a
 * batch processor's queue). @opentelemetry/sdk-trace-base is not a dependency of this repository.
 */
import { trace, type Context, type Span, type SpanContext, type SpanKind, type Tracer, type TracerProvider } from '@opentelemetry/api';

interface Recorded {
  name: string;
  kind: SpanKind;
  context: SpanContext;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status?: number;
  start: number;
  end?: number;
}

/**
 * Random ids as an SDK's id generator makes them: 32-bit random words written into one reused buffer, read back as
 * hex (a per-byte string loop cost several times as much, and its garbage, and was the benchmark's, not tracing's).
 */
const idBuffer = Buffer.allocUnsafe(16);
const hex = (bytes: number) => {
  for (let i = 0; i < bytes; i += 4) idBuffer.writeUInt32BE((Math.random() * 0x100000000) >>> 0, i);
  return idBuffer.toString('hex', 0, bytes);
};

export class RecordingProvider implements TracerProvider {
  readonly ring: Recorded[] = new Array(2048);
  ended = 0;

  getTracer(): Tracer {
    const start = (name: string, options: { kind?: SpanKind; attributes?: Record<string, unknown> } = {}, ctx?: Context): Span => {
      const parent = ctx ? trace.getSpanContext(ctx) : undefined;
      const rec: Recorded = {
        name, kind: options.kind ?? 0, context: { traceId: parent?.traceId ?? hex(16), spanId: hex(8), traceFlags: 1 },
        parentSpanId: parent?.spanId, attributes: { ...(options.attributes ?? {}) }, start: performance.now(),
      };
      const span: Span = {
        spanContext: () => rec.context,
        setAttribute: (k, v) => ((rec.attributes[k] = v), span),
        setAttributes: (a) => (Object.assign(rec.attributes, a), span),
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus: (s) => ((rec.status = s.code), span),
        updateName: (n) => ((rec.name = n), span),
        end: () => {
          rec.end = performance.now();
          this.ring[this.ended++ & 2047] = rec;
        },
        isRecording: () => rec.end === undefined,
        recordException: () => undefined,
      };
      return span;
    };
    return {
      startSpan: start,
      startActiveSpan: ((name: string, ...rest: any[]) => rest[rest.length - 1](start(name))) as Tracer['startActiveSpan'],
    };
  }
}
