/**
 * deploy/kubernetes/: every manifest validates against the Kubernetes API schemas (and KEDA's CRD
 * for the ScaledObject), and the manifests agree with the service: the commands it builds, the
 * variables it reads, the ports it serves health on, the time it takes to stop.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { IContainer } from "kubernetes-models/v1/Container";
import { configVariables, loadConfig } from "../../shared/runtime/config.js";
import { SHUTDOWN_LIMIT_MS } from "../../shared/runtime/service.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIR = join(ROOT, "deploy/kubernetes");

/** The schema-checked model of each kind the directory may hold: anything else fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
};

interface Manifest {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string };
  // Read through the typed models below once the schema has accepted the whole object.
  readonly [field: string]: unknown;
}

/** Every YAML document of a file, refusing YAML errors and warnings (duplicate keys included). */
function documents(file: string): unknown[] {
  return parseAllDocuments(readFileSync(join(DIR, file), "utf8"), { uniqueKeys: true }).map((doc) => {
    expect([...doc.errors, ...doc.warnings].map((e) => e.message), file).to.deep.equal([]);
    return doc.toJS() as unknown;
  });
}

/** @throws the schema's ValidationError naming the path of every bad field. */
function validate(manifest: { apiVersion?: unknown; kind?: unknown }): void {
  const Model = MODELS[`${String(manifest.apiVersion)}/${String(manifest.kind)}`];
  if (Model === undefined) throw new Error(`no schema for ${String(manifest.apiVersion)} ${String(manifest.kind)}`);
  new Model(manifest as never).validate();
}

const files = readdirSync(DIR).filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml");
const manifests: Manifest[] = files.flatMap((file) => documents(file).map((doc) => ({ ...(doc as Manifest), file })));

function one<T>(kind: string, name: string): T {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name}`).to.have.length(1);
  return found[0] as unknown as T;
}

const api = () => one<Deployment>("Deployment", "predownload-api");
const worker = () => one<Deployment>("Deployment", "predownload-worker");
const container = (deployment: Deployment): IContainer => {
  expect(deployment.spec!.template.spec!.containers).to.have.length(1);
  return deployment.spec!.template.spec!.containers[0]!;
};
const podLabels = (deployment: Deployment) => deployment.spec!.template.metadata!.labels!;

/** A container's variable as the process sees it: its own `value`, else the ConfigMap's. */
function variable(c: IContainer, name: string): string | undefined {
  const own = c.env?.find((e) => e.name === name);
  if (own !== undefined) return own.value;
  const maps = (c.envFrom ?? []).map((from) => one<ConfigMap>("ConfigMap", from.configMapRef!.name!));
  return maps.map((m) => m.data?.[name]).find((v) => v !== undefined);
}

/** Stand-ins for what the Secret holds, shaped as the configuration requires. */
const SECRET_VALUES: Record<string, string> = {
  REDIS_URL: "redis://redis:6379",
  JWT_SECRET: "x".repeat(48),
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "example-secret",
};

/** The environment a container starts with, every Secret reference filled with a stand-in. */
function environment(c: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) Object.assign(env, one<ConfigMap>("ConfigMap", from.configMapRef!.name!).data);
  for (const e of c.env ?? []) {
    const secret = e.valueFrom?.secretKeyRef;
    env[e.name] = secret === undefined ? e.value! : SECRET_VALUES[secret.key]!;
  }
  return env;
}

/** A manifest as the plain object parsed from its file, without the file name. */
function plain(manifest: object): Record<string, unknown> {
  const { file: _file, ...object } = manifest as Manifest;
  return object;
}

/** A deep copy of `object` with the field at `path` set to `value` (removed when undefined). */
function changed(object: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

describe("Kubernetes manifests", () => {
  it("validates every manifest against the Kubernetes schemas and KEDA's CRD", () => {
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`)).to.have.members([
      "ConfigMap predownload-config",
      "Deployment predownload-api",
      "Service predownload-api",
      "HorizontalPodAutoscaler predownload-api",
      "PodDisruptionBudget predownload-api",
      "Deployment predownload-worker",
      "ScaledObject predownload-worker",
      "PodDisruptionBudget predownload-worker",
    ]);
    const problems = manifests.flatMap((manifest) => {
      try {
        validate(plain(manifest));
        return [];
      } catch (error) {
        return [`${manifest.file}: ${(error as Error).message}`];
      }
    });
    expect(problems).to.deep.equal([]);
  });

  it("refuses a manifest with a field of the wrong type, a missing required field or an unknown kind", () => {
    const deployment = plain(worker());
    expect(() => validate(changed(deployment, ["spec", "template", "spec", "terminationGracePeriodSeconds"], "35"))).to.throw(
      /terminationGracePeriodSeconds must be integer/,
    );
    expect(() => validate(changed(deployment, ["spec", "template", "spec", "containers", "0", "name"], undefined))).to.throw(
      /containers\/0 must have required property name/,
    );
    // KEDA reads trigger metadata as strings: a bare number is refused by its CRD.
    const scaled = plain(one<ScaledObject>("ScaledObject", "predownload-worker"));
    expect(() => validate(changed(scaled, ["spec", "triggers", "0", "metadata", "threshold"], 250))).to.throw(
      /triggers\/0\/metadata\/threshold must be string/,
    );
    expect(() => validate(changed(deployment, ["apiVersion"], "apps/v1beta1"))).to.throw(/no schema for apps\/v1beta1 Deployment/);
  });

  it("lists every manifest in kustomization.yaml, and only those", () => {
    const [kustomization] = documents("kustomization.yaml") as [{ kind: string; resources: string[] }];
    expect(kustomization.kind).to.equal("Kustomization");
    expect(kustomization.resources).to.have.members(files);
    expect(kustomization.resources).to.have.length(files.length);
  });

  it("runs the compiled entry points, as a non-root user on a read-only root file system without privilege escalation", () => {
    for (const [deployment, entry] of [
      [api(), "dist/api/main.js"],
      [worker(), "dist/worker/main.js"],
    ] as const) {
      const pod = deployment.spec!.template.spec!;
      const c = container(deployment);
      expect(c.command).to.deep.equal(["node", entry]);
      expect(pod.securityContext?.runAsNonRoot).to.equal(true);
      // runAsNonRoot can only be enforced against a numeric user.
      expect(pod.securityContext?.runAsUser).to.be.a("number").above(0);
      expect(c.securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.securityContext?.capabilities?.drop).to.deep.equal(["ALL"]);
      for (const kind of ["requests", "limits"] as const) expect(c.resources?.[kind], `${entry} ${kind}`).to.have.keys("cpu", "memory");
    }
  });

  it("gives each pod a grace period above its preStop pause plus the service's own stop limit", () => {
    for (const deployment of [api(), worker()]) {
      const pod = deployment.spec!.template.spec!;
      const pause = container(deployment).lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(pod.terminationGracePeriodSeconds, deployment.metadata!.name).to.be.above(pause + SHUTDOWN_LIMIT_MS / 1000);
    }
  });

  it("reads only variables the service knows, secrets by reference, into a configuration each process accepts", () => {
    const known = configVariables();
    const secrets = ["REDIS_URL", "JWT_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    for (const key of Object.keys(one<ConfigMap>("ConfigMap", "predownload-config").data ?? {})) {
      expect(known.has(key), `${key} in the ConfigMap`).to.equal(true);
      expect(secrets, `${key} belongs in the Secret`).to.not.include(key);
    }
    for (const [deployment, needs] of [
      [api(), { jwt: true }],
      [worker(), { s3: true }],
    ] as const) {
      const c = container(deployment);
      for (const e of c.env ?? []) {
        expect(known.has(e.name), `${e.name} in ${deployment.metadata!.name}`).to.equal(true);
        if (secrets.includes(e.name)) expect(e.valueFrom?.secretKeyRef, e.name).to.include({ name: "predownload-secrets", key: e.name });
      }
      expect(() => loadConfig(environment(c), needs), deployment.metadata!.name).to.not.throw();
    }
    const apiEnv = environment(container(api()));
    const workerEnv = environment(container(worker()));
    expect(apiEnv).to.have.property("JWT_SECRET");
    expect(workerEnv).to.include.keys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
  });

  it("probes and scrapes the API on OPS_PORT, which its Service does not expose", () => {
    const c = container(api());
    const opsPort = Number(variable(c, "OPS_PORT"));
    const port = Number(variable(c, "PORT"));
    const named = (name: unknown) => c.ports!.find((p) => p.name === name)?.containerPort;
    expect(named(c.livenessProbe?.httpGet?.port)).to.equal(opsPort);
    expect(c.livenessProbe?.httpGet?.path).to.equal("/health/live");
    expect(named(c.readinessProbe?.httpGet?.port)).to.equal(opsPort);
    expect(c.readinessProbe?.httpGet?.path).to.equal("/health/ready");

    expect(api().spec!.template.metadata!.annotations).to.include({ "prometheus.io/port": String(opsPort), "prometheus.io/path": "/metrics" });

    const service = one<Service>("Service", "predownload-api");
    expect(podLabels(api())).to.deep.include(service.spec!.selector!);
    expect(service.spec!.ports!.map((p) => named(p.targetPort))).to.deep.equal([port]);
  });

  it("probes and scrapes the worker on WORKER_HTTP_PORT, bound to the pod's addresses", () => {
    const c = container(worker());
    expect(variable(c, "WORKER_HTTP_HOST")).to.equal("0.0.0.0");
    const port = Number(variable(c, "WORKER_HTTP_PORT"));
    const named = (name: unknown) => c.ports!.find((p) => p.name === name)?.containerPort;
    expect(named(c.livenessProbe?.httpGet?.port)).to.equal(port);
    expect(c.livenessProbe?.httpGet?.path).to.equal("/health/live");
    expect(named(c.readinessProbe?.httpGet?.port)).to.equal(port);
    expect(c.readinessProbe?.httpGet?.path).to.equal("/health/ready");
    expect(worker().spec!.template.metadata!.annotations).to.include({ "prometheus.io/port": String(port), "prometheus.io/path": "/metrics" });
    expect(manifests.filter((m) => m.kind === "Service" && m.metadata.name.includes("worker"))).to.deep.equal([]);
  });

  it("scales the API on CPU and the workers on the backlog gauge, never to zero", () => {
    const hpa = one<HorizontalPodAutoscaler>("HorizontalPodAutoscaler", "predownload-api");
    expect(hpa.spec!.scaleTargetRef).to.include({ kind: "Deployment", name: "predownload-api" });
    expect(hpa.spec!.metrics!.map((m) => m.resource?.name)).to.deep.equal(["cpu"]);
    expect(hpa.spec!.minReplicas).to.be.at.least(2);
    expect(api().spec!.replicas, "replicas belong to the HPA").to.equal(undefined);

    const scaled = one<ScaledObject>("ScaledObject", "predownload-worker");
    expect(scaled.spec.scaleTargetRef.name).to.equal("predownload-worker");
    // The API is ready only while a worker beats: zero workers would take it out of service.
    expect(scaled.spec.minReplicaCount).to.be.at.least(1);
    expect(worker().spec!.replicas, "replicas belong to KEDA").to.equal(undefined);
    const queries = scaled.spec.triggers.map((t) => (t.type === "prometheus" ? (t.metadata.query ?? "") : ""));
    expect(queries.some((q) => q.includes("predownload_queue_backlog"))).to.equal(true);
    // Every metric a query names is one the service exports.
    const sources = ["shared/runtime/metrics.ts", "worker/metrics.ts"].map((f) => readFileSync(join(ROOT, f), "utf8")).join("\n");
    for (const name of queries.flatMap((q) => q.match(/predownload_[a-z_]+/g) ?? [])) expect(sources).to.include(`"${name}"`);
  });

  it("keeps a disruption budget over each Deployment's pods", () => {
    for (const deployment of [api(), worker()]) {
      const pdb = one<PodDisruptionBudget>("PodDisruptionBudget", deployment.metadata!.name!);
      expect(podLabels(deployment)).to.deep.include(pdb.spec!.selector!.matchLabels!);
      expect(deployment.spec!.selector.matchLabels).to.deep.equal(pdb.spec!.selector!.matchLabels);
    }
  });
});
