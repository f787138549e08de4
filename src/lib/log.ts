// pino JSON logs. Card tokens, API tokens, passwords, e-mails, payout accounts, principals and wallets never reach a
// log line, whatever logs them: fields are censored by name at any depth (pino's own redaction matches fixed paths,
// and an alert's profile sits deeper than any path list would foresee), and inside any string, the message included,
// e-mail addresses, card numbers, a URL's password (and a broker's, user:password@host:port), the value of a secret's
// name=value, this service's API tokens and bearer credentials are masked.
import pino from "pino";
import { maskCardNumbers } from "./card-numbers.js";

const CENSOR = "[redacted]";
/** field names whose values are never logged, in any case */
const SECRET_KEY =
  /token|passw|^pwd$|^pass$|passphrase|secret|credential|api[-_]?key|private[-_]?key|csrf|authorization|cookie|session|e-?mail|payout|principal|wallet|iban|account|card_?(?:number|no)|^card$|^pan$/i;
/** an address as written, or URL-encoded in a query string (`%40`) */
const EMAIL = /[a-z0-9._%+-]+(?:@|%40)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;
/** how deep a logged object is walked; deeper values are censored rather than logged unchecked */
const MAX_DEPTH = 8;

/**
 * a URL's password (scheme://user:password@host): a connection string an error quotes, whose host need not look like
 * a domain (`db`, an IP), so EMAIL alone misses it; the user, host and port stay, to find the setting by
 */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#]*@/gi;
/**
 * a broker address's password written without a scheme, user:password@host:port (a KAFKA_BROKERS entry): it begins
 * the text or follows a space, separator, quote or =, and ends at host:port, so a URL's user (after //), an e-mail
 * address and a time stay; the user, host and port stay
 */
const BROKER_PASSWORD = /(?<![^\s,;'"(\[=])([^\s,;'"()[\]@/:=]+:)(?!\/\/)[^\s,;'"@]+@(?=(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]):\d{1,5}(?!\d))/gi;
/** name=value in a query string, a cookie header, a libpq string or a message; the value masked when the name is a secret's */
const NAME_VALUE = /(?<![\w.-])([\w.-]+)=([^&;\s"']+)/g;
/** this service's API tokens (auth.ts: mt_ and 24 random bytes in base64url), wherever they are quoted */
const API_TOKEN = /(?<![\w-])mt_[A-Za-z0-9_-]{32}(?![\w-])/g;
const BEARER = /\b(bearer\s+)[^\s"',;]+/gi;

function scrub(s: string): string {
  if (s.includes("@") || s.includes("%40")) s = s.replace(URL_PASSWORD, `$1${CENSOR}@`).replace(BROKER_PASSWORD, `$1${CENSOR}@`).replace(EMAIL, CENSOR);
  if (s.includes("=")) s = s.replace(NAME_VALUE, (all, name: string) => (SECRET_KEY.test(name) ? `${name}=${CENSOR}` : all));
  if (s.includes("mt_")) s = s.replace(API_TOKEN, CENSOR);
  if (/bearer/i.test(s)) s = s.replace(BEARER, `$1${CENSOR}`);
  return maskCardNumbers(s);
}

/**
 * A copy of `value` with secret fields censored and e-mail addresses masked. An object that says how it is written
 * (toJSON: a date, a URL, a buffer) is redacted in that form; any other object, a class's instance too, as its own
 * fields, which is what the log line would show.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  let out: Record<string, unknown>;
  const isError = value instanceof Error;
  if (isError) {
    // still an Error, so that pino's serializer gives its type and stack
    const err = new Error(scrub(value.message));
    err.name = value.name;
    err.stack = value.stack && scrub(value.stack);
    out = err as unknown as Record<string, unknown>;
  } else {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return redact(toJSON.call(value), depth + 1);
    out = {};
  }
  for (const [k, v] of Object.entries(value)) {
    // an Error's message and stack are on its copy already; another object's fields of those names are its own
    if (isError && (k === "message" || k === "stack")) continue;
    out[k] = SECRET_KEY.test(k) ? CENSOR : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(level = "info", destination?: pino.DestinationStream): pino.Logger {
  const logger = pino(
    {
      level,
      base: { service: "moneytrail" },
      // the arguments of every enabled call, the message among them; a disabled level costs nothing
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => redact(a)) as Parameters<pino.LogFn>);
        },
      },
    },
    destination,
  );
  // a child's bindings pass through neither the hook nor (for children) pino's bindings formatter; children of
  // children inherit this method
  type Child = (this: pino.Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => pino.Logger;
  const child = logger.child as unknown as Child;
  const redacting: Child = function (bindings, options) {
    return child.call(this, redact(bindings) as pino.Bindings, options);
  };
  logger.child = redacting as unknown as typeof logger.child;
  return logger;
}

export type Logger = pino.Logger;
