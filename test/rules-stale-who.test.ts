// A save over a file changed since it was opened is refused (409), and the API said "(someone else saved it)" even
// when the one who saved it was the same tuner (a retried PUT, a second script): it now says who saved it and when,
// as the page does.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileVersion } from "../src/rules/history.js";
import { tunerWeb } from "./helpers/web.js";

const web = tunerWeb("rules-stale-who");
const { dir, headers, text } = web;
const put = (payload: string, base: string) =>
  web.app().inject({ method: "PUT", url: "/api/rules/sales.yaml?note=test", headers: { ...headers(), "content-type": "text/plain", "if-match": `"${base}"` }, payload });

describe("a save refused as stale names who saved the file", () => {
  it("the tuner's own earlier save, and a hand edit", async () => {
    const opened = fileVersion(text("sales.yaml"));
    const first = await put(text("sales.yaml").replace("weight: 60", "weight: 55"), opened);
    expect(first.statusCode, first.body).toBe(200);
    const again = await put(text("sales.yaml").replace("weight: 15", "weight: 20"), opened);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/^sales\.yaml has changed since version sha256:\w+ your change was made from \(saved by tuner at 20\d\d-\d\d-\d\dT[\d:.]+Z\); it is now sha256:/);

    // a hand edit is not in the history until a save or a reload records it
    const now = fileVersion(text("sales.yaml"));
    writeFileSync(join(dir, "sales.yaml"), text("sales.yaml").replace("weight: 55", "weight: 50"));
    const hand = await put(text("sales.yaml"), now);
    expect(hand.statusCode).toBe(409);
    expect(hand.json().error).toContain("your change was made from (changed outside this page and the API)");
  });
});
