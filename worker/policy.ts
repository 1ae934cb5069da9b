/**
 * Who may get a URL: the seed API's permission table, exactly. Pure: it sees the records one
 * request needs and returns a decision; it never reads Redis or throws for a refusal.
 */
import type { AttachmentApp, AttachmentType } from "../shared/domain/attachment.js";
import type { DecisionInputs } from "../shared/redis/directory-store.js";
import type { Activity, Customer, User } from "../shared/domain/directory.js";

export const REQUIRED_ACTION = Object.freeze({ resource: "System", action: "View Agent Console" });
export const ADMINISTER_PERMISSION = "Administer";
export const PARTITION_PRIVILEGE = "Manage partition resources";

/** What the request names: the attachment and the app and type it must belong to. */
export interface Target {
  readonly altId: string;
  readonly app: AttachmentApp;
  readonly type: AttachmentType;
}

export type Decision =
  | { readonly outcome: "allowed" }
  | { readonly outcome: "blocked" }
  | { readonly outcome: "unauthenticated"; readonly reason: "unknown_actor" | "disabled_actor" }
  | { readonly outcome: "not_found"; readonly reason: "unknown_attachment" | "app_mismatch" | "type_mismatch" | "unknown_activity" }
  | { readonly outcome: "denied"; readonly code: "403-178"; readonly reason: "missing_action"; readonly missingAction: string }
  | { readonly outcome: "denied"; readonly code: "403-105"; readonly reason: DenyReason };

export type DenyReason =
  | "outside_user_departments"
  | "no_department_administer"
  | "not_customer_activity"
  | "customer_calltrack"
  | "unknown_user_type";

/**
 * Decides one request. Order matters and is part of the contract: the actor is checked first
 * (401), then what the actor may do at all (403-178), then whether the attachment exists under the
 * requested app and type (404), then the object-level rule (403-105), and last whether it is blocked.
 */
export function decide(inputs: DecisionInputs, target: Target): Decision {
  const { actor, attachment, activity } = inputs;
  if (actor === undefined) return { outcome: "unauthenticated", reason: "unknown_actor" };
  if (!actor.record.enabled) return { outcome: "unauthenticated", reason: "disabled_actor" };
  if (actor.type === "user" && actor.record.userType === "department" && !hasRequiredAction(actor.record)) {
    return { outcome: "denied", code: "403-178", reason: "missing_action", missingAction: REQUIRED_ACTION.action };
  }
  if (attachment === undefined) return { outcome: "not_found", reason: "unknown_attachment" };
  if (attachment.app !== target.app) return { outcome: "not_found", reason: "app_mismatch" };
  if (attachment.type !== target.type) return { outcome: "not_found", reason: "type_mismatch" };
  if (activity === undefined) return { outcome: "not_found", reason: "unknown_activity" };

  const refusal =
    actor.type === "user" ? userRefusal(actor.record, activity)
    : actor.type === "customer" ? customerRefusal(actor.record, activity, attachment.app)
    : undefined;
  if (refusal !== undefined) return { outcome: "denied", code: "403-105", reason: refusal };
  return attachment.blocked ? { outcome: "blocked" } : { outcome: "allowed" };
}

function hasRequiredAction(user: User & { userType: "department" }): boolean {
  return user.actions.some((grant) => grant.resource === REQUIRED_ACTION.resource && grant.action === REQUIRED_ACTION.action);
}

function userRefusal(user: User, activity: Activity): DenyReason | undefined {
  switch (user.userType) {
    case "department":
      return user.homeDepartment === activity.department || user.foreignDepartments.includes(activity.department)
        ? undefined
        : "outside_user_departments";
    case "global":
      return user.privileges.includes(PARTITION_PRIVILEGE) ||
        user.departmentPermissions.some((p) => p.department === activity.department && p.permission === ADMINISTER_PERMISSION)
        ? undefined
        : "no_department_administer";
    default:
      return "unknown_user_type";
  }
}

function customerRefusal(customer: Customer, activity: Activity, app: AttachmentApp): DenyReason | undefined {
  if (app === "calltrack") return "customer_calltrack";
  if (activity.customer === null) return "not_customer_activity";
  return activity.customer === customer.id || customer.canViewCustomers.includes(activity.customer) ? undefined : "not_customer_activity";
}
