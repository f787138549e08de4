// MT_MAX_BATCH_BYTES, the most a record batch may decompress to (src/source/codecs.ts): read with run's settings, and
// refused below MT_MAX_MESSAGE_BYTES, where a batch of one message at that limit could never be read.
import { describe, it, expect } from "vitest";
import { runConfig, unknownVariables } from "../src/config/run.js";
import { DEFAULT_MAX_BATCH_BYTES } from "../src/source/codecs.js";

describe("run configuration: MT_MAX_BATCH_BYTES", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };

  it("is a setting of run's, by default an indicator set at its largest with room", () => {
    expect(unknownVariables({ MT_MAX_BATCH_BYTES: "1" })).toEqual([]);
    expect(runConfig(env).maxBatchBytes).toBe(DEFAULT_MAX_BATCH_BYTES);
    expect(runConfig({ ...env, MT_MAX_BATCH_BYTES: "1048576" }).maxBatchBytes).toBe(1 << 20);
  });

  it("is refused below MT_MAX_MESSAGE_BYTES, and when not a whole number", () => {
    expect(() => runConfig({ ...env, MT_MAX_MESSAGE_BYTES: "200000", MT_MAX_BATCH_BYTES: "100000" })).toThrow(
      /\n {2}MT_MAX_BATCH_BYTES: 100000 is less than MT_MAX_MESSAGE_BYTES \(200000\): a batch of one message at that limit could never be read; give at least 200000$/,
    );
    expect(() => runConfig({ ...env, MT_MAX_BATCH_BYTES: "64MiB" })).toThrow(/MT_MAX_BATCH_BYTES: expected a whole number/);
  });
});
