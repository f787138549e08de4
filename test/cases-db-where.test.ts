import { describe, expect, it } from "vitest";
import { serverDb } from "../src/cases/db.js";
import { UnreachableError } from "../src/lib/errors.js";

// The operator's commands (db migrate, users, webhooks retry) and run reach the case store through serverDb: a URL
// that pg reads but WHATWG's URL does not (a socket directory, no host) must still say where it tried.
describe("serverDb's unreachable message", () => {
  it("names a socket directory, for a URL with no host at all or a user and no host", async () => {
    for (const url of ["postgres:///test?host=/nonexistent-mt-socket", "postgres://postgres@/test?host=/nonexistent-mt-socket"]) {
      const err = await serverDb(url).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(UnreachableError);
      expect(err?.message).toMatch(/^cannot reach PostgreSQL at \/nonexistent-mt-socket \(/);
    }
  });
});
