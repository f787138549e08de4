// pino JSON logs. Card tokens, e-mails and payout accounts never reach a log line, whatever logs them.
import pino from "pino";

export const REDACT = [
  "*.token",
  "*.*.token",
  "card",
  "*.card",
  "contactEmail",
  "*.contactEmail",
  "payoutAccount",
  "*.payoutAccount",
  "principals",
  "*.principals",
  "wallets",
  "*.wallets",
  "email",
  "*.email",
];

export function createLogger(level = "info", destination?: pino.DestinationStream): pino.Logger {
  return pino({ level, base: { service: "moneytrail" }, redact: { paths: REDACT, censor: "[redacted]" } }, destination);
}

export type Logger = pino.Logger;
