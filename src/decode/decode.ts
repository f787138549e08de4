// Bytes to a validated event, or the reason it is not one. Never throws: bad input is data to route.
import { constants, isUtf8 } from "node:buffer";
import type { z } from "zod";
import { Event } from "./events.js";
import check from "./event-check.generated.js";
import { truncateCardNumbers, type TextField } from "./card-numbers.js";
import { zodIssues } from "../lib/errors.js";
import { didYouMean } from "../lib/did-you-mean.js";
import { parseTime } from "../lib/time.js";
import { maskCardNumbers } from "../lib/card-numbers.js";

export type Rejection = "too-large" | "not-json" | "schema";
/**
 * An event, its card numbers truncated: `cardNumbersIn` names the fields that held one (absent when none did), for
 * the producer to be told which of its fields carried what the contract keeps out. A refusal's reason, which may
 * quote the message, has its card numbers truncated too; the message's bytes are the caller's, as they came.
 */
export type Decoded = { ok: true; event: Event; cardNumbersIn?: TextField[] } | { ok: false; kind: Rejection; reason: string };

export const DEFAULT_MAX_BYTES = 64 * 1024;
/** The least size limit a setting may give (run's MT_MAX_MESSAGE_BYTES, replay's and backtest's flag). */
export const MIN_MAX_BYTES = 1024;
/** The most: an event's text is read as one string, which holds at most this many characters (512 MiB) */
export const MAX_MAX_BYTES = constants.MAX_STRING_LENGTH;
/** The setting that raises the size limit, named in the refusal: `run`'s; replay and backtest name their flag. */
export const RUN_MAX_BYTES_SETTING = "MT_MAX_MESSAGE_BYTES";
export const MAX_BYTES_FLAG = "--max-message-bytes";

/**
 * How far an event's occurredAt may be ahead of a reference time (the message's timestamp in `run`, the start of a
 * replay). Every window of a merchant ends at its latest event, so one event dated ahead (a wrong clock, a year
 * typed wrong) would move them all forward and make every real event after it late. `reference` and `setting` name
 * the reference time and the setting in the refusal.
 */
export interface AheadLimit {
  maxAheadMs: number;
  reference: string;
  setting: string;
}
/** Five minutes: far more than the skew of synchronised clocks, well within the shortest window (card testing's). */
export const DEFAULT_MAX_AHEAD_MS = 5 * 60_000;

// zod's own check was half of decoding (about 2.5 µs an event); ajv's code, from the JSON Schema that zod derives from
// the same schema, takes about 0.8. zod stays the authority: an event ajv refuses is checked again by zod, which gives
// the reason, or accepts it with its values in their canonical spelling (ajv's code admits only that spelling: see
// events.ts). Unknown keys are removed in place, as zod strips them. ajv counts a string's length in UTF-16 units
// (counting code points was a fifth of its time), zod in code points: a string with characters beyond the BMP can only
// look longer to ajv, never shorter while minimum lengths are 1, so ajv may refuse what zod accepts (zod then decides)
// but never the reverse. test/decode-agreement.test.ts holds the two to the same verdicts.
// The code is generated from the schema and committed (scripts/event-check.ts), as ajv took about 80 ms of CPU to
// compile it at each process's first decode. Generated untyped: its verdict is the schema's, so it narrows to Event.
const accepts = check as unknown as (json: unknown) => json is Event;

/**
 * `referenceMs`: epoch ms, for `ahead`; a message without a timestamp (0 or less) is not compared. `sizeSetting`: the
 * setting that raises `maxBytes`, named in the refusal.
 */
export function decode(raw: string | Buffer, maxBytes = DEFAULT_MAX_BYTES, ahead?: AheadLimit, referenceMs = 0, sizeSetting = RUN_MAX_BYTES_SETTING): Decoded {
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.length;
  if (size > maxBytes) return refused("too-large", `too large: ${size} bytes, the limit is ${maxBytes}: raise ${sizeSetting} to take it`);
  // The contract's events are UTF-8 JSON. Bytes that are not UTF-8 (a descriptor in Latin-1) would be read as U+FFFD
  // and the event taken with its text changed, so they are refused instead; the dead letter keeps them as they came.
  if (typeof raw !== "string" && !isUtf8(raw)) {
    const at = firstNotUtf8(raw);
    return refused(
      "not-json",
      `not JSON: not UTF-8 (byte 0x${raw[at]!.toString(16).padStart(2, "0")} at offset ${at}): the contract's events are UTF-8 JSON; encode the text as UTF-8 (not Latin-1 or Windows-1252) and send it again`,
    );
  }
  if (size === 0) return refused("not-json", "not JSON: the message is empty; an event is one JSON object");
  // A UTF-8 byte-order mark, which RFC 8259 lets a reader ignore (some Windows tools write one), is not part of the event.
  const text = withoutBom(typeof raw === "string" ? raw : raw.toString("utf8"));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // the parser's message quotes the text around the fault
    return refused("not-json", `not JSON: ${(err as Error).message}`);
  }
  // PostgreSQL's text and jsonb hold neither U+0000 nor a lone UTF-16 surrogate: an event carrying one would fail
  // every commit of its alert. Both can only come escaped (bytes that are not UTF-8 are refused above), so most events skip the walk.
  if (text.includes("\\u") && UNSTORABLE_ESCAPE.test(text) && unstorable(json))
    return refused("schema", "schema: a string holds U+0000 (NUL) or a lone UTF-16 surrogate, which the service cannot store: remove it before sending");
  if (accepts(json)) return accepted(json, ahead, referenceMs);
  const parsed = Event.safeParse(json);
  if (parsed.success) return accepted(parsed.data, ahead, referenceMs);
  const issues = zodIssues(parsed.error, json)
    .slice(0, 3)
    .map((i, n) => `${i.path || "(event)"}: ${notAType(parsed.error.issues[n]!, json) ?? i.message}`);
  const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : "";
  return refused("schema", `schema: ${issues.join("; ")}${more}`);
}

/**
 * A type sent that is none of the contract's, said with the type it most likely meant: zod's "Invalid discriminator
 * value" named neither. Undefined for other issues, and for a type left out (said missing).
 */
function notAType(i: z.core.$ZodIssue, json: unknown): string | undefined {
  if (i.code !== "invalid_union" || !("options" in i) || !i.options?.length || i.path.length !== 1 || i.path[0] !== "type") return undefined;
  const type = typeof json === "object" && json !== null && "type" in json ? json.type : undefined;
  if (type === undefined) return undefined;
  const types = i.options.map(String);
  // a value quoted in part: the reason goes with the dead letter, which keeps the event itself
  const shown = typeof type === "object" && type !== null ? (Array.isArray(type) ? "a list" : "an object") : JSON.stringify(typeof type === "string" ? type.slice(0, 100) : type);
  return `${shown} is not an event type${typeof type === "string" ? didYouMean(type, types) : ""}; the contract's types are ${types.join(", ")}`;
}

/**
 * On Kafka the contract keys each event by its merchantId, so that a merchant's events are on one partition, in order:
 * the partition's owner holds the merchant's state. An event keyed otherwise (or not at all) lands on another
 * partition, whose owner would build a second, partial state of the merchant beside the first, so it is refused.
 */
export function keyedByMerchant(d: Decoded, key: Buffer | null): Decoded {
  if (!d.ok) return d;
  const id = d.event.merchantId;
  if (key !== null && key.length === Buffer.byteLength(id) && key.toString() === id) return d;
  const shown = key === null ? "the message has no key" : `the message's key is ${JSON.stringify(key.toString().slice(0, 300))}, not the event's merchantId`;
  return refused(
    "schema",
    `schema: key: ${shown} (${JSON.stringify(id)}): the contract keys each event by its merchantId, so that all of a merchant's events are on one partition, in order; send it again keyed by its merchantId`,
  );
}

/** A message without a value (a tombstone), as kafkajs gives it: the reason for its dead letter, whose value is empty. */
export const TOMBSTONE: Decoded = { ok: false, kind: "not-json", reason: "not JSON: the message has no value (a tombstone); an event is one JSON object in the message's value" };

/**
 * A message of the events topic as `run` takes it, also for a backtest over the topic (so both take the same
 * events): a tombstone refused as one, the value decoded, the key checked against the event's merchantId.
 */
export function decodeMessage(m: { key: Buffer | null; value: Buffer | null }, maxBytes: number, ahead?: AheadLimit, timestampMs = 0, sizeSetting = RUN_MAX_BYTES_SETTING): Decoded {
  return m.value ? keyedByMerchant(decode(m.value, maxBytes, ahead, timestampMs, sizeSetting), m.key) : TOMBSTONE;
}

/** The text without a leading UTF-8 byte-order mark, which RFC 8259 lets a reader ignore (some Windows tools write one). */
export const withoutBom = (s: string): string => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** The offset of the first byte that does not begin a well-formed UTF-8 character (the bytes are known not to be UTF-8). */
function firstNotUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    // isUtf8 on the character alone judges its continuation bytes, overlong forms and surrogates
    if (n === 0 || !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return i;
}

const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

function unstorable(v: unknown): boolean {
  if (typeof v === "string") return v.includes("\0") || !(v as string & { isWellFormed(): boolean }).isWellFormed();
  if (typeof v !== "object" || v === null) return false;
  for (const x of Array.isArray(v) ? v : [...Object.keys(v), ...Object.values(v)]) if (unstorable(x)) return true;
  return false;
}

/** A valid event, unless dated too far ahead (`referenceMs` 0: not compared), its card numbers truncated. */
function accepted(event: Event, ahead: AheadLimit | undefined, referenceMs: number): Decoded {
  const by = ahead && referenceMs > 0 ? parseTime(event.occurredAt) - referenceMs : 0;
  if (ahead && by > ahead.maxAheadMs)
    return refused(
      "schema",
      `schema: occurredAt: ${event.occurredAt} is ${duration(by)} after ${ahead.reference} (${new Date(referenceMs).toISOString()}), more than ${ahead.setting} allows (${duration(ahead.maxAheadMs)}): ` +
        "an event dated ahead would make the merchant's later events late; correct its time, or the clock of the system that sets it, and send it again",
    );
  const cardNumbersIn = truncateCardNumbers(event);
  return cardNumbersIn ? { ok: true, event, cardNumbersIn } : { ok: true, event };
}

function refused(kind: Rejection, reason: string): Decoded {
  return { ok: false, kind, reason: maskCardNumbers(reason) };
}

/** A span in the largest unit that keeps it above 2: "90 seconds", "3 hours", "1,827 days". */
function duration(ms: number): string {
  const units: [string, number][] = [["days", 86_400_000], ["hours", 3_600_000], ["minutes", 60_000], ["seconds", 1000]];
  const [name, size] = units.find(([, size]) => ms >= 2 * size) ?? ["ms", 1];
  return `${Math.floor(ms / size).toLocaleString("en")} ${name}`;
}
