// Disguised site: a crawl saw different content depending on the referrer, the mark of a front site that
// shows reviewers a harmless shop and sends referred buyers elsewhere.
import { z } from "zod";
import { defineKind } from "../kind.js";

const Params = z.strictObject({});

interface Slot {
  url?: string;
}

export default defineKind<z.infer<typeof Params>, Slot>({
  kind: "cloaked-content",
  summary: "a crawl saw the merchant's site serve different content depending on the referrer",
  params: Params,
  on: ["site_observation"],
  slot: () => ({}),
  evaluate({ event, slot }) {
    if (event.type !== "site_observation" || event.contentDiffersByReferrer === undefined) return undefined;
    if (!event.contentDiffersByReferrer) {
      // only a clean crawl of the same page withdraws the finding
      if (slot.url !== event.url) return undefined;
      slot.url = undefined;
      return null;
    }
    slot.url = event.url;
    return { value: 1, threshold: 1, eventIds: [event.eventId], detail: event.url };
  },
  explain: (f) => `a crawl of ${f.detail ?? "the site"} saw content change with the referrer (cloaking)`,
});
