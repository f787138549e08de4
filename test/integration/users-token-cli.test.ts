// The operator's `moneytrail users token NAME` prints when the token expires, and takes --days for another lifetime
// than MT_TOKEN_DAYS's (at most 365), on the real PostgreSQL.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { freshNames, freshSchema } from "./harness.js";
import { CLI } from "../helpers/cli.js";

describe("users token", () => {
  it("prints the token's expiry, 90 days or --days on, and refuses more than 365", { timeout: 60_000 }, async () => {
    const url = await freshSchema(freshNames("users-token"));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [...CLI, "users", ...args], { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8", timeout: 60_000 });
    expect(cli("add", "rev", "--role", "reviewer").status).toBe(0);
    const days = (out: string) => (Date.parse(/, expires (\S+) /.exec(out)![1]!) - Date.now()) / 86_400_000;

    const normal = cli("token", "rev");
    expect(normal.stdout).toMatch(/^token [0-9a-f]{12} for rev, expires \S+Z \(in 90 days; send as Authorization: Bearer \.\.\.\):\nmt_\S+\n$/);
    expect(days(normal.stdout)).toBeCloseTo(90, 1);
    const week = cli("token", "rev", "--days", "7");
    expect(week.stdout).toContain("(in 7 days;");
    expect(days(week.stdout)).toBeCloseTo(7, 1);

    const tooLong = cli("token", "rev", "--days", "400");
    expect(tooLong.status).toBe(2);
    expect(tooLong.stderr).toBe("error: option '--days <n>' argument '400' is invalid. expected a whole number from 1 to 365\n");
  });
});
