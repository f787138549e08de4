// The settings of sign-in, read from the environment by every process that signs in or adds users (the web page of
// `run` and `demo`, `users add`, `users token`), validated with zod like the rest of the configuration.
import { z } from "zod";
import { UsageError } from "../lib/errors.js";
import { wholeNumber } from "../lib/whole-number.js";

/** the longest a session lasts, however busy */
export const SESSION_HOURS = 8;

/** scrypt's cost: N = 2^ln, block size r, parallelism p (Node runs the p passes one after another: p adds time, not memory). */
export interface PasswordCost {
  ln: number;
  r: number;
  p: number;
}
/**
 * OWASP's Password Storage Cheat Sheet: N=2^14 (16 MiB), r=8, p=5, or an equal work with more memory and fewer passes
 * (N=2^16, r=8, p=2: 64 MiB). About 0.2 s a hash on one core; this one stays inside Node's default scrypt memory.
 */
export const DEFAULT_PASSWORD_COST: PasswordCost = { ln: 14, r: 8, p: 5 };
const MAX_MIB = 256;
/** the memory one scrypt hash at this cost takes, in MiB */
export const mib = (c: PasswordCost) => (128 * 2 ** c.ln * c.r) / 2 ** 20;
/** the cost as the setting and a stored hash write it */
export const costText = (c: PasswordCost) => `ln=${c.ln},r=${c.r},p=${c.p}`;
const COST_FORM = /^ln=(\d+),r=(\d+),p=(\d+)$/;
export const PasswordCostText = z
  .string()
  .regex(COST_FORM, "write it as ln=14,r=8,p=5 (scrypt's N = 2^ln, block size r, parallelism p)")
  .transform((s) => {
    const [ln, r, p] = COST_FORM.exec(s)!.slice(1).map(Number) as [number, number, number];
    return { ln, r, p };
  })
  .refine((c) => c.ln >= 1 && c.ln <= 24 && c.r >= 1 && c.r <= 32 && c.p >= 1 && c.p <= 64, {
    message: "ln from 1 to 24, r from 1 to 32, p from 1 to 64 (OWASP's: ln=14,r=8,p=5)",
    abort: true,
  })
  .refine((c) => mib(c) <= MAX_MIB, {
    error: (i) => `that is ${mib(i.input as PasswordCost)} MiB of memory a sign-in (128·2^ln·r bytes); at most ${MAX_MIB} MiB: lower ln or r and raise p`,
  });

/** the longest an API token may be given */
export const MAX_TOKEN_DAYS = 365;
export const TokenDays = wholeNumber(1, MAX_TOKEN_DAYS);

const AuthVariables = z.object({
  MT_PASSWORD_COST: PasswordCostText.optional(),
  MT_WEB_IDLE_MINUTES: wholeNumber(1, SESSION_HOURS * 60).optional(),
  MT_TOKEN_DAYS: TokenDays.optional(),
});
export const AUTH_VARIABLES = Object.keys(AuthVariables.shape);

/**
 * OWASP's least scrypt cost: its listed minimums (N=2^17 r=8 p=1 down to N=2^13 r=8 p=10) do N·r·p ≥ 2^13·8·10 work
 * in at least 8 MiB (128·N·r bytes). A cheaper hash lets a copy of mt_users be guessed at millions of passwords a second.
 */
const MIN_WORK = 2 ** 13 * 8 * 10;
const MIN_MIB = 8;
const belowMinimum = (c: PasswordCost) => 2 ** c.ln * c.r * c.p < MIN_WORK || mib(c) < MIN_MIB;

const AuthEnv = AuthVariables.transform((v) => ({
  /** of new hashes; a sign-in whose hash has another replaces it */
  passwordCost: v.MT_PASSWORD_COST ?? DEFAULT_PASSWORD_COST,
  /** a session without a request for this long is over */
  idleMinutes: v.MT_WEB_IDLE_MINUTES ?? 30,
  /** an API token's lifetime when none is asked for */
  tokenDays: v.MT_TOKEN_DAYS ?? 90,
}));
export type AuthSettings = z.output<typeof AuthEnv>;

/**
 * The settings from the environment; a bad value is refused naming the variable and what it takes. A password cost
 * below OWASP's minimum is taken only under NODE_ENV=test (the test runner sets it), where users are added and sign in
 * by the hundred; a stored hash of any cost is still checked, and re-hashed at the setting's cost at its next sign-in.
 */
export function authSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const r = AuthEnv.safeParse(Object.fromEntries(AUTH_VARIABLES.filter((k) => env[k]).map((k) => [k, env[k]])));
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `${String(i.path[0])} ${env[String(i.path[0])]}: ${i.message}`).join("; "));
  if (belowMinimum(r.data.passwordCost) && env.NODE_ENV !== "test")
    throw new UsageError(
      `MT_PASSWORD_COST ${env.MT_PASSWORD_COST}: below OWASP's minimum for scrypt (N·r·p at least 2^13·8·10, and ${MIN_MIB} MiB a hash: 128·2^ln·r bytes), so a copy of the users' table could be guessed fast: use ln=14,r=8,p=5 (the default) or ln=16,r=8,p=2; a lower cost is taken only by tests (NODE_ENV=test)`,
    );
  return r.data;
}
