// docker/Dockerfile: no Docker engine runs here, so it is checked against the repository instead. The image builds
// from paths that exist and runs `moneytrail run` as a user that may write the rules directory: rule saves from the
// reviewers' page write into it, and with the directory owned by root every save failed. The build context (the
// repository, as compose gives it) is filtered by the ignore file BuildKit reads for that Dockerfile: without one,
// node_modules, .cache, out/ and .git went to the daemon at every build.
import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

const DOCKER = join(PACKAGE_ROOT, "docker");
// Docker's own matching rules (the library testcontainers builds contexts with); CommonJS (module.exports = the
// factory) whose types declare a default export, so required as it is
const dockerignore = createRequire(import.meta.url)("@balena/dockerignore") as typeof import("@balena/dockerignore").default;

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

  it("is built from a context whose ignore file keeps every COPY source and leaves out the rest", () => {
    // where compose builds it: BuildKit reads <dockerfile>.dockerignore beside the Dockerfile before <context>/.dockerignore
    const compose = parse(readFileSync(join(DOCKER, "compose.yaml"), "utf8")) as { services: Record<string, { build?: { context: string; dockerfile: string } }> };
    const builds = Object.values(compose.services).flatMap((s) => (s.build ? [s.build] : []));
    expect(builds.length).toBeGreaterThan(0);
    for (const b of builds) {
      const context = resolve(DOCKER, b.context);
      expect(context).toBe(resolve(PACKAGE_ROOT));
      expect(resolve(context, b.dockerfile)).toBe(join(DOCKER, "Dockerfile"));
    }
    const rules = readFileSync(join(DOCKER, "Dockerfile.dockerignore"), "utf8").split("\n");
    const ignored = dockerignore().add(rules);
    const files = (path: string): string[] => (statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path]);
    const sources = lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from=")).flatMap((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith("--")));
    for (const src of sources) for (const f of files(join(PACKAGE_ROOT, src))) expect(ignored.ignores(relative(PACKAGE_ROOT, f)), f).toBe(false);
    for (const heavy of ["node_modules", "node_modules/kafkajs/package.json", ".cache", ".cache/kafka/libs/kafka.jar", "out/sample-alerts.ndjson", ".git", ".git/HEAD", "dist/cli.js", "test-artifacts/screenshots/a.png", ".env", "docker/compose.yaml"])
      expect(ignored.ignores(heavy), heavy).toBe(true);
  });

  it("runs as a user that owns the rules directory", () => {
    const user = lines.find((l) => l.startsWith("USER "))!.split(/\s+/)[1]!;
    expect(user).not.toBe("root");
    expect(lines.find((l) => / rules \.\/rules$/.test(l))).toContain(`--chown=${user}:`);
  });
});
