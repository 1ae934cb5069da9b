/** The health answers both processes give: liveness is the process itself, readiness its dependencies. */

export interface Readiness {
  readonly ready: boolean;
  /** What each dependency looks like; shown to operators as is. */
  readonly checks: Readonly<Record<string, string | number>>;
}

/** Both must be ready; the checks of both are shown. */
export function combine(a: Readiness, b: Readiness): Readiness {
  return { ready: a.ready && b.ready, checks: { ...a.checks, ...b.checks } };
}

/** The JSON body of `/health/live` and `/health/ready`, with the status it goes out with. */
export function healthBody(readiness: Readiness): { status: number; body: string } {
  return { status: readiness.ready ? 200 : 503, body: JSON.stringify({ status: readiness.ready ? "ready" : "not_ready", checks: readiness.checks }) };
}
