// docker/Dockerfile: no Docker engine runs here, so it is checked against the repository instead. The image builds
// from paths that exist and runs `moneytrail run` as a user that may write the rules directory: rule saves from the
// reviewers' page write into it, and with the directory owned by root every save failed.
import { describe, it, expect } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

const DOCKER = join(PACKAGE_ROOT, "docker");

describe("docker/Dockerfile", () => {
  const lines = readFileSync(join(DOCKER, "Dockerfile"), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));

  it("copies only paths the repository has, and starts `moneytrail run` from the build", () => {
    const copies = lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from="));
    expect(copies.length).toBeGreaterThan(3);
    for (const l of copies) for (const src of l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith("--"))) expect(existsSync(join(PACKAGE_ROOT, src)), src).toBe(true);
    expect(lines).toContain('ENTRYPOINT ["node", "dist/cli.js"]');
    expect(existsSync(join(PACKAGE_ROOT, "src", "cli.ts"))).toBe(true);
    expect(lines).toContain('CMD ["run"]');
  });

  it("runs as a user that owns the rules directory", () => {
    const user = lines.find((l) => l.startsWith("USER "))!.split(/\s+/)[1]!;
    expect(user).not.toBe("root");
    expect(lines.find((l) => / rules \.\/rules$/.test(l))).toContain(`--chown=${user}:`);
  });
});
