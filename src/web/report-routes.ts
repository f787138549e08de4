// The compliance lead's report: GET /report (the page), GET /api/report (JSON) and GET /report.csv (the weekly
// figures), for the roles holding cases:report. Counted at each request; ?from=&to= (days, UTC) choose the weeks.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../cases/db.js";
import { WEEK_CSV, caseReport, reportRange, weekCsvRows } from "../cases/report.js";
import { toCsv } from "./csv.js";
import type { PageUser } from "./html.js";
import { reportPage } from "./pages/report.js";

interface Ctx {
  db: Db;
  pageUser: (req: FastifyRequest) => PageUser | null;
  sendHtml: (reply: FastifyReply, body: string, status?: number) => unknown;
}

export function reportRoutes(app: FastifyInstance, c: Ctx): void {
  // the weeks are read before anything is counted: a bad parameter is a 400 saying what to send
  const report = (query: unknown) => {
    const now = new Date();
    return caseReport(c.db, reportRange(query, now), now);
  };
  app.get("/report", { config: { perm: "cases:report" } }, async (req, reply) => c.sendHtml(reply, reportPage(c.pageUser(req)!, await report(req.query))));
  app.get("/api/report", { config: { perm: "cases:report" } }, async (req) => report(req.query));
  app.get("/report.csv", { config: { perm: "cases:report" } }, async (req, reply) => {
    const r = await report(req.query);
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="review-report-${r.from}-to-${r.to}.csv"`)
      .send(toCsv(WEEK_CSV, weekCsvRows(r)));
  });
}
