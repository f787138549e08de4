// First deploy with a typo in a variable's name. Only MT_ names were checked, so LOG_LEVL or KAFKA_CLIENTID were
// ignored without a word; and a misspelt required one (DATABSE_URL) was refused as "DATABASE_URL is not set", with
// the operator sure they had set it. A name within two edits of a setting's is named with the setting it looks like.
import { describe, it, expect } from "vitest";
import { misspeltVariables, runConfig, unknownVariables } from "../src/config/run.js";

describe("variables whose name is a setting's, misspelt", () => {
  it("are listed whatever their prefix, with the setting each looks like; other variables are not", () => {
    const env = { LOG_LEVL: "debug", KAFKA_CLIENTID: "x", MT_COMMIT_EVRY: "10", MT_WEBHOOK_URL: "https://hooks.example/", PATH: "/bin", HOME: "/root", KAFKA_HEAP_OPTS: "-Xmx1g" };
    expect(unknownVariables(env)).toEqual(["KAFKA_CLIENTID", "LOG_LEVL", "MT_COMMIT_EVRY"]);
    expect(misspeltVariables(env)).toEqual({ KAFKA_CLIENTID: "KAFKA_CLIENT_ID", LOG_LEVL: "LOG_LEVEL", MT_COMMIT_EVRY: "MT_COMMIT_EVERY" });
  });

  it("are named in the refusal of a configuration they left incomplete", () => {
    expect(() => runConfig({ KAFKA_BROKERS: "127.0.0.1:9092", DATABSE_URL: "postgres://u@127.0.0.1/db" })).toThrow(
      /DATABASE_URL: DATABASE_URL is not set[^\n]*\n[\s\S]*DATABSE_URL is set, which is not a setting: did you mean DATABASE_URL\?/,
    );
  });
});
