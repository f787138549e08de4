// The reviewer's workflow as data: statuses, the actions that move a case between them, and what each needs.
// open -> in_review (assigned) -> escalated -> reported (with the report's reference) | dismissed (with a reason);
// in review, escalated or reported -> account closed (the bank terminated the merchant's account, with its
// reference); a closed case can be reopened; comments at any time.
import { z } from "zod";

export const STATUSES = ["open", "in_review", "escalated", "reported", "dismissed", "account_closed"] as const;
export const Status = z.enum(STATUSES);
export type Status = z.infer<typeof Status>;
export const ACTIVE: readonly Status[] = ["open", "in_review", "escalated"];
export const CLOSED: readonly Status[] = STATUSES.filter((s) => !ACTIVE.includes(s));
/** A status as a reviewer reads it ("in review", not "in_review"). */
export const statusText = (status: string): string => status.replaceAll("_", " ");

export const DISMISS_REASONS = {
  "false-positive": "false positive: the signals do not hold up",
  "legitimate-business": "legitimate business: explained by the merchant's actual trade",
  duplicate: "duplicate of another case",
  "insufficient-evidence": "insufficient evidence to report",
} as const;
/** A dismissal reason in words (one this version does not know, as it is written). */
export const dismissalText = (reason: string): string => (DISMISS_REASONS as Record<string, string>)[reason] ?? reason;
/**
 * What a closed case says of its merchant, wherever decisions are read back (sightings to publishers, the rules'
 * false-positive rate, backtest labels): confirmed by a report or the account's termination; clean by a dismissal
 * for one of these reasons (the others, duplicate and insufficient evidence, say nothing).
 */
export const CONFIRMED: readonly Status[] = ["reported", "account_closed"];
export const CLEAN_DISMISSALS: readonly (keyof typeof DISMISS_REASONS)[] = ["false-positive", "legitimate-business"];

export const DismissReason = z.enum(Object.keys(DISMISS_REASONS) as [keyof typeof DISMISS_REASONS, ...(keyof typeof DISMISS_REASONS)[]]);

const NOTE_MAX = "a note is at most 4,000 characters: say why in short, and point to a ticket for the rest";
const note = z.string({ error: "a note is text" }).trim().max(4000, NOTE_MAX).optional();

// A refusal of a decision's field says what it takes and how to send it: the page's form, and the API's JSON body
// (with an example), as a rule change's note refusal does
const jsonExample = (fields: Record<string, string>) => `{${Object.entries(fields).map(([k, v]) => `"${k}": "${v}"`).join(", ")}}`;
const sendAs = (field: string, example: Record<string, string>, form?: string) =>
  `${form ? `${form}, or ` : ""}send it as "${field}" in the JSON body, e.g. ${jsonExample(example)}`;
/** A text field a decision (or a comment) needs: `what` when it is missing or blank, then how to send it. */
export const needed = (field: string, what: string, example: Record<string, string>, form: string) => {
  const message = `${what}: ${sendAs(field, example, form)}`;
  return z.string({ error: message }).trim().min(1, message);
};
/** The refusal of a choice: `missing` when it was not given, else that it is not one; the options; how to send one. */
const notAChoice = (input: unknown, options: readonly string[], field: string, missing: string, example: Record<string, string>, form?: string) =>
  `${input === undefined ? missing : `${String(input)} is not one`}; one of ${options.join(", ")}: ${sendAs(field, example, form)}`;
/** One of `options`, or a refusal that lists them (`missing` when it was not given) and says how to send one. */
const oneOf = <T extends string>(options: readonly T[], field: string, missing: string, example: Record<string, string>, form?: string) =>
  z.enum(options as [T, ...T[]], { error: (i) => notAChoice(i.input, options, field, missing, example, form) });

export const ACTION_NAMES = ["assign", "escalate", "report", "dismiss", "close-account", "reopen"] as const;
const actionInput = (input: unknown) => (typeof input === "object" && input !== null ? (input as { action?: unknown }).action : undefined);

export const CaseAction = z.discriminatedUnion(
  "action",
  [
    z.strictObject({
      action: z.literal("assign"),
      assignee: z.string().trim().min(1, "the user name of an active reviewer; leave it out to take the case yourself").max(128).optional(),
      note,
    }),
    z.strictObject({ action: z.literal("escalate"), note }),
    z.strictObject({
      action: z.literal("report"),
      reportRef: needed("reportRef", "the report's reference (hotline or authority case number) is required", { action: "report", reportRef: "HL-0042" }, "type it in the Mark reported form").max(256),
      note,
    }),
    z.strictObject({
      action: z.literal("dismiss"),
      reason: oneOf(DismissReason.options, "reason", "a dismissal needs its reason", { action: "dismiss", reason: "false-positive" }, "choose it in the Dismiss form"),
      note,
    }),
    z.strictObject({
      action: z.literal("close-account"),
      terminationRef: needed(
        "terminationRef",
        "the bank's reference for the termination of the merchant's account is required",
        { action: "close-account", terminationRef: "TERM-0042" },
        "type it in the Record account closed form",
      ).max(256),
      note,
    }),
    z.strictObject({
      action: z.literal("reopen"),
      note: needed("note", "say why the case is reopened", { action: "reopen", note: "new evidence from the hotline" }, `write it in the Reopen form's "why" field`).max(4000, NOTE_MAX),
    }),
  ],
  { error: (i) => notAChoice(actionInput(i.input), ACTION_NAMES, "action", "required", { action: "assign" }) },
);
export type CaseAction = z.infer<typeof CaseAction>;

/** From which statuses each action may be taken, and where it leads (null: stays where it is). */
export const TRANSITIONS: Record<CaseAction["action"], { from: readonly Status[]; to: Status | null }> = {
  assign: { from: ["open", "in_review", "escalated"], to: null },
  escalate: { from: ["in_review"], to: "escalated" },
  report: { from: ["in_review", "escalated"], to: "reported" },
  dismiss: { from: ["open", "in_review", "escalated"], to: "dismissed" },
  "close-account": { from: ["in_review", "escalated", "reported"], to: "account_closed" },
  reopen: { from: CLOSED, to: "open" },
};

/**
 * The decisions a reviewer's page asks to confirm (a page of its own) before they are taken, and why: none is undone
 * by another action. Taking and handing over a case, and reopening one, stay one click. The API takes each at once.
 */
export const FINAL: Partial<Record<CaseAction["action"], string>> = {
  escalate: "An escalated case does not go back to in review",
  report: "A reported case is closed as confirmed (publishers' sightings and the rules' figures count it so); only a reopening, with a reason, opens it again, and the report stays in the audit trail",
  dismiss: "A dismissed case is closed (a false positive or a legitimate business counts as clean in the rules' figures); only a reopening, with a reason, opens it again, and the dismissal stays in the audit trail",
  "close-account": "A case whose account is recorded closed is closed as confirmed; only a reopening, with a reason, opens it again, and the record stays in the audit trail",
};

/** The status after an action; assigning an open case puts it in review. */
export function nextStatus(current: Status, action: CaseAction["action"]): Status {
  if (action === "assign") return current === "open" ? "in_review" : current;
  return TRANSITIONS[action].to!;
}

/** The refusal of an action the case's status does not allow: the statuses it is allowed from, and what to do instead. */
export function notAllowed(action: CaseAction["action"], status: Status): string {
  const t = TRANSITIONS[action];
  const now = statusText(status);
  const reopenFirst = "reopen it first, with a note saying why, to decide again";
  const next =
    action === "reopen"
      ? `only a closed case is reopened; this one is ${now}`
      : t.to === status
        ? `it is ${now} already${CLOSED.includes(status) ? `; ${reopenFirst}` : ""}`
        : CLOSED.includes(status)
          ? `it is closed (${now}); ${reopenFirst}`
          : status === "open"
            ? "assign it first (Assign to me), which puts it in review"
            : undefined;
  return `cannot ${action} a case that is ${now}; allowed from: ${t.from.join(", ")}${next ? `: ${next}` : ""}`;
}

export function allowedActions(current: Status): CaseAction["action"][] {
  return (Object.keys(TRANSITIONS) as CaseAction["action"][]).filter((a) => TRANSITIONS[a].from.includes(current));
}

/**
 * The case's version: what a page showed, sent back with each decision taken on it, and GET /api/cases/:id's ETag,
 * sent back in If-Match. Every action and every new alert changes it, so a decision taken on an earlier version (a
 * colleague acted or an alert came in since, a form sent twice) can be refused instead of being applied over what
 * the reviewer never saw. Its parts in base64url, so that what changed can be said and it fits in an ETag.
 */
export const caseVersion = (c: { status: Status; assignee: string | null; updatedAt: string; lastAlertId: string }): string =>
  Buffer.from(JSON.stringify([c.status, c.assignee, c.updatedAt, c.lastAlertId])).toString("base64url");
const Version = z.tuple([Status, z.string().nullable(), z.string(), z.string()]);

/** A version's parts, or undefined when it is not one `caseVersion` made. */
function versionParts(version: string): z.infer<typeof Version> | undefined {
  try {
    return Version.parse(JSON.parse(Buffer.from(version, "base64url").toString()));
  } catch {
    return undefined;
  }
}

export const isCaseVersion = (version: string): boolean => versionParts(version) !== undefined;

/**
 * What changed in the case since its version `seen`, in words; empty when nothing did. `viewer`: who sent the
 * decision, named "you" (their own change, from another tab or a form sent twice, is not a colleague's).
 */
export function changedSince(
  seen: string,
  c: { status: Status; assignee: string | null; updatedAt: string; lastAlertId: string; score: number; severity: string },
  viewer?: string,
): string[] {
  if (seen === caseVersion(c)) return [];
  const was = versionParts(seen);
  if (!was) return ["the page did not say which state of the case it showed"];
  const [status, assignee, updatedAt, lastAlertId] = was;
  const out: string[] = [];
  if (lastAlertId !== c.lastAlertId) out.push(`a new alert came in (score ${c.score}, ${c.severity})`);
  if (status !== c.status) out.push(`it is now ${statusText(c.status)} (was ${statusText(status)})`);
  const to = (u: string) => (u === viewer ? `you (${u})` : u);
  if (assignee !== c.assignee) out.push(`it is now ${c.assignee ? `assigned to ${to(c.assignee)}` : "unassigned"} (was ${assignee ? `assigned to ${to(assignee)}` : "unassigned"})`);
  if (out.length === 0 && updatedAt !== c.updatedAt) out.push(`it was acted on at ${c.updatedAt}`);
  return out;
}
