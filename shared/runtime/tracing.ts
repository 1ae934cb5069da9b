/**
 * OpenTelemetry traces, configured by the standard `OTEL_*` variables (see `config.ts`). With no
 * OTLP endpoint, tracing is off and costs nothing: no OpenTelemetry module is loaded, and every
 * span below is a plain call of its function. With one, each process (API, worker) has its own
 * tracer provider and service name, and a trace crosses the queue as a W3C `traceparent` in the
 * job's data (ids and flags only).
 */
import type { Context as OtelContext, Span, Tracer } from "@opentelemetry/api";
import type { TracingConfig, TraceSampler } from "./config.js";
import type { Logger } from "./log.js";

export type SpanKindName = "server" | "client" | "producer" | "consumer" | "internal";
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** The W3C trace context a span continues (`traceparent`, `tracestate` headers). */
export interface W3cParent {
  readonly traceparent: string | undefined;
  readonly tracestate?: string | undefined;
}

export interface SpanOptions {
  readonly kind?: SpanKindName;
  readonly attributes?: SpanAttributes;
  /**
   * Continue this context (a fresh trace when it is absent or malformed) instead of the span active
   * where the call is made.
   */
  readonly parent?: W3cParent;
}

/** What the code inside a span may know of it and add to it. */
export interface SpanScope {
  /** The trace's id (32 hex characters) when the span is recorded; null when untraced or not sampled. */
  readonly traceId: string | null;
  /** The span's context as a W3C `traceparent`, for the next hop; undefined when untraced. */
  readonly traceparent: string | undefined;
  setAttributes(attributes: SpanAttributes): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` inside a span that ends when its promise settles (a rejection marks it as an error). */
  inSpan<T>(name: string, options: SpanOptions, fn: (span: SpanScope) => Promise<T>): Promise<T>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

const UNTRACED: SpanScope = Object.freeze({ traceId: null, traceparent: undefined, setAttributes: () => undefined });

/** Tracing off: each span is just its function. */
export const NO_TRACING: Tracing = Object.freeze({
  enabled: false,
  inSpan: <T>(_name: string, _options: SpanOptions, fn: (span: SpanScope) => Promise<T>) => fn(UNTRACED),
  shutdown: async () => undefined,
});

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace id of a W3C `traceparent` whose sampled flag is set; null for none, a malformed one,
 * an all-zero id or an unsampled one (its spans are not recorded anywhere).
 */
export function sampledTraceId(traceparent: string | undefined): string | null {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match === null || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return (parseInt(match[3]!, 16) & 1) === 1 ? match[1]! : null;
}

/** The default `service.name` of each process. */
export const SERVICE_NAMES = { api: "predownload-api", worker: "predownload-worker" } as const;

/**
 * Starts tracing for one process. Without an endpoint this resolves {@link NO_TRACING} and loads
 * nothing; with one, the SDK is imported here, at start, and spans go to the endpoint in batches.
 */
export async function startTracing(config: TracingConfig, role: keyof typeof SERVICE_NAMES, log: Logger): Promise<Tracing> {
  if (config.tracesEndpoint === undefined) return NO_TRACING;
  const [api, sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, { OTLPTraceExporter }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/resources"),
    config.protocol === "http/json" ? import("@opentelemetry/exporter-trace-otlp-http") : import("@opentelemetry/exporter-trace-otlp-proto"),
  ]);
  // One context manager per process (the API and a worker may share one, as in the tests); each
  // role keeps a provider of its own, so that each reports under its own service name.
  if (!contextManagerSet) {
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const exporter = new OTLPTraceExporter({ url: config.tracesEndpoint, headers: { ...config.headers } });
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ ...config.resourceAttributes, "service.name": config.serviceName ?? SERVICE_NAMES[role] }),
    sampler: sampler(sdk, config.sampler, config.samplerRatio),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: config.scheduleDelayMs })],
  });
  const tracer: Tracer = provider.getTracer("predownload-service");
  const propagator = new W3CTraceContextPropagator();
  const getter = {
    get: (carrier: W3cParent, key: string) => (key === "traceparent" ? carrier.traceparent : key === "tracestate" ? carrier.tracestate : undefined),
    keys: () => ["traceparent", "tracestate"],
  };
  const kinds: Record<SpanKindName, number> = {
    server: api.SpanKind.SERVER,
    client: api.SpanKind.CLIENT,
    producer: api.SpanKind.PRODUCER,
    consumer: api.SpanKind.CONSUMER,
    internal: api.SpanKind.INTERNAL,
  };
  log.info({ endpoint: redactedEndpoint(config.tracesEndpoint), protocol: config.protocol, sampler: config.sampler }, "tracing on");

  function scope(span: Span, context: OtelContext): SpanScope {
    const sampled = (span.spanContext().traceFlags & api.TraceFlags.SAMPLED) === api.TraceFlags.SAMPLED;
    const carrier: Record<string, string> = {};
    propagator.inject(context, carrier, api.defaultTextMapSetter);
    return {
      traceId: sampled ? span.spanContext().traceId : null,
      traceparent: carrier.traceparent,
      setAttributes: (attributes) => span.setAttributes(attributes),
    };
  }

  return {
    enabled: true,
    async inSpan(name, options, fn) {
      const parent = options.parent === undefined ? api.context.active() : propagator.extract(api.ROOT_CONTEXT, options.parent, getter);
      const span = tracer.startSpan(name, { kind: kinds[options.kind ?? "internal"], attributes: options.attributes }, parent);
      const context = api.trace.setSpan(parent, span);
      try {
        return await api.context.with(context, () => fn(scope(span, context)));
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => log.warn({ err: error }, "spans could not all be exported at shutdown"));
    },
  };
}

let contextManagerSet = false;

type Sdk = typeof import("@opentelemetry/sdk-trace");

function sampler(sdk: Sdk, name: TraceSampler, ratio: number) {
  switch (name) {
    case "always_on":
      return new sdk.AlwaysOnSampler();
    case "always_off":
      return new sdk.AlwaysOffSampler();
    case "traceidratio":
      return new sdk.TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case "parentbased_always_off":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) });
  }
}

/** The endpoint without user info or query, which may hold credentials. */
function redactedEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname}`;
}
