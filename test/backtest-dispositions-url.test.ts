// --dispositions takes the case store's URL as pg does, as DATABASE_URL is checked: a Unix socket's URL has no host
// (postgres:///db?host=/run/postgresql) and was refused as "not a URL".
import { describe, it, expect } from "vitest";
import { BacktestError, dispositionsFrom } from "../src/app/backtest.js";
import { UnreachableError } from "../src/lib/errors.js";

describe("backtest --dispositions URL", () => {
  it("takes a socket URL without a host, and names the socket directory when nothing answers there", async () => {
    for (const url of ["postgres:///cases?host=/nonexistent-mt-socket", "postgresql://reviewer@/cases?host=/nonexistent-mt-socket"]) {
      const err = await dispositionsFrom(url).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(UnreachableError);
      expect((err as Error).message).toMatch(/^cannot reach PostgreSQL at \/nonexistent-mt-socket for --dispositions/);
    }
  });

  it("refuses what pg cannot take, saying what to give, without repeating the URL (it may hold a password)", async () => {
    await expect(dispositionsFrom("mysql://reviewer:s3cret@cases.example/db")).rejects.toThrow(
      new BacktestError("--dispositions: the case store's URL must start with postgres:// or postgresql://"),
    );
    const err = (await dispositionsFrom("postgres://reviewer:s3c@ret@cases.example:99999/db").catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(BacktestError);
    expect(err.message).toMatch(/^--dispositions: the case store's URL is not a valid URL: percent-encode/);
    expect(err.message).not.toContain("s3c");
  });
});
