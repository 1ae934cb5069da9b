/** Directory records with sensible defaults; pass overrides for what a test is about. */
type Line = Record<string, unknown>;

export const department = (id: string, o: Line = {}): Line => ({ kind: "department", id, name: `Department ${id}`, ...o });

export const departmentUser = (id: string, o: Line = {}): Line => ({
  kind: "user",
  id,
  userType: "department",
  homeDepartment: "d1",
  foreignDepartments: [],
  actions: [{ resource: "System", action: "View Agent Console" }],
  ...o,
});

export const globalUser = (id: string, o: Line = {}): Line => ({ kind: "user", id, userType: "global", departmentPermissions: [], privileges: [], ...o });

export const customer = (id: string, o: Line = {}): Line => ({ kind: "customer", id, canViewCustomers: [], ...o });

export const client = (id: string, o: Line = {}): Line => ({ kind: "client", id, ...o });

export const activity = (id: string, o: Line = {}): Line => ({ kind: "activity", id, app: "email", department: "d1", customer: "c1", ...o });

export const attachment = (altId: string, o: Line = {}): Line => ({
  kind: "attachment",
  altId,
  id: `id-${altId}`,
  activity: "a1",
  app: "email",
  type: "attachment.inbound",
  fileName: "report.pdf",
  contentType: "application/pdf",
  size: 11,
  objectKey: `objects/${altId}`,
  created: "2026-11-01T10:00:00.000Z",
  ...o,
});

/** The least directory in which the client `app1` may download `att1` (activity `a1` of department `d1`). */
export const minimalDirectory = (): Line[] => [department("d1"), client("app1"), activity("a1"), attachment("att1")];

/** A predownload request body: `att1` of the default attachment, unless overridden. */
export interface PredownloadBody {
  app: string;
  type: string;
  altId: string;
  [field: string]: unknown;
}

export const predownloadBody = (o: Partial<PredownloadBody> = {}): PredownloadBody => ({ app: "email", type: "attachment.inbound", altId: "att1", ...o });

/** The least environment a full configuration loads from (`loadConfig`); pass overrides for what a test is about. */
export const configEnv = (o: Record<string, string> = {}): Record<string, string> => ({
  S3_BUCKET: "attachments",
  AWS_ACCESS_KEY_ID: "id",
  AWS_SECRET_ACCESS_KEY: "secret",
  JWT_SECRET: "x".repeat(32),
  ...o,
});

/** DESIGN.md's example lines, verbatim. */
export const DESIGN_EXAMPLES = [
  `{"kind":"department","id":"d1","name":"Sales"}`,
  `{"kind":"user","id":"u1","userType":"department","homeDepartment":"d1","foreignDepartments":["d2"],"actions":[{"resource":"System","action":"View Agent Console"}]}`,
  `{"kind":"user","id":"g1","userType":"global","departmentPermissions":[{"department":"d1","permission":"Administer"}],"privileges":["Manage partition resources"]}`,
  `{"kind":"customer","id":"c1","canViewCustomers":["c2"]}`,
  `{"kind":"client","id":"app1"}`,
  `{"kind":"activity","id":"a1","app":"email","department":"d1","customer":"c1"}`,
  `{"kind":"attachment","altId":"7b6c5fff-036e-4a40-b68a-a67c592fc079","id":"1011","activity":"a1","app":"email","type":"attachment.inbound","fileName":"report.pdf","name":"report.pdf","contentType":"application/pdf","size":17245,"objectKey":"email/1011/report.pdf","encodingType":"base64","charset":"utf-8","inline":false,"contentId":null,"blocked":false,"created":"2026-11-01T10:00:00.000Z"}`,
];
