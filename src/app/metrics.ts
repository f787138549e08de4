// The consumer's metrics, on /metrics (Prometheus text format). consumed = processed + dead-lettered.
import client from "prom-client";
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { Memo } from "../lib/memo.js";
import { scrapeRead } from "../lib/within.js";
import { Alert, Event } from "../decode/events.js";
import type { Rejection } from "../decode/decode.js";
import { TEXT_FIELDS } from "../decode/card-numbers.js";
import type { RefusalKind } from "../indicators/distribution.js";

/**
 * The values each labelled counter is known to take (a Record, so that a kind added to its type must be named here).
 * They are exported at 0 from the start: Prometheus's increase() and rate() need a sample before a series' first
 * increment, so a series that appeared at 1 showed no increase: a process's first dead letter, critical alert or
 * refused set drew nothing on the dashboard and fired no alert.
 */
const DEAD_LETTER_REASONS: Record<Rejection | "unreadable-batch", 0> = { "not-json": 0, schema: 0, "too-large": 0, "unreadable-batch": 0 };
const SET_REFUSALS: Record<RefusalKind, 0> = { invalid: 0, untrusted: 0, publisher: 0, changed: 0, rollback: 0 };
const DESTINATIONS: Record<"alerts" | "dead-letter", 0> = { alerts: 0, "dead-letter": 0 };
const RELOAD_RESULTS: Record<"accepted" | "refused", 0> = { accepted: 0, refused: 0 };
const CASE_DOWNLOADS = { "case-trail": 0, "case-file": 0 } as const;
/** The downloads of a case written as their rows are read (its trail as CSV or JSON; its JSON case file). */
export type CaseDownload = keyof typeof CASE_DOWNLOADS;
const HOLDS_ENDED: Record<"caught-up" | "passed-over", 0> = { "caught-up": 0, "passed-over": 0 };
/** The steps of `moneytrail run`'s start, in their order (moneytrail_start_phase; /readyz's start check). */
export const START_PHASES = ["database", "kafka", "topics", "loading", "indicator-topic", "group"] as const;
export type StartPhase = (typeof START_PHASES)[number];

/** A counter (or gauge) with its known label values at 0. */
function fromZero<T extends client.Counter | client.Gauge>(counter: T, label: string, values: readonly string[]): T {
  for (const value of values) counter.inc({ [label]: value }, 0);
  return counter;
}

// Heap used right after the latest major GC: what the process really retains. Sampled heap used is a sawtooth
// whose level follows V8's growth heuristics, so it cannot tell a leak from a lazier collector.
let heapAfterMajorGc = NaN;
let gcObserver: PerformanceObserver | undefined;
function watchMajorGc(): void {
  if (gcObserver) return;
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (((e as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) heapAfterMajorGc = getHeapStatistics().used_heap_size;
  });
  gcObserver.observe({ entryTypes: ["gc"] });
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const c = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name: `moneytrail_${name}`, help, labelNames, registers: [registry] });
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new client.Gauge({ name: `moneytrail_${name}`, help, labelNames, registers: [registry] });
  const h = (name: string, help: string, buckets: number[]) =>
    new client.Histogram({ name: `moneytrail_${name}`, help, buckets, registers: [registry] });
  watchMajorGc();
  new client.Gauge({
    name: "moneytrail_heap_after_major_gc_bytes",
    help: "V8 heap used just after the latest major (mark-compact) GC: retained memory, for leak watching",
    registers: [registry],
    collect() {
      if (Number.isFinite(heapAfterMajorGc)) this.set(heapAfterMajorGc);
    },
  });
  // the memos are bounded caches (2 x MEMO_CAP entries): an operator watching memory sees them fill, then stay
  new client.Gauge({
    name: "moneytrail_memo_entries",
    help: "entries held by each memo of URL and domain lookups (bounded: two generations of MEMO_CAP)",
    labelNames: ["memo"],
    registers: [registry],
    collect() {
      for (const [memo, m] of Memo.named) this.set({ memo }, m.size);
    },
  });
  new client.Counter({
    name: "moneytrail_memo_lookups_total",
    help: "lookups in each memo of URL and domain lookups, by result (hit or miss)",
    labelNames: ["memo", "result"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [memo, m] of Memo.named) {
        this.inc({ memo, result: "hit" }, m.hits);
        this.inc({ memo, result: "miss" }, m.misses);
      }
    },
  });
  // read at scrape from the webhook dispatcher's own totals (its `from` is set when a webhook is configured)
  const webhookDeliveries: { from?: { delivered: number; retried: number; failed: number } } = {};
  new client.Counter({
    name: "moneytrail_webhook_deliveries_total",
    help: "case webhook deliveries by result: delivered, retried (failed, tried again later), given_up (failed its last attempt: moneytrail webhooks retry requeues it)",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      const d = webhookDeliveries.from;
      if (!d) return;
      this.reset();
      this.inc({ result: "delivered" }, d.delivered);
      this.inc({ result: "retried" }, d.retried);
      this.inc({ result: "given_up" }, d.failed);
    },
  });
  // the backlog in PostgreSQL, whichever process gave up (the counter above is this process's, since its start):
  // read at scrape from `from` (set where the consumer has its database), as scrapeRead bounds it
  const webhookGivenUp: { from?: () => Promise<number> } = {};
  const givenUp: client.Gauge = new client.Gauge({
    name: "moneytrail_webhook_deliveries_given_up",
    help: "case webhook deliveries given up (failed their last attempt) and not requeued, by any process, read from PostgreSQL at scrape: moneytrail webhooks retry requeues them",
    registers: [registry],
    async collect() {
      if (webhookGivenUp.from) await readGivenUp();
    },
  });
  const readGivenUp = scrapeRead(async () => givenUp.set(await webhookGivenUp.from!()));
  // read at scrape from `from` (set by the consumer): a refused partition has no lag series (this process does not
  // hold it), so without this nothing on /metrics said it was not consumed
  const partitionsStopped: { from?: () => { partition: number; reason: "positions" | "unreadable-batch" }[] } = {};
  new client.Gauge({
    name: "moneytrail_partitions_stopped",
    help: "1 for each partition of this process not consumed until an operator acts, by reason: positions (not in its log, or partitions added: moneytrail db reset-positions, see /readyz), unreadable-batch (held at a record batch that cannot be read: moneytrail db skip-batch, or raise MT_MAX_BATCH_BYTES)",
    labelNames: ["partition", "reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of partitionsStopped.from?.() ?? []) this.set({ partition: String(s.partition), reason: s.reason }, 1);
    },
  });
  return {
    registry,
    webhookDeliveries,
    webhookGivenUp,
    partitionsStopped,
    consumed: c("events_consumed_total", "messages read from the events topic"),
    processed: fromZero(c("events_processed_total", "valid events run through the engine", ["type"]), "type", Event.options.map((e) => e.shape.type.value)),
    deadLettered: fromZero(
      c("events_dead_lettered_total", "messages sent to the dead-letter topic, by reason: not-json, schema, too-large, unreadable-batch (a record of a batch that cannot be read, skipped by moneytrail db skip-batch)", ["reason"]),
      "reason",
      Object.keys(DEAD_LETTER_REASONS),
    ),
    cardNumbers: fromZero(
      c("card_numbers_truncated_total", "events whose free text held a card number (truncated at decode, before anything is kept), by field: the producer is to send tokens only", ["field"]),
      "field",
      TEXT_FIELDS,
    ),
    alerts: fromZero(c("alerts_raised_total", "alerts raised", ["severity"]), "severity", Alert.shape.severity.options),
    alertTypologies: c("alert_typologies_total", "alerts raised, once per typology they name", ["typology"]),
    published: fromZero(c("outbox_published_total", "messages published from the outbox", ["dest"]), "dest", Object.keys(DESTINATIONS)),
    publishFailures: c("outbox_publish_failures_total", "outbox publishes that failed (each is retried; /readyz's outbox check says why)", ["partition"]),
    outboxWaiting: g("outbox_rows_waiting", "outbox rows (alerts, dead letters) not yet published, per partition this process holds (at scrape)", ["partition"]),
    outboxOldest: g(
      "outbox_oldest_row_age_seconds",
      "seconds the oldest outbox row (alert, dead letter) not yet published has waited, per partition this process holds (at scrape, by PostgreSQL's clock; 0 when none waits): a working publisher keeps it at a second or so however many rows wait, so one that keeps growing is rows stuck (/readyz's outbox check says why where publishing fails)",
      ["partition"],
    ),
    webRefused: c(
      "web_requests_refused_total",
      "reviewers' page and API requests refused for lack of permission (403), by the permission needed and the user's role; each is logged at warn with the user and route",
      ["permission", "role"],
    ),
    downloadsFailed: fromZero(
      c(
        "web_downloads_failed_total",
        "case downloads cut short because PostgreSQL failed while their rows were read (connection lost, statement timeout), by download: case-trail (the trail as CSV or JSON), case-file (the JSON case file); the client's transfer was aborted, a failed download and not a short file; each logged at error with the case's id",
        ["download"],
      ),
      "download",
      Object.keys(CASE_DOWNLOADS),
    ),
    fenced: c("batches_fenced_total", "batches discarded because another consumer owns the partition"),
    indicatorRefusals: fromZero(
      c(
        "indicator_sets_refused_total",
        "indicator sets from the topic not taken, by reason: invalid, untrusted (signature), publisher (another's set id), changed (same version), rollback (older than a version in force before)",
        ["reason"],
      ),
      "reason",
      Object.keys(SET_REFUSALS),
    ),
    indicatorSetsMissing: g(
      "indicator_sets_missing",
      "indicator sets in force before this process started (mt_indicator_versions) that are not in force now, once the topic has been read: a tombstone or another message under a set's key erased its release at compaction, or it was refused (value 1 each; logged with what to do)",
      ["publisher", "set"],
    ),
    rulesReloads: fromZero(c("rules_reloads_total", "rule-set changes seen in the rules directory", ["result"]), "result", Object.keys(RELOAD_RESULTS)),
    repeated: c("events_repeated_total", "events whose eventId their merchant was recently sent (sent again): counted in events_processed_total, applied once"),
    slotsReset: c("rule_slots_reset_total", "rule slots restored from a checkpoint in another kind's shape (a rule id that changed kind), dropped"),
    ruleSet: g("rule_set_info", "the rule set in force (value 1)", ["id", "version"]),
    indicatorSets: g("indicator_set_entries", "entries of each indicator set in force", ["set", "source", "version"]),
    eventTimeHolds: fromZero(
      c(
        "event_time_holds_total",
        "partitions held at an event later than the least advanced other partition with a backlog (catching up), until it passed: caught-up (it did), passed-over (its owner wrote nothing for MT_EVENT_TIME_MAX_STALL_MS: gone or stuck, so its earlier flags may come late)",
        ["ended"],
      ),
      "ended",
      Object.keys(HOLDS_ENDED),
    ),
    // served while the start waits (up is 1 then): what tells a start that does not end from a process consuming
    startPhase: fromZero(
      g(
        "start_phase",
        "1 for the step the start is at, 0 for the others and for all once it is consuming: database (connecting, migrating), kafka (waiting for KAFKA_BROKERS to answer, up to MT_KAFKA_START_WAIT_MS), topics, loading (rule and indicator sets, the warm-up, closed accounts), indicator-topic (reading MT_INDICATOR_TOPIC), group (joining the consumer group); /readyz's start check says what it waits for",
        ["phase"],
      ),
      "phase",
      START_PHASES,
    ),
    partitionsUnclaimed: g(
      "partitions_unclaimed",
      "1 for each partition assigned to this process whose claim failed (PostgreSQL or the broker did not answer) and is tried again: its merchants are not held here and its position and event time not moved on until it is claimed (/readyz claims)",
      ["partition"],
    ),
    lag: g("consumer_lag", "messages behind the end of the events topic, per partition this process holds (at scrape, and after each chunk)", ["partition"]),
    merchants: g("merchants_in_memory", "merchants whose state this process holds"),
    checkpointBytes: g("checkpoint_state_bytes", "JSON bytes of merchant state written by the latest checkpoint"),
    checkpointMerchants: g("checkpoint_merchants", "merchants written by the latest checkpoint"),
    checkpointFailures: c("checkpoint_failures_total", "checkpoints not written (PostgreSQL refused or failed the write); their merchants go with the next one, and until one is written a restart replays the events since the last"),
    // one event in 64 is timed: a timer on every event would cost more than many rules
    evalSeconds: h("event_evaluation_seconds", "engine time for one event (state, rules, score), sampled 1 in 64", [5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3]),
    alertLatency: h("event_to_alert_seconds", "from the event's append to the broker to its alert committed with its case", [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
    // the rest of an alert's way to the topic's readers: the larger share of it when alerts come thick and fast
    publishSeconds: h("outbox_publish_seconds", "one outbox publish: a Kafka transaction with its messages and the outbox's mark, from its first request to its commit", [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
