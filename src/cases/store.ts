// The case queue as reviewers work it: list, read, act, comment, reveal, export. Every change and every reveal
// or export writes an audit row in the same transaction, so the trail cannot miss an action that happened.
import { z } from "zod";
import { Alert, type AlertContext, type EvidenceEvent, type IndicatorRef } from "../decode/events.js";
import { canonicalUrl, sha256Tagged } from "../lib/url.js";
import { zodIssues } from "../lib/errors.js";
import { queryParams } from "../lib/query-params.js";
import { randomUUID } from "node:crypto";
import { stixSighting, type StixBundle } from "../indicators/stix.js";
import { isMispAttribute, mispSighting, type MispSighting } from "../indicators/misp.js";
import { isRedTlp, strictestTlp, tlpOrRed, type Tlp } from "../indicators/schema.js";
import type { Db, Queryable } from "./db.js";
import { ACTION_NAMES, ACTIVE, CLEAN_DISMISSALS, CLOSED, CONFIRMED, CaseAction, DISMISS_REASONS, STATUSES, Status, TRANSITIONS, changedSince, needed, nextStatus, notAllowed, statusText } from "./workflow.js";
import { wholeNumber } from "../lib/whole-number.js";

// an auditor reads the audit trail export and nothing else: the account of a log collector (a SIEM) or an outside
// auditor, who must not also be able to manage users
export const ROLES = ["reviewer", "rule-tuner", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];
/**
 * What a user acted with: a browser session, or an API token (its id and name, never its secret), so that after a
 * token leak the audit trail tells every action taken with it.
 */
export type Credential = "session" | { token: string; name: string };
export interface Actor {
  username: string;
  role: Role;
  /** unset for the command line and the service itself */
  credential?: Credential;
}

/** A refusal with the HTTP status it maps to and a message that says what to do. */
export class CaseError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "CaseError";
  }
}

/** A decision taken on an earlier version of the case: refused, with what changed and the case as it is now. */
export class StaleCaseError extends CaseError {
  constructor(
    readonly current: CaseRow,
    readonly changed: string[],
  ) {
    super(409, `nothing was done: case #${current.caseId} changed since the version the decision was taken on: ${changed.join("; ")}; look at the case as it is now and decide again if you still mean to`);
  }
}

/** A closed case's sightings go out as a STIX 2.1 bundle or as MISP sighting JSON. */
export const SightingsForm = z.enum(["stix", "misp"], { error: "use stix (a STIX 2.1 bundle, the default) or misp (MISP sighting JSON)" });
export type SightingsForm = z.infer<typeof SightingsForm>;

export interface CaseRow {
  caseId: string;
  merchantId: string;
  status: Status;
  score: number;
  /** the latest alert's severity */
  severity: string;
  /** the highest severity of the case's alerts: what the queue ranks it by, and a critical dismissal's rule */
  peakSeverity: string;
  /** every typology the case's alerts named, in the order they first came */
  typologies: string[];
  acquirerId: string | null;
  assignee: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  reportRef: string | null;
  dismissReason: string | null;
  /** the bank's reference for the termination of the merchant's account (a case closed as account closed) */
  terminationRef: string | null;
  lastAlertId: string;
}

/** When a reviewer last looked at a case, the ids of the alerts that came in on it since, and what others did since. */
export interface Seen {
  at: string;
  newAlertIds: string[];
  /** others' decisions and comments since, each (actor, action) once, by its latest time */
  changes: SeenChange[];
}
export interface SeenChange {
  actor: string;
  action: string;
}
// what counts as news on a case one looked at: decisions and comments (not reads: openings, exports, the trail's
// readers, whom a reviewer is not to learn of)
const NEWS = [...Object.keys(TRANSITIONS), "comment"];

/** What is waiting in the queue (active cases), for one reviewer: see CaseStore.waiting. */
export interface Waiting {
  unassigned: number;
  unassignedCritical: number;
  yours: number;
  escalated: number;
  active: number;
}

/** A queue's case; for a viewer, when they last looked at it and how many alerts came in since (null: never). */
export type QueueRow = CaseRow & { seen?: { at: string; newAlerts: number; changes: SeenChange[] } | null };

const QUEUE_STATUSES = ["active", "all", ...STATUSES] as const;
/** The queue's orders (QUEUE_SORTS says each), the first the default. */
export const QUEUE_SORT_NAMES = ["risk", "oldest", "recent"] as const;

const filters = {
  /** a status, "active" (open, in review, escalated: the default) or "all" */
  status: z.enum(QUEUE_STATUSES, { error: `expected one of ${QUEUE_STATUSES.join(", ")}` }).optional(),
  typology: z.string().max(256).optional(),
  acquirer: z.string().max(256).optional(),
  /** a merchant id, exactly: that merchant's cases */
  merchant: z.string().trim().max(256).optional(),
  /** a username, or "unassigned" */
  assignee: z.string().max(128).optional(),
  page: wholeNumber(1).optional(),
  pageSize: wholeNumber(1, 200).optional(),
  /** the page after this case (a queue's `next`): where it stands in the order, so that cases closed since do not shift the page */
  after: z.string().max(256).optional(),
  /** the order: QUEUE_SORTS (riskiest first by default) */
  sort: z.enum(QUEUE_SORT_NAMES, { error: "expected one of risk (riskiest first), oldest (oldest first), recent (most recently active first): e.g. ?sort=oldest" }).optional(),
};

/** The queue's filters, as the API's and the page's query parameters give them. */
export const QueueFilter = queryParams(filters, "the filters");
export type QueueFilter = z.infer<typeof QueueFilter>;

/** A query string's parameters without the empty ones: a form's field left empty ("any") is no filter. */
export const givenParams = (query: unknown): Record<string, unknown> => Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ""));

/** The filters in a query string; an empty value (a form's "any") is no filter. */
export function queueFilter(query: unknown): QueueFilter {
  // a refusal is the web server's 400, with each parameter and why
  return QueueFilter.parse(givenParams(query));
}

/**
 * Every action the audit trail records, by what it is about: writeAudit takes only these (a new action does not
 * compile until it is listed), GET /api/audit's ?action= is checked against them, and the /audit page offers them.
 */
export const AUDIT_ACTIONS = {
  "decisions on cases": ACTION_NAMES,
  "cases read and written": ["case-view", "comment", "reveal-url", "export", "export-sightings"],
  "sign-in and passwords": ["login", "login-failed", "logout", "password-change", "password-change-failed", "password-reset"],
  "users and API tokens": ["user-add", "user-disable", "user-enable", "token-create", "token-revoke"],
  rules: ["rules-change", "rules-restore"],
  "the service itself": ["webhook-requeued", "webhook-given-up", "batch-skip"],
  "the trail's exports": ["audit-export"],
} as const;
const AUDIT_ACTION_NAMES = Object.values(AUDIT_ACTIONS).flat();
export const AuditAction = z.enum(AUDIT_ACTION_NAMES as [(typeof AUDIT_ACTION_NAMES)[number], ...(typeof AUDIT_ACTION_NAMES)[number][]]);
export type AuditAction = z.infer<typeof AuditAction>;

const TOKEN_ID = "a token's id is 12 hex digits, as `moneytrail users list` and the rows' credential.token give it: e.g. ?token=0a1b2c3d4e5f";
const ACTOR = "a user name, at most 64 characters, as in the rows' actor: e.g. ?actor=ann";
const SINCE = "a time in ISO 8601 with its zone (Z or an offset): e.g. ?since=2026-12-07T09:00:00Z";
const UNTIL = "a time in ISO 8601 with its zone (Z or an offset), the rows before it: e.g. ?until=2026-12-08T00:00:00Z";
// a typo must not read as "no such rows": an action the trail does not know is refused, with those it does
const unknownActions = (names: string[]) =>
  `${names.join(", ")} ${names.length > 1 ? "are not actions" : "is not an action"} of the audit trail; the actions are ${AUDIT_ACTION_NAMES.join(", ")}: several as ?action=dismiss&action=reopen or ?action=dismiss,reopen`;
/** ?action= as sent, name by name: repeated, or comma-separated, empty ones dropped (what is not text is kept, to refuse). */
export const givenActions = (v: unknown): unknown[] =>
  [v].flat().flatMap((x) => (typeof x === "string" ? x.split(",").map((a) => a.trim()) : [x])).filter((a) => a !== "");
/** One action or several, repeated or comma-separated; none (an empty value) is no filter. */
const auditActions = z.preprocess(
  (v) => (typeof v === "string" || Array.isArray(v) ? givenActions(v) : v),
  z
    .array(z.string({ error: "an action's name as text: e.g. ?action=dismiss" }))
    .superRefine((names, ctx) => {
      const unknown = names.filter((a) => !(AUDIT_ACTION_NAMES as readonly string[]).includes(a));
      if (unknown.length) ctx.addIssue({ code: "custom", message: unknownActions(unknown) });
    })
    .pipe(z.array(AuditAction))
    .transform((a) => (a.length ? a : undefined)),
);
/**
 * What the whole trail's export narrows to: after a token leak, the actions taken with that token (a token made with
 * it is in its token-create row's after.id: look that one up too); one user's; those from a time on, or before one;
 * those of some actions (every dismissal, every failed sign-in).
 */
export const AuditFilter = z.object({
  token: z.string({ error: TOKEN_ID }).trim().toLowerCase().regex(/^[0-9a-f]{12}$/, TOKEN_ID).optional(),
  actor: z.string({ error: ACTOR }).trim().min(1, ACTOR).max(64, ACTOR).optional(),
  // a time without its zone would be read in the database's: refused rather than guessed
  since: z.iso
    .datetime({ offset: true, error: SINCE })
    .transform((t) => new Date(t).toISOString())
    .optional(),
  // with since, a period: "every dismissal in March"
  until: z.iso
    .datetime({ offset: true, error: UNTIL })
    .transform((t) => new Date(t).toISOString())
    .optional(),
  action: auditActions.optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;

export interface AuditRow {
  auditId: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  caseId: string | null;
  target: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
  /** what the user acted with (migration 25); null for the command line, the service, and rows written before */
  credential: Credential | null;
}

export interface CommentRow {
  commentId: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface CaseDetail {
  case: CaseRow;
  /** the case's alerts, oldest first */
  alerts: Alert[];
  /** merchant profile and activity as of the latest alert; evidence events of all the alerts */
  context: AlertContext;
  comments: CommentRow[];
  /**
   * The case's trail as reviewers read it, oldest first: decisions and comments; its openings, exports and reveals
   * are summed per user below (every row in the case file and the trail's exports); reads of the trail itself
   * (audit-export) are for the roles that read the trail, never here
   */
  audit: AuditRow[];
  /** who opened the case (its case-view rows, every one kept in the trail), first opener first */
  openings: Openings;
  /** who exported the case (export, export-sightings rows: its files, its sightings), first exporter first */
  exports: Openings;
  /** who revealed an evidence address in full (reveal-url rows), first first */
  reveals: Openings;
  /** the latest REVEALS_LISTED reveals themselves, newest first: who, when, and which address (`target`, its hash) */
  revealed: AuditRow[];
  /** the merchant's other cases, newest first: what was decided on it before (or since) */
  otherCases: CaseRow[];
}

/** Each user's openings (or exports, or reveals) of a case: how many, and the time of the last. */
export type Openings = { actor: string; times: number; last: string }[];

/**
 * What a case's trail as reviewers read it leaves out: the trail's own reads (an auditor's or admin's export or page
 * of the case's rows; a reviewer's download of them): who reads the trail is for the roles that read it, and a
 * reviewer under inquiry must not learn of it from the case. GET /api/audit and the /audit page keep them.
 */
const TRAIL_READS = "audit-export";

/**
 * The reads of a case the case page sums per user rather than lists (a script polling a case, or downloading it,
 * would bury the decisions, and make each read of it slower): each kind's actions.
 */
const SUMMED = { openings: ["case-view"], exports: ["export", "export-sightings"], reveals: ["reveal-url"] } as const;
/** The most reveals a case's page and API list, the latest: the trail's CSV has every one. */
export const REVEALS_LISTED = 20;
/**
 * A case's latest reveals ($1: its id), newest first: its reveals through migration 30's index, then the latest. With
 * the LIMIT in the same query the planner walked the primary key back past every opening (100,000: 23-60 ms; 0.5 ms).
 */
export const LATEST_REVEALS = `WITH r AS MATERIALIZED (SELECT * FROM mt_audit WHERE case_id = $1::bigint AND action = 'reveal-url')
  SELECT * FROM r ORDER BY audit_id DESC LIMIT ${REVEALS_LISTED}`;
/** The rows the case's page and API list: neither summed nor a read of the trail. Written as migration 28's index is. */
export const LISTED = `action <> ALL (ARRAY[${[...Object.values(SUMMED).flat(), TRAIL_READS].map((a) => `'${a}'`).join(", ")}])`;

const CASE_COLUMNS = `case_id::text, merchant_id, status, score, severity, peak_severity, typologies, acquirer_id, assignee, opened_at, updated_at,
  closed_at, report_ref, dismiss_reason, termination_ref, last_alert_id`;

// the case's highest severity's rank (low 1 .. critical 4), as the alert's schema orders them: a case that was
// critical stays with the critical ones when a later alert on another rule comes in lower (migration 33's index
// mt_cases_active_risk holds this expression, as written here: a severity added needs the index made again)
const BY_SEVERITY = `array_position(ARRAY[${Alert.shape.severity.options.map((s) => `'${s}'`).join(", ")}]::text[], peak_severity)`;

// a timestamp as a cursor carries it: to the microsecond, as stored
const micros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const caseIdKey = z.string().regex(/^\d{1,18}$/);
// the table's case id: ORDER BY's bare case_id would be CASE_COLUMNS's, text ("10" before "8")
const ID = "mt_cases.case_id";

/**
 * The queue's orders. Each is one row comparison in one direction (risk negates its descending numbers), with the
 * case id last, so that "after this case" is one comparison and paging neither repeats nor skips a case; `cursor`
 * is the row's place in it, as its next link carries it.
 */
const QUEUE_SORTS = {
  // riskiest first: the highest severity a case reached, the latest score, then oldest first
  risk: {
    key: [`-${BY_SEVERITY}`, "-score", "opened_at", ID],
    past: (n: number) => `(-$${n + 1}::int, -$${n + 2}::int, $${n + 3}::timestamptz, $${n + 4}::bigint)`,
    desc: false,
    cursor: `${BY_SEVERITY} AS k1, score AS k2, ${micros("opened_at")} AS k3`,
    // (a cursor of before the choice of order, the risk one's, has no name)
    Cursor: z.tuple([z.number().int(), z.number().int(), z.iso.datetime(), caseIdKey]),
  },
  // oldest first, for a time limit on review: a case's place never moves
  oldest: {
    key: ["opened_at", ID],
    past: (n: number) => `($${n + 1}::timestamptz, $${n + 2}::bigint)`,
    desc: false,
    cursor: `${micros("opened_at")} AS k1`,
    Cursor: z.tuple([z.literal("oldest"), z.iso.datetime(), caseIdKey]),
  },
  // most recently active first (a new alert, a decision): a case that changes moves to the top, before any page's place
  recent: {
    key: ["updated_at", ID],
    past: (n: number) => `($${n + 1}::timestamptz, $${n + 2}::bigint)`,
    desc: true,
    cursor: `${micros("updated_at")} AS k1`,
    Cursor: z.tuple([z.literal("recent"), z.iso.datetime(), caseIdKey]),
  },
} as const satisfies Record<QueueSort, unknown>;
type QueueSort = (typeof QUEUE_SORT_NAMES)[number];

/** A queue's `after`, as its `next` gave it, as values to compare with; refused (400) when it is not one of this order's. */
function queueCursor(after: string, sort: QueueSort): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(after, "base64url").toString());
  } catch {
    v = undefined;
  }
  const c = QUEUE_SORTS[sort].Cursor.safeParse(v);
  if (c.success) return sort === "risk" ? c.data : c.data.slice(1);
  const other = QUEUE_SORT_NAMES.find((s) => QUEUE_SORTS[s].Cursor.safeParse(v).success);
  throw new CaseError(
    400,
    other
      ? `after: a place in the queue sorted by ${other}, not by ${sort}: follow the next link of the queue sorted by ${sort}, or start from its first page`
      : "after: not a place in the queue; follow the queue's next link, or ask for a page by number (page=)",
  );
}

/** The next link's `after` for a row read with its order's cursor columns. */
function cursorOf(r: Raw, sort: QueueSort): string {
  const at = [r.k1, r.k2, r.k3].filter((v) => v !== undefined);
  return Buffer.from(JSON.stringify([...(sort === "risk" ? [] : [sort]), ...at, String(r.case_id)])).toString("base64url");
}

type Raw = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function caseRow(r: Raw): CaseRow {
  return {
    caseId: String(r.case_id),
    merchantId: r.merchant_id as string,
    status: r.status as Status,
    score: Number(r.score),
    severity: r.severity as string,
    peakSeverity: r.peak_severity as string,
    typologies: r.typologies as string[],
    acquirerId: (r.acquirer_id as string | null) ?? null,
    assignee: (r.assignee as string | null) ?? null,
    openedAt: iso(r.opened_at)!,
    updatedAt: iso(r.updated_at)!,
    closedAt: iso(r.closed_at),
    reportRef: (r.report_ref as string | null) ?? null,
    dismissReason: (r.dismiss_reason as string | null) ?? null,
    terminationRef: (r.termination_ref as string | null) ?? null,
    lastAlertId: r.last_alert_id as string,
  };
}

function auditRow(r: Raw): AuditRow {
  return {
    auditId: String(r.audit_id),
    at: iso(r.at)!,
    actor: r.actor as string,
    role: r.role as string,
    action: r.action as string,
    caseId: r.case_id == null ? null : String(r.case_id),
    target: (r.target as string | null) ?? null,
    before: r.before ?? null,
    after: r.after ?? null,
    detail: r.detail ?? null,
    credential: (r.credential as Credential | null | undefined) ?? null,
  };
}

/** The fields of a case an action can change: what the audit trail records before and after. */
const tracked = (c: CaseRow) => ({ status: c.status, assignee: c.assignee, reportRef: c.reportRef, dismissReason: c.dismissReason, terminationRef: c.terminationRef });

/** The SHA-256 of a URL's canonical form: what a reviewer sees instead of a flagged URL, and what reveal takes. */
export function urlHash(url: string): string {
  return sha256Tagged(canonicalUrl(url) ?? url);
}

/** Every URL a case's evidence holds: the merchant's websites and the evidence events' URLs. */
export function evidenceUrls(ctx: AlertContext): string[] {
  const out = new Set<string>(ctx.profile?.websites ?? []);
  for (const e of ctx.events) for (const a of eventAddresses(e)) out.add(a.url);
  return [...out];
}

/** An address of the evidence: what it is to its event, and how an indicator matched it (absent: none did). */
export interface EvidenceAddress {
  role: string;
  url: string;
  flagged?: NonNullable<EvidenceEvent["flagged"]>[number];
}

/**
 * An evidence event's addresses, each with what it is to the event (a reviewer weighs a referrer unlike a checkout),
 * and a profile's flagged websites; each with its match, listed or a look-alike of a listed name.
 */
export function eventAddresses(e: EvidenceEvent): EvidenceAddress[] {
  const flagged = new Map((e.flagged ?? []).map((f) => [f.url, f]));
  const one = (role: string, url: string | undefined) => (url === undefined ? [] : [{ role, url }]);
  const websites = e.type === "merchant" ? [...flagged.keys()].map((url) => ({ role: "website", url })) : [];
  return [...websites, ...one("crawled page", e.url), ...one("checkout", e.checkoutUrl), ...one("referred from", e.referrerUrl), ...(e.linkedUrls ?? []).map((url) => ({ role: "links to", url }))].map(
    (a) => (flagged.has(a.url) ? { ...a, flagged: flagged.get(a.url) } : a),
  );
}

/** Who an audit row names when nobody is signed in (a failed sign-in: the user tried, if the name is one's, is the target). */
export const ANONYMOUS = { username: "anonymous", role: "anonymous" } as const;
/** The actor for changes made from the command line by whoever runs it on the server. */
export const CONSOLE: Actor = { username: "console", role: "admin" };
/** Who an audit row names for what the service did of itself: a case's webhook delivery given up. */
export const WEBHOOK = { username: "webhook", role: "system" } as const;

export async function writeAudit(
  q: Queryable,
  actor: Actor | typeof ANONYMOUS | typeof WEBHOOK,
  action: AuditAction,
  a: { caseId?: string | null; target?: string | null; before?: unknown; after?: unknown; detail?: unknown } = {},
): Promise<string> {
  const credential = "credential" in actor ? actor.credential : undefined;
  const r = await q.query<{ at: unknown }>(
    "INSERT INTO mt_audit (actor, role, action, case_id, target, before, after, detail, credential) VALUES ($1, $2, $3, $4::bigint, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb) RETURNING at",
    [
      actor.username,
      actor.role,
      action,
      a.caseId ?? null,
      a.target ?? null,
      a.before === undefined ? null : JSON.stringify(a.before),
      a.after === undefined ? null : JSON.stringify(a.after),
      a.detail === undefined ? null : JSON.stringify(a.detail),
      credential === undefined ? null : JSON.stringify(credential),
    ],
  );
  // the row's time: what a file says it was exported at
  return iso(r.rows[0]!.at)!;
}

export class CaseStore {
  /** `workers`: the roles that work cases (web/auth.ts's cases:act); a case is assigned only to a user holding one */
  constructor(
    readonly db: Db,
    private readonly workers: readonly Role[],
  ) {}

  /**
   * Sorted by risk (by default): the case's highest severity first (a rule can make a case critical whatever its
   * score), then the latest score, highest first; then age, oldest first; the case id last, so that paging is
   * stable. Or oldest first, or most recently active first (QUEUE_SORTS).
   */
  async queue(f: QueueFilter = {}, viewer?: string): Promise<{ rows: QueueRow[]; total: number; page: number; pageSize: number; next?: string }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const status = f.status ?? "active";
    if (status === "active") {
      params.push(ACTIVE);
      where.push(`status = ANY($${params.length}::text[])`);
    } else if (status !== "all") {
      params.push(status);
      where.push(`status = $${params.length}`);
    }
    if (f.typology) {
      params.push(f.typology);
      where.push(`$${params.length} = ANY(typologies)`);
    }
    if (f.acquirer) {
      params.push(f.acquirer);
      where.push(`acquirer_id = $${params.length}`);
    }
    if (f.merchant) {
      params.push(f.merchant);
      where.push(`merchant_id = $${params.length}`);
    }
    if (f.assignee === "unassigned") where.push("assignee IS NULL");
    else if (f.assignee) {
      params.push(f.assignee);
      where.push(`assignee = $${params.length}`);
    }
    const sql = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const pageSize = Math.min(Math.max(f.pageSize ?? 25, 1), 200);
    const sort = QUEUE_SORTS[f.sort ?? "risk"];
    // a list, not a row: an index on the columns serves it (and the row comparison below)
    const order = sort.key.map((k) => `${k}${sort.desc ? " DESC" : ""}`).join(", ");
    const read = `SELECT ${CASE_COLUMNS}, ${sort.cursor} FROM mt_cases`;
    // after a case: the rows past its place in the order (as its link gave it); the page is the one the link names
    const after = f.after === undefined ? undefined : queueCursor(f.after, f.sort ?? "risk");
    const past = `(${sort.key.join(", ")}) ${sort.desc ? "<" : ">"} ${sort.past(params.length)}`;
    const page = Math.max(f.page ?? 1, 1);
    const [rows, count] = await Promise.all([
      after
        ? this.db.query<Raw>(`${read} ${sql ? `${sql} AND` : "WHERE"} ${past} ORDER BY ${order} LIMIT ${pageSize}`, [...params, ...after])
        : this.db.query<Raw>(`${read} ${sql} ORDER BY ${order} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`, params),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mt_cases ${sql}`, params),
    ]);
    const list = rows.rows.map(caseRow);
    const last = rows.rows.at(-1);
    const seen = viewer === undefined ? undefined : await this.seen(list.map((c) => c.caseId), viewer);
    return {
      rows: seen
        ? list.map((c) => {
            const s = seen.get(c.caseId);
            return { ...c, seen: s ? { at: s.at, newAlerts: s.newAlertIds.length, changes: s.changes } : null };
          })
        : list,
      total: Number(count.rows[0]!.n),
      page,
      pageSize,
      ...(last && { next: cursorOf(last, f.sort ?? "risk") }),
    };
  }

  /**
   * When `username` last looked at each of these cases (opened or acted on it: their latest audit row on it), and the
   * alerts that came in since, oldest first; a case they never looked at is not in the map. An alert's arrival is
   * its row's time: its raisedAt is the event's, often days before anyone looked.
   */
  async seen(caseIds: readonly string[], username: string): Promise<Map<string, Seen>> {
    return seenOn(this.db, caseIds, username);
  }

  /**
   * A case opened by `actor` (its page, or GET /api/cases/:id): the opening recorded, a `case-view` row (every one),
   * then the case read in the same transaction, so that its trail, as the page and the API give it, holds this
   * opening as the audit trail does. `seen`: when the opener last looked before this opening, and what came since.
   * A case that is not there is 404, and no row.
   */
  async open(caseId: string, actor: Actor, via: "page" | "api"): Promise<{ detail: CaseDetail; seen: Seen | null }> {
    const id = caseIdOf(caseId);
    return this.db.tx(async (q) => {
      const c = await q.query<{ merchant_id: string }>("SELECT merchant_id FROM mt_cases WHERE case_id = $1::bigint", [id]);
      if (!c.rows[0]) throw new CaseError(404, `no case ${caseId}`);
      const seen = (await seenOn(q, [id], actor.username)).get(id) ?? null;
      await writeAudit(q, actor, "case-view", { caseId: id, target: c.rows[0].merchant_id, detail: { via } });
      return { detail: await this.load(q, id), seen };
    });
  }

  /**
   * What is waiting, whatever a queue's filters: the active cases nobody holds (and how many of those were ever
   * critical), those `viewer` holds, those escalated, and all active ones; each as the queue's filters count it.
   */
  async waiting(viewer: string): Promise<Waiting> {
    const r = await this.db.query<Record<keyof Waiting, number>>(
      `SELECT count(*) FILTER (WHERE assignee IS NULL)::int AS unassigned,
              count(*) FILTER (WHERE assignee IS NULL AND peak_severity = 'critical')::int AS "unassignedCritical",
              count(*) FILTER (WHERE assignee = $2)::int AS yours,
              count(*) FILTER (WHERE status = 'escalated')::int AS escalated,
              count(*)::int AS active
         FROM mt_cases WHERE status = ANY($1::text[])`,
      [ACTIVE, viewer],
    );
    return r.rows[0]!;
  }

  /** The values the queue's filters can take. */
  async facets(): Promise<{ typologies: string[]; acquirers: string[]; assignees: string[] }> {
    const [t, a, u] = await Promise.all([
      this.db.query<{ v: string }>("SELECT DISTINCT unnest(typologies) AS v FROM mt_cases ORDER BY 1"),
      this.db.query<{ v: string }>("SELECT DISTINCT acquirer_id AS v FROM mt_cases WHERE acquirer_id IS NOT NULL ORDER BY 1"),
      this.db.query<{ v: string }>("SELECT DISTINCT assignee AS v FROM mt_cases WHERE assignee IS NOT NULL ORDER BY 1"),
    ]);
    return { typologies: t.rows.map((r) => r.v), acquirers: a.rows.map((r) => r.v), assignees: u.rows.map((r) => r.v) };
  }

  async get(caseId: string): Promise<CaseDetail> {
    return this.load(this.db, caseId);
  }

  /**
   * A case as its page, its API and its files read it. Its openings, exports and reveals are one sum per user, not a
   * row each: they are kept forever, and a script polling the case would make each later read slower (100,000
   * openings: the page 0.8 s and the API 1.6 s reading every row; 50-60 ms counting them). The sums are
   * mt_case_trail_sums' (migration 28), kept with each row. Every such row is in the JSON case file, read a page at a
   * time (exportCase).
   */
  private async load(q: Queryable, caseId: string): Promise<CaseDetail> {
    const id = caseIdOf(caseId);
    const c = await q.query<Raw>(`SELECT ${CASE_COLUMNS} FROM mt_cases WHERE case_id = $1::bigint`, [id]);
    if (!c.rows[0]) throw new CaseError(404, `no case ${caseId}`);
    // one after another: inside a transaction they share one connection
    const alerts = await q.query<{ alert: Alert | string }>(
      "SELECT a.alert FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id) WHERE ca.case_id = $1::bigint ORDER BY a.raised_at, a.alert_id",
      [id],
    );
    const comments = await q.query<Raw>("SELECT comment_id::text, author, body, created_at FROM mt_case_comments WHERE case_id = $1::bigint ORDER BY comment_id", [id]);
    const audit = await q.query<Raw>(`SELECT * FROM mt_audit WHERE case_id = $1::bigint AND ${LISTED} ORDER BY audit_id`, [id]);
    const kinds = Object.entries(SUMMED).flatMap(([kind, actions]) => actions.map((action) => [kind, action]));
    const sums = await q.query<{ kind: keyof typeof SUMMED; actor: string; times: string | number; last: unknown }>(
      `SELECT k.kind, s.actor, sum(s.times) AS times, max(s.last_at) AS last FROM mt_case_trail_sums s JOIN unnest($2::text[], $3::text[]) AS k (kind, action) USING (action)
       WHERE s.case_id = $1::bigint GROUP BY k.kind, s.actor ORDER BY min(s.first_id)`,
      [id, kinds.map((k) => k[0]), kinds.map((k) => k[1])],
    );
    const revealed = await q.query<Raw>(LATEST_REVEALS, [id]);
    const summed = (kind: keyof typeof SUMMED): Openings => sums.rows.filter((r) => r.kind === kind).map((r) => ({ actor: r.actor, times: Number(r.times), last: iso(r.last)! }));
    const others = await q.query<Raw>(`SELECT ${CASE_COLUMNS} FROM mt_cases WHERE merchant_id = $1 AND case_id <> $2::bigint ORDER BY opened_at DESC, case_id DESC`, [
      c.rows[0].merchant_id,
      id,
    ]);
    const list = alerts.rows.map((r) => storedAlert(r.alert));
    return {
      case: caseRow(c.rows[0]),
      alerts: list,
      context: mergedContext(list),
      comments: comments.rows.map((r) => ({ commentId: String(r.comment_id), author: r.author as string, body: r.body as string, createdAt: iso(r.created_at)! })),
      audit: audit.rows.map(auditRow),
      openings: summed("openings"),
      exports: summed("exports"),
      reveals: summed("reveals"),
      revealed: revealed.rows.map(auditRow),
      otherCases: others.rows.map(caseRow),
    };
  }

  /**
   * One workflow action, checked against the case's current status, with its audit row. With `expected` (the
   * version the decision was taken on: caseVersion), refused if the case changed since, checked under the row's lock.
   */
  /** `check`: refuse as the action would be, but take it not (a page's confirmation is asked first); the case as it is */
  async act(caseId: string, actor: Actor, input: unknown, expected?: string, o: { check?: boolean } = {}): Promise<CaseRow> {
    const a = parseInput(CaseAction, input, "action");
    const id = caseIdOf(caseId);
    return this.db.tx(async (q) => {
      const cur = await q.query<Raw>(`SELECT ${CASE_COLUMNS} FROM mt_cases WHERE case_id = $1::bigint FOR UPDATE`, [id]);
      if (!cur.rows[0]) throw new CaseError(404, `no case ${caseId}`);
      const before = caseRow(cur.rows[0]);
      if (expected !== undefined) {
        const changed = changedSince(expected, before, actor.username);
        if (changed.length) throw new StaleCaseError(before, changed);
      }
      if (!TRANSITIONS[a.action].from.includes(before.status)) throw new CaseError(409, notAllowed(a.action, before.status));
      if (a.action === "assign" && a.assignee !== undefined) await this.checkAssignee(q, a.assignee);
      // a critical case is a listed site or identifier matched at high confidence, or signals scoring at the critical
      // level: an auditor asks why it was let go
      if (a.action === "dismiss" && before.peakSeverity === "critical" && !a.note)
        throw new CaseError(
          400,
          "note: a critical case (a listed site or identifier matched at high confidence, or signals scoring at the critical level) is dismissed only with a note saying why the match or the signals do not hold; write it in the note (on the case page: the Comment field) and dismiss again",
        );
      const status = nextStatus(before.status, a.action);
      const set = {
        // reopened, a case is back in the queue as nobody's (open is not in review): whoever takes it assigns it
        assignee: a.action === "assign" ? (a.assignee ?? actor.username) : a.action === "reopen" ? null : before.assignee,
        reportRef: a.action === "report" ? a.reportRef : a.action === "reopen" ? null : before.reportRef,
        dismissReason: a.action === "dismiss" ? a.reason : a.action === "reopen" ? null : before.dismissReason,
        terminationRef: a.action === "close-account" ? a.terminationRef : a.action === "reopen" ? null : before.terminationRef,
      };
      if (a.action === "reopen") {
        const other = await q.query<{ case_id: string }>(
          "SELECT case_id::text FROM mt_cases WHERE merchant_id = $1 AND status = ANY($2::text[]) AND case_id <> $3::bigint",
          [before.merchantId, ACTIVE, id],
        );
        if (other.rows[0]) throw new CaseError(409, `merchant ${before.merchantId} already has an open case (${other.rows[0].case_id}); work that one instead`);
      }
      if (o.check) return before;
      const upd = await q.query<Raw>(
        `UPDATE mt_cases SET status = $2, assignee = $3, report_ref = $4, dismiss_reason = $5, termination_ref = $6,
           -- never back: an alert's time (its event's) can be ahead of this clock
           updated_at = GREATEST(updated_at, clock_timestamp()),
           closed_at = CASE WHEN $2 = ANY($7::text[]) THEN clock_timestamp() ELSE NULL END
         WHERE case_id = $1::bigint RETURNING ${CASE_COLUMNS}`,
        [id, status, set.assignee, set.reportRef, set.dismissReason, set.terminationRef, CLOSED],
      );
      const after = caseRow(upd.rows[0]!);
      // a colleague may act on a case assigned to someone else (covering an absence): the row says whose it was
      const assignedTo = before.assignee !== null && before.assignee !== actor.username ? before.assignee : undefined;
      await writeAudit(q, actor, a.action, {
        caseId: id,
        target: before.merchantId,
        before: tracked(before),
        after: tracked(after),
        detail: a.note || assignedTo ? { ...(a.note && { note: a.note }), ...(assignedTo && { assignedTo }) } : undefined,
      });
      return after;
    });
  }

  /**
   * The other cases whose report's (or termination's) reference is `ref`: one pasted from the previous case goes
   * unnoticed otherwise. Not refused: one report can cover several merchants.
   */
  async sameReference(caseId: string, kind: "report" | "termination", ref: string): Promise<{ caseId: string; merchantId: string }[]> {
    const column = kind === "report" ? "report_ref" : "termination_ref";
    const r = await this.db.query<{ case_id: string; merchant_id: string }>(
      `SELECT case_id::text, merchant_id FROM mt_cases WHERE ${column} = $1 AND case_id <> $2::bigint ORDER BY case_id`,
      [ref, caseIdOf(caseId)],
    );
    return r.rows.map((x) => ({ caseId: x.case_id, merchantId: x.merchant_id }));
  }

  /** Who a case can be handed over to: the active users of a role that works cases, by name. */
  async assignees(): Promise<string[]> {
    const r = await this.db.query<{ username: string }>("SELECT username FROM mt_users WHERE role = ANY($1::text[]) AND NOT disabled ORDER BY username", [this.workers]);
    return r.rows.map((u) => u.username);
  }

  /** Someone who can work the case: an active user of a role that works cases. */
  private async checkAssignee(q: Queryable, username: string): Promise<void> {
    const r = await q.query<{ role: Role; disabled: boolean }>("SELECT role, disabled FROM mt_users WHERE username = $1", [username]);
    const u = r.rows[0];
    const who = this.workers.join(" or ");
    if (!u) throw new CaseError(400, `assignee: there is no user ${username}; assign the case to a ${who} by their user name`);
    if (!this.workers.includes(u.role)) throw new CaseError(400, `assignee: ${username} has the ${u.role} role and cannot work cases; assign the case to a ${who}`);
    if (u.disabled) throw new CaseError(400, `assignee: ${username} is disabled; assign the case to an active ${who}`);
  }

  /** A comment on a case, `{ body }` as the API or the page's form sends it. */
  async comment(caseId: string, actor: Actor, input: unknown): Promise<CommentRow> {
    const text = parseInput(CommentInput, input, "comment").body;
    const id = caseIdOf(caseId);
    return this.db.tx(async (q) => {
      const c = await q.query<{ merchant_id: string }>("SELECT merchant_id FROM mt_cases WHERE case_id = $1::bigint", [id]);
      if (!c.rows[0]) throw new CaseError(404, `no case ${caseId}`);
      const r = await q.query<Raw>(
        "INSERT INTO mt_case_comments (case_id, author, body) VALUES ($1::bigint, $2, $3) RETURNING comment_id::text, author, body, created_at",
        [id, actor.username, text],
      );
      const row = r.rows[0]!;
      await writeAudit(q, actor, "comment", { caseId: id, target: c.rows[0].merchant_id, after: { commentId: String(row.comment_id), body: text } });
      return { commentId: String(row.comment_id), author: row.author as string, body: row.body as string, createdAt: iso(row.created_at)! };
    });
  }

  /** A flagged URL in full, by its hash: a deliberate act, audited. The URL is returned as text, never fetched. */
  async revealUrl(caseId: string, actor: Actor, input: unknown): Promise<{ hash: string; url: string }> {
    const { hash } = parseInput(RevealInput, input, "reveal");
    return this.db.tx(async (q) => {
      const detail = await this.load(q, caseId);
      const url = evidenceUrls(detail.context).find((u) => urlHash(u) === hash);
      if (!url) throw new CaseError(404, `no URL with hash ${hash} in the evidence of case ${caseId}`);
      await writeAudit(q, actor, "reveal-url", { caseId: detail.case.caseId, target: hash });
      return { hash, url };
    });
  }

  /**
   * The hash of the address `username` last revealed on the case (their latest reveal-url row on it), or null: what
   * the page a reveal redirects to may show, so that what the browser carries there names nothing unrecorded.
   */
  async lastReveal(caseId: string, username: string): Promise<string | null> {
    const r = await this.db.query<{ target: string }>(
      "SELECT target FROM mt_audit WHERE case_id = $1::bigint AND actor = $2 AND action = 'reveal-url' ORDER BY audit_id DESC LIMIT 1",
      [caseIdOf(caseId), username],
    );
    return r.rows[0]?.target ?? null;
  }

  /**
   * The case file for a report to the authorities or a hotline. It holds every evidence address in full, so its
   * audit row names each one's hash, as a reveal of each would. TLP:RED indicators never leave the member that holds
   * them: the file says how many were withheld, and the case page shows them to the reviewer.
   */
  /**
   * The JSON case file: `file`, all of it but its trail, and `audit`, the trail's pages (every row but the trail's own
   * reads, oldest first, however many: 100,000 openings were 21 MB held at once). As caseTrail: the export is
   * recorded first, with how many rows the file gives and the newest one's id (`through`), and the rows are then read
   * TRAIL_PAGE_ROWS at a time as the reader takes them, no connection held between pages. The export's own row is
   * not in its file (counted before it is written).
   */
  async exportCase(caseId: string, actor: Actor): Promise<{ file: Omit<CaseFile, "audit">; audit: AsyncGenerator<AuditRow[]> }> {
    let trail: { w: AuditWhere; through: string } | undefined;
    const detail = async (d: CaseDetail, q: Queryable) => {
      const w = await auditWhere(q, { caseId, forReviewer: true });
      const { rows, through } = await trailCount(q, w);
      trail = { w, through };
      return { form: "json", urls: evidenceUrls(d.context).map(urlHash), rows, through };
    };
    const { withheld, red, exportedAt, ...d } = caseFile(await this.exported(caseId, actor, detail));
    const { w, through } = trail!;
    const file = {
      format: "moneytrail-case-file/1",
      exportedAt,
      exportedBy: actor.username,
      case: d.case,
      dismissReasonText: d.case.dismissReason ? (DISMISS_REASONS as Record<string, string>)[d.case.dismissReason] : undefined,
      merchant: d.context.profile ?? null,
      activity: d.context.activity,
      evidence: d.context.events.map((e) => ({
        ...e,
        urls: eventAddresses(e).map(({ role, url, flagged }) => ({
          url,
          sha256: urlHash(url),
          role,
          ...(flagged && (flagged.lookAlikeOf ? { lookAlikeOf: flagged.lookAlikeOf } : { listed: true })),
        })),
      })),
      signals: d.alerts.at(-1)?.signals ?? [],
      indicators: indicatorsOf(d.alerts),
      indicatorsWithheld: { count: withheld, reason: WITHHELD_REASON },
      alerts: d.alerts.map(({ context: _context, ...a }) => a),
      comments: d.comments,
    } satisfies Omit<CaseFile, "audit">;
    const pages = trailPages(this.db, w, through);
    async function* audit(): AsyncGenerator<AuditRow[]> {
      for await (const page of pages) yield red.length ? page.map((r) => withoutRedCited(r, red)) : page;
    }
    return { file, audit: audit() };
  }

  /** The case for its printable file, which masks addresses as the page does; audited as an export, at `exportedAt`. */
  async printCase(caseId: string, actor: Actor): Promise<CaseDetail & { withheld: number; exportedAt: string }> {
    return caseFile(await this.exported(caseId, actor, () => ({ form: "print" })));
  }

  /** A case read for an export, with the export's audit row (`detail`, read in the same transaction) and that row's time. */
  private exported(caseId: string, actor: Actor, detail: (d: CaseDetail, q: Queryable) => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<CaseDetail & { exportedAt: string }> {
    return this.db.tx(async (q) => {
      const d = await this.load(q, caseId);
      const exportedAt = await writeAudit(q, actor, "export", { caseId: d.case.caseId, target: d.case.merchantId, detail: await detail(d, q) });
      return { ...d, exportedAt };
    });
  }

  /**
   * A closed case's decision for the publishers of the indicators its alerts cited, as sightings: reported or
   * account closed = confirmed; dismissed as false positive or legitimate business = dismissed, so a false lead decays. Other outcomes
   * tell a publisher nothing and are refused. STIX: one bundle of sightings of every cited indicator. MISP: one
   * sighting per cited indicator MISP knows, i.e. whose id is a MISP attribute uuid. With a publisher, only its own
   * indicators: a file that goes to one publisher does not tell it which other members' entries the case cited. A
   * STIX sighting is marked TLP:AMBER, or its indicator's level when that is stricter. An entry cited only as a
   * look-alike is left out (its name was not seen). The export is audited.
   */
  async sightings(caseId: string, actor: Actor, member: { id: string; name?: string }, form: SightingsForm = "stix", publisher?: string): Promise<StixBundle | MispSighting[]> {
    return this.db.tx(async (q) => {
      const d = await this.load(q, caseId);
      const c = d.case;
      const disposition =
        CONFIRMED.includes(c.status) ? "confirmed" : c.status === "dismissed" && (CLEAN_DISMISSALS as readonly string[]).includes(c.dismissReason ?? "") ? "dismissed" : null;
      if (!disposition)
        throw new CaseError(409, `case ${caseId} is ${statusText(c.status)}${c.dismissReason ? ` (${c.dismissReason})` : ""}: only a reported case, one closed with the merchant's account, or one dismissed as false positive or legitimate business, tells a publisher something`);
      const cites = indicatorsOf(d.alerts);
      if (cites.length === 0) throw new CaseError(409, `case ${caseId} cites no coalition indicator: there is no publisher to tell`);
      const all = cites.filter(sighted);
      if (all.length === 0)
        throw new CaseError(409, `case ${caseId} cites its indicators only as look-alikes (a host drawn like a listed name, not the name itself): that is no sighting of them, so there is nothing to tell their publishers`);
      // a TLP:RED indicator's sighting goes to its own publisher only
      const cited = publisher === undefined ? all.filter((i) => !isRed(i)) : all.filter((i) => i.source === publisher);
      if (cited.length === 0)
        throw new CaseError(
          404,
          `case ${caseId} cites no indicator ${publisher === undefined ? "that may go to every publisher (TLP:RED)" : `of ${publisher}`}: ask for one publisher's file, with publisher= one of ${[...new Set(all.map((i) => i.source))].join(", ")}`,
        );
      const at = c.closedAt ?? c.updatedAt;
      let inds = cited;
      let out: StixBundle | MispSighting[];
      if (form === "misp") {
        inds = cited.filter((i) => isMispAttribute(i.id));
        if (inds.length === 0)
          throw new CaseError(409, `case ${caseId} cites no MISP attribute (indicators from MISP feeds carry one as their id): tell its publishers with the STIX form (format=stix)`);
        // the same attribute cited through two sets (one feed imported twice) is one sighting, not two
        const attributes = new Map(inds.map((i) => [i.id.toLowerCase(), i.id]));
        out = [...attributes.values()].map((uuid) => mispSighting({ attributeUuid: uuid, disposition, source: member.id, at, decisionId: c.caseId }));
      } else {
        const objects = new Map<string, StixBundle["objects"][number]>();
        for (const i of inds) for (const o of stixSighting({ setId: i.set, entryId: i.id, member, disposition, at, tlp: sightingTlp(i.tlp), decisionId: c.caseId }).objects) objects.set(o.id, o);
        out = { type: "bundle", id: `bundle--${randomUUID()}`, objects: [...objects.values()] };
      }
      await writeAudit(q, actor, "export-sightings", { caseId: c.caseId, target: c.merchantId, detail: { form, disposition, ...(publisher && { publisher }), indicators: inds.map((i) => `${i.set}/${i.id}`) } });
      return out;
    });
  }

  /**
   * Audit rows, oldest first: one case's, or all of them (or those `filter` keeps) after a given id (for a full
   * export in pages). Reading the trail out is itself audited, in the same transaction.
   */
  async exportAudit(actor: Actor, form: "ndjson" | "csv" | "json", o: AuditRead & { afterId?: string; limit?: number } = {}): Promise<AuditRow[]> {
    return this.db.tx(async (q) => {
      const w = await auditWhere(q, o);
      const rows = await auditRows(q, w, "after", o.afterId ?? "0", o.limit ?? AUDIT_MAX_ROWS);
      await auditRead(q, actor, form, o, readOf(rows), { after: o.afterId ?? null });
      return rows;
    });
  }

  /**
   * A case's whole trail as a reviewer downloads it (CSV, JSON): every row but the trail's own reads, oldest first,
   * however many (it was cut at AUDIT_MAX_ROWS, 10,000, without a word). The download is recorded first, with how
   * many rows it gives and the newest one's id (`through`), in a transaction of its own, so that one cut off
   * half-way is in the trail too. `pages` then reads those rows, TRAIL_PAGE_ROWS at a time, as its reader takes
   * them: memory holds a page, and no connection is held between pages (a slow client holds none). `evidence`: the
   * case's evidence addresses, read after the rows were counted, for masking what was written into them.
   */
  async caseTrail(actor: Actor, caseId: string, form: "csv" | "json"): Promise<{ evidence: string[]; pages: AsyncGenerator<AuditRow[]> }> {
    const o: AuditRead = { caseId, forReviewer: true };
    const { w, through, evidence } = await this.db.tx(async (q) => {
      const w = await auditWhere(q, o);
      const { rows, through } = await trailCount(q, w);
      await auditRead(q, actor, form, o, { rows, tells: rows > 0 }, { through });
      return { w, through, evidence: (await evidenceOfCases(q, [caseIdOf(caseId)])).get(caseIdOf(caseId)) ?? [] };
    });
    return { evidence, pages: trailPages(this.db, w, through) };
  }

  /**
   * A page of the trail for a person, newest first: the `limit` rows before `beforeId` (from the newest without it),
   * or with `afterId` the `limit` rows just after it (the page before, newer); with how many rows the filters keep
   * and how many of them are newer than the page (its place among them). Audited as an export is: it shows the same.
   */
  async auditPage(
    actor: Actor,
    o: AuditRead & { afterId?: string; beforeId?: string; limit: number },
  ): Promise<{ rows: AuditRow[]; total: number; newer: number; evidence: Map<string, string[]> }> {
    return this.db.tx(async (q) => {
      const w = await auditWhere(q, o);
      const rows = o.afterId
        ? (await auditRows(q, w, "after", o.afterId, o.limit)).reverse()
        : await auditRows(q, w, "before", o.beforeId ?? NEWEST, o.limit);
      // counted before this view's own row is written; an empty page's place is its cursor's
      const newest = rows[0]?.auditId ?? o.afterId ?? o.beforeId ?? NEWEST;
      const n = await q.query<{ total: string | number; newer: string | number }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE audit_id > $1::bigint) AS newer FROM mt_audit WHERE ${w.where}`,
        [newest, ...w.params],
      );
      await auditRead(q, actor, "page", o, readOf(rows), { after: o.afterId ?? null, ...(o.beforeId && { before: o.beforeId }) });
      return { rows, total: Number(n.rows[0]!.total), newer: Number(n.rows[0]!.newer), evidence: await evidenceOf(q, rows) };
    });
  }
}

/** What a read of the trail narrows to: one case's rows, and the filters. */
interface AuditRead {
  caseId?: string;
  filter?: AuditFilter;
  /** the case's trail as a reviewer downloads it: without the trail's own reads (TRAIL_READS) */
  forReviewer?: boolean;
}
/** The most rows one read of the trail gives (but a case's trail as a reviewer downloads it: caseTrail). */
export const AUDIT_MAX_ROWS = 10_000;
/** The rows a streamed read of the trail (caseTrail) holds at once. */
const TRAIL_PAGE_ROWS = 1_000;
/** Past the newest audit id (bigint's largest): a page without a cursor starts at the trail's newest end. */
const NEWEST = "9223372036854775807";

/**
 * The trail's rows a read keeps, as SQL with its parameters from $2 on ($1 is the caller's cursor); a case that does
 * not exist is a 404, not an empty trail.
 */
/** The conditions of a read of the trail, with their parameters from $2 ($1 is the cursor's). */
type AuditWhere = { where: string; params: unknown[] };

async function auditWhere(q: Queryable, o: AuditRead): Promise<AuditWhere> {
  const params: unknown[] = [];
  const conditions = ["true"];
  const and = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length + 1}`));
  };
  if (o.caseId) {
    const id = caseIdOf(o.caseId);
    const c = await q.query("SELECT 1 FROM mt_cases WHERE case_id = $1::bigint", [id]);
    if (!c.rows[0]) throw new CaseError(404, `no case ${o.caseId}`);
    and((p) => `case_id = ${p}::bigint`, id);
  }
  // no index for token, actor or since: a rare token is one pass over the trail (1M rows: 0.3-0.4 s), for an
  // occasional inquiry. Actions use migration 27's (action, at): a rare one's rows are read alone, a common one's
  // in audit_id order (500k rows: 1-6 ms; a full page of 10,000 dismissals 20-55 ms; 100 ms without the index)
  const f = o.filter ?? {};
  if (f.token) and((p) => `credential->>'token' = ${p}`, f.token);
  if (f.actor) and((p) => `actor = ${p}`, f.actor);
  if (f.since) and((p) => `at >= ${p}::timestamptz`, f.since);
  if (f.until) and((p) => `at < ${p}::timestamptz`, f.until);
  if (f.action) and((p) => `action = ANY(${p}::text[])`, f.action);
  if (o.forReviewer) and((p) => `action <> ${p}`, TRAIL_READS);
  return { where: conditions.join(" AND "), params };
}

/** The rows `w` keeps after the cursor (oldest first) or before it (newest first), at most `limit` (and AUDIT_MAX_ROWS). */
async function auditRows(q: Queryable, w: { where: string; params: unknown[] }, side: "after" | "before", cursor: string, limit: number): Promise<AuditRow[]> {
  const [cmp, order] = side === "after" ? [">", "ASC"] : ["<", "DESC"];
  const r = await q.query<Raw>(`SELECT * FROM mt_audit WHERE ${w.where} AND audit_id ${cmp} $1::bigint ORDER BY audit_id ${order} LIMIT ${Math.min(limit, AUDIT_MAX_ROWS)}`, [cursor, ...w.params]);
  return r.rows.map(auditRow);
}

/** How many rows `w` keeps, and the newest one's id ("0" for none): what a download of them gives (trailPages). */
async function trailCount(q: Queryable, w: AuditWhere): Promise<{ rows: number; through: string }> {
  const n = await q.query<{ rows: string | number; through: string | null }>(
    `SELECT count(*) AS rows, max(audit_id)::text AS through FROM mt_audit WHERE ${w.where} AND audit_id <= $1::bigint`,
    [NEWEST, ...w.params],
  );
  return { rows: Number(n.rows[0]!.rows), through: n.rows[0]!.through ?? "0" };
}

/**
 * The rows `w` keeps up to `through`, oldest first, TRAIL_PAGE_ROWS a read as the reader takes them: memory holds a
 * page, and each page is one query on the pool, so no connection is held between pages (a slow client holds none).
 */
async function* trailPages(db: Db, w: AuditWhere, through: string): AsyncGenerator<AuditRow[]> {
  const upTo = { where: `${w.where} AND audit_id <= $${w.params.length + 2}::bigint`, params: [...w.params, through] };
  for (let cursor = "0"; ; ) {
    const page = await auditRows(db, upTo, "after", cursor, TRAIL_PAGE_ROWS);
    if (page.length) yield page;
    if (page.length < TRAIL_PAGE_ROWS) return;
    cursor = page.at(-1)!.auditId;
  }
}

/**
 * The evidence addresses (evidenceUrls) of each case `rows` name, for masking what reviewers wrote on screen: the
 * page's cases' alerts in one query, merged per case as its page merges them.
 */
async function evidenceOf(q: Queryable, rows: AuditRow[]): Promise<Map<string, string[]>> {
  return evidenceOfCases(q, [...new Set(rows.flatMap((r) => (r.caseId ? [r.caseId] : [])))]);
}

/** The evidence addresses of each of these cases (evidenceOf). */
async function evidenceOfCases(q: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  if (!ids.length) return new Map();
  const r = await q.query<{ case_id: string; alert: Alert | string }>(
    "SELECT ca.case_id::text, a.alert FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id) WHERE ca.case_id = ANY($1::bigint[]) ORDER BY ca.case_id, a.raised_at, a.alert_id",
    [ids],
  );
  const alerts = new Map<string, Alert[]>();
  for (const x of r.rows) (alerts.get(x.case_id) ?? alerts.set(x.case_id, []).get(x.case_id)!).push(storedAlert(x.alert));
  return new Map(ids.map((id) => [id, evidenceUrls(mergedContext(alerts.get(id) ?? []))]));
}

/**
 * A read of the trail's own row, with what it asked for, so that the trail tells what an auditor looked into. A read
 * of nothing but such rows (this user's or another's paging beside them) tells nothing new, and recording it would
 * hand every client that pages until an empty page a fresh row to read, forever.
 */
async function auditRead(q: Queryable, actor: Actor, form: string, o: AuditRead, read: { rows: number; tells: boolean }, where: Record<string, string | null>): Promise<void> {
  const filter = Object.fromEntries(Object.entries(o.filter ?? {}).filter(([, v]) => v !== undefined));
  if (read.tells) await writeAudit(q, actor, "audit-export", { caseId: o.caseId ?? null, detail: { form, ...where, rows: read.rows, ...(Object.keys(filter).length > 0 && { filter }) } });
}

/** How many rows a read of the trail gives, and whether it tells anything new (auditRead): a row not itself a read. */
const readOf = (rows: AuditRow[]) => ({ rows: rows.length, tells: rows.some((row) => row.action !== "audit-export") });

/**
 * The merchants whose account a bank terminated (a case closed as account closed), each once, with the latest such
 * case, when it was closed and the bank's reference: where the shared-infrastructure rule reads them from.
 */
export async function terminatedMerchants(q: Queryable): Promise<{ merchantId: string; caseId: string; closedAt: string; terminationRef: string }[]> {
  const r = await q.query<Raw>(
    "SELECT DISTINCT ON (merchant_id) merchant_id, case_id::text, closed_at, termination_ref FROM mt_cases WHERE status = 'account_closed' ORDER BY merchant_id, closed_at DESC",
  );
  return r.rows.map((x) => ({ merchantId: x.merchant_id as string, caseId: String(x.case_id), closedAt: iso(x.closed_at)!, terminationRef: x.termination_ref as string }));
}

export interface CaseFile {
  format: "moneytrail-case-file/1";
  exportedAt: string;
  exportedBy: string;
  case: CaseRow;
  dismissReasonText?: string;
  merchant: AlertContext["profile"] | null;
  activity: AlertContext["activity"];
  /** each address an indicator matched says so: listed, or the listed names it is only drawn like */
  evidence: (EvidenceEvent & { urls: { url: string; sha256: string; role: string; listed?: true; lookAlikeOf?: NonNullable<EvidenceAddress["flagged"]>["lookAlikeOf"] }[] })[];
  signals: Alert["signals"];
  /** the cited indicators that may leave this member: not TLP:RED */
  indicators: ReturnType<typeof indicatorsOf>;
  indicatorsWithheld: { count: number; reason: string };
  alerts: Omit<Alert, "context">[];
  comments: CommentRow[];
  audit: AuditRow[];
}

// the page's form sends its CSRF token beside the body; a request without a body lacks the one field as {} does
const CommentInput = z.preprocess(
  (input) => input ?? {},
  z.object(
    {
      body: needed("body", "a comment needs its text", { body: "checked the descriptor history" }, "write it in the Comment field of the case page's Decide section").max(
        4000,
        "a comment is at most 4,000 characters",
      ),
    },
    { error: 'send {"body": "…"} as JSON' },
  ),
);

// hashes are shown and matched in lower case; one copied in capitals is the same address
const RevealInput = z.object(
  { hash: z.string({ error: "the address's hash as the case page shows it (sha256:…), as a string" }).trim().toLowerCase().min(1, "the address's hash as the case page shows it (sha256:…)") },
  { error: 'send {"hash": "sha256:…"} as JSON' },
);

/** A request's input, or a 400 naming each field and what it needs. */
function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new CaseError(400, zodIssues(parsed.error, input).map((i) => `${i.path || what}: ${i.message}`).join("; "));
  return parsed.data;
}

/** CaseStore.seen's query, on a connection or in a transaction: the latest time among the user's sums of the case. */
async function seenOn(q: Queryable, caseIds: readonly string[], username: string): Promise<Map<string, Seen>> {
  if (caseIds.length === 0) return new Map();
  const r = await q.query<Raw>(
    `SELECT s.case_id::text, s.at, ARRAY(SELECT ca.alert_id FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id)
       WHERE ca.case_id = s.case_id AND a.created_at > s.at ORDER BY a.raised_at, a.alert_id) AS fresh,
       COALESCE((SELECT json_agg(json_build_object('actor', t.actor, 'action', t.action) ORDER BY t.last_at, t.actor, t.action) FROM mt_case_trail_sums t
         WHERE t.case_id = s.case_id AND t.actor <> $2 AND t.last_at > s.at AND t.action = ANY($3::text[])), '[]') AS changes
     FROM (SELECT case_id, max(last_at) AS at FROM mt_case_trail_sums WHERE case_id = ANY($1::bigint[]) AND actor = $2 GROUP BY case_id) s`,
    [caseIds.map(caseIdOf), username, NEWS],
  );
  const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;
  return new Map(r.rows.map((x) => [String(x.case_id), { at: iso(x.at)!, newAlertIds: x.fresh as string[], changes: json<SeenChange[]>(x.changes) }]));
}

function caseIdOf(s: string): string {
  if (!/^\d{1,18}$/.test(s)) throw new CaseError(404, `no case ${s}: case ids are numbers`);
  return s;
}

/** An alert as mt_alerts gives it: its jsonb, parsed or as text. */
const storedAlert = (alert: Alert | string): Alert => Alert.parse(typeof alert === "string" ? JSON.parse(alert) : alert);

/** Profile and activity of the latest alert; the evidence events of all, each once, oldest first. */
function mergedContext(alerts: Alert[]): AlertContext {
  const latest = [...alerts].reverse().find((a) => a.context)?.context;
  const events = new Map<string, EvidenceEvent>();
  for (const a of alerts) for (const e of a.context?.events ?? []) events.set(e.eventId, e);
  return {
    ...(latest?.profile && { profile: latest.profile }),
    events: [...events.values()].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
    activity: latest?.activity ?? [],
  };
}

/** TLP:AMBER, or the cited indicator's level when stricter. */
const sightingTlp = (tlp: string | undefined): Tlp => strictestTlp(["amber", tlp === undefined ? undefined : tlpOrRed(tlp)])!;

/** A TLP:RED indicator: it never leaves the member that holds it (a level this version does not know reads as RED). */
export const isRed = (i: IndicatorRef): boolean => isRedTlp(i.tlp);

export const WITHHELD_REASON = "TLP:RED indicator matches are left out of a case file: they never leave the member that holds them (the case page shows them to reviewers)";

/**
 * A case as its files (JSON, printable) carry it: its signals without their TLP:RED indicator matches (set, id,
 * source, confidence), and `withheld`, how many indicators were left out.
 */
function caseFile<T extends CaseDetail>(d: T): T & { withheld: number; red: IndicatorRef[] } {
  const red = indicatorsOf(d.alerts).filter(isRed);
  const signals = (a: Alert): Alert["signals"] =>
    a.signals.map((s) => (s.evidence.indicators?.some(isRed) ? { ...s, evidence: { ...s.evidence, indicators: s.evidence.indicators.filter((i) => !isRed(i)) } } : s));
  return {
    ...d,
    context: withoutRedNames(d.context),
    alerts: d.alerts.map((a) => ({ ...a, context: a.context && withoutRedNames(a.context), signals: red.length ? signals(a) : a.signals })),
    audit: red.length ? d.audit.map((r) => withoutRedCited(r, red)) : d.audit,
    withheld: red.length,
    red,
  };
}

/** What a case file says in place of a name that only TLP:RED entries list (an evidence address's look-alike mark). */
export const WITHHELD_NAME = "withheld (TLP:RED)";

/** The evidence's look-alike marks without the names only TLP:RED entries list. */
function withoutRedNames(ctx: AlertContext): AlertContext {
  const redIn = (e: EvidenceEvent) => e.flagged?.some((f) => f.lookAlikeOf?.some((n) => n.red));
  if (!ctx.events.some(redIn)) return ctx;
  return {
    ...ctx,
    events: ctx.events.map((e) =>
      redIn(e) ? { ...e, flagged: e.flagged!.map((f) => (f.lookAlikeOf ? { ...f, lookAlikeOf: f.lookAlikeOf.map((n) => (n.red ? { ...n, name: WITHHELD_NAME } : n)) } : f)) } : e,
    ),
  };
}

/**
 * A sightings export's audit row names the indicators sent and their publisher: in a case file, not the TLP:RED
 * ones, nor the publisher of a file that held only such.
 */
function withoutRedCited(r: AuditRow, withheld: readonly IndicatorRef[]): AuditRow {
  const d = r.detail as { indicators?: unknown; publisher?: unknown } | null;
  if (r.action !== "export-sightings" || !Array.isArray(d?.indicators)) return r;
  const red = new Set(withheld.map((i) => `${i.set}/${i.id}`));
  const kept = d.indicators.filter((k) => !red.has(k as string));
  if (kept.length === d.indicators.length) return r;
  return { ...r, detail: { ...d, indicators: kept, ...(kept.length === 0 && d.publisher !== undefined && { publisher: "withheld (TLP:RED)" }) } };
}

/** Each indicator that matched in any of the case's alerts, once, with the rules it fired. */
export function indicatorsOf(alerts: Alert[]) {
  const out = new Map<string, NonNullable<Alert["signals"][number]["evidence"]["indicators"]>[number] & { rules: string[] }>();
  for (const a of alerts)
    for (const s of a.signals)
      for (const i of s.evidence.indicators ?? []) {
        const key = `${i.set}/${i.id}`;
        const have = out.get(key);
        if (!have) out.set(key, { ...i, rules: [s.rule] });
        else {
          const rules = have.rules.includes(s.rule) ? have.rules : [...have.rules, s.rule];
          // a later alert's match as listed (or as written) says more than an earlier look-alike (or other form)
          out.set(key, closerMatch(i.matchedAs, have.matchedAs) ? { ...i, rules } : { ...have, rules });
        }
      }
  return [...out.values()];
}

type MatchedAs = NonNullable<Alert["signals"][number]["evidence"]["indicators"]>[number]["matchedAs"];
const closerMatch = (later: MatchedAs, held: MatchedAs): boolean =>
  held !== undefined && (later === undefined || (held.lookAlike === true && later.lookAlike === undefined));

/** An entry cited only because a host is drawn like its listed name was not seen: its publisher hears nothing of it. */
const sighted = (i: { matchedAs?: MatchedAs }): boolean => i.matchedAs?.lookAlike !== true;
