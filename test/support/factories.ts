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
