// scripts/kafka-local.mjs with KAFKA_LIBS says which Kafka it starts, read from the broker jar's name
// (kafka_2.13-3.9.2.jar), as it does for the jars it resolves with Maven: not "Apache Kafka KAFKA_LIBS up at ...".
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveKafkaLibs } from "../scripts/kafka-local.mjs";

const before = process.env.KAFKA_LIBS;
afterEach(() => {
  if (before === undefined) delete process.env.KAFKA_LIBS;
  else process.env.KAFKA_LIBS = before;
});

describe("KAFKA_LIBS", () => {
  it("gives the version of the broker jar there", async () => {
    const libs = mkdtempSync(join(tmpdir(), "mt-kafka-libs-"));
    for (const jar of ["kafka-clients-3.9.2.jar", "kafka_2.13-3.9.2-test.jar", "kafka_2.13-3.9.2.jar"]) writeFileSync(join(libs, jar), "");
    process.env.KAFKA_LIBS = libs;
    expect(await resolveKafkaLibs()).toEqual({ libs, version: "3.9.2", resolvedNow: false, ms: 0 });
  });

  it("refuses a directory without the broker jar", async () => {
    const libs = mkdtempSync(join(tmpdir(), "mt-kafka-libs-"));
    writeFileSync(join(libs, "kafka-clients-3.9.2.jar"), "");
    process.env.KAFKA_LIBS = libs;
    await expect(resolveKafkaLibs()).rejects.toThrow(`KAFKA_LIBS=${libs} holds no kafka_2.13-*.jar`);
  });
});
