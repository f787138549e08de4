// Schema migrations, applied in order under an advisory lock so concurrent processes do not race. The same SQL
// runs on a PostgreSQL server and on the embedded PGlite.
import type { Queryable } from "../../cases/db.js";
import { UsageError } from "../../lib/errors.js";

/** A connection that can run a multi-statement script (PGlite's query() takes one statement; its exec() more). */
type Migratable = Queryable & { exec?(sql: string): Promise<unknown> };

export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "state, positions, outbox, alerts and cases",
    sql: `
      -- one row per consumed partition: who owns it (epoch fences a consumer that lost it), how far its outputs
      -- are done (next_offset) and as of which offset its merchant state was checkpointed (state_offset)
      CREATE TABLE mt_partitions (
        group_id text NOT NULL, topic text NOT NULL, partition int NOT NULL,
        epoch bigint NOT NULL DEFAULT 0, owner text, claimed_at timestamptz,
        next_offset bigint, state_offset bigint, outbox_seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (group_id, topic, partition));
      CREATE TABLE mt_merchant_state (
        group_id text NOT NULL, merchant_id text NOT NULL, topic text NOT NULL, partition int NOT NULL,
        -- json, not jsonb: written on every batch, read only on a claim; no binary conversion on the hot path
        state json NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, merchant_id));
      CREATE INDEX mt_merchant_state_partition ON mt_merchant_state (group_id, topic, partition);
      -- messages to publish (alerts, dead letters), written in the batch's transaction, removed once published
      CREATE TABLE mt_outbox (
        group_id text NOT NULL, topic text NOT NULL, partition int NOT NULL, seq bigint NOT NULL,
        dest text NOT NULL, key bytea, value bytea NOT NULL, headers jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (group_id, topic, partition, seq));
      CREATE TABLE mt_alerts (
        alert_id text PRIMARY KEY, merchant_id text NOT NULL, raised_at timestamptz NOT NULL,
        score int NOT NULL, severity text NOT NULL, rule_set_version text NOT NULL, alert jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX mt_alerts_merchant ON mt_alerts (merchant_id, raised_at);
      CREATE TABLE mt_cases (
        case_id bigserial PRIMARY KEY, merchant_id text NOT NULL,
        status text NOT NULL DEFAULT 'open', score int NOT NULL, severity text NOT NULL,
        typologies text[] NOT NULL, acquirer_id text,
        opened_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, last_alert_id text NOT NULL);
      -- one open case per merchant; a closed case stays as it was and a new alert opens a new one
      CREATE UNIQUE INDEX mt_cases_one_open ON mt_cases (merchant_id) WHERE status NOT IN ('reported', 'dismissed');
      CREATE TABLE mt_case_alerts (
        case_id bigint NOT NULL REFERENCES mt_cases, alert_id text NOT NULL REFERENCES mt_alerts,
        PRIMARY KEY (case_id, alert_id));
    `,
  },
  {
    version: 2,
    name: "case workflow, comments, audit trail, users and tokens, webhook deliveries",
    sql: `
      ALTER TABLE mt_cases ADD COLUMN assignee text, ADD COLUMN report_ref text, ADD COLUMN dismiss_reason text,
        ADD COLUMN closed_at timestamptz;
      ALTER TABLE mt_cases ADD CONSTRAINT mt_cases_status CHECK (status IN ('open', 'in_review', 'escalated', 'reported', 'dismissed'));
      CREATE INDEX mt_cases_queue ON mt_cases (status, score DESC, opened_at);
      CREATE TABLE mt_case_comments (
        comment_id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES mt_cases, author text NOT NULL,
        body text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
      -- who did what, when, before and after: rows are only ever added
      CREATE TABLE mt_audit (
        audit_id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor text NOT NULL, role text NOT NULL, action text NOT NULL, case_id bigint, target text,
        before jsonb, after jsonb, detail jsonb);
      CREATE INDEX mt_audit_case ON mt_audit (case_id, audit_id);
      CREATE FUNCTION mt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'mt_audit is append-only: % refused', TG_OP; END $$;
      CREATE TRIGGER mt_audit_no_update BEFORE UPDATE OR DELETE ON mt_audit FOR EACH ROW EXECUTE FUNCTION mt_audit_append_only();
      CREATE TRIGGER mt_audit_no_truncate BEFORE TRUNCATE ON mt_audit FOR EACH STATEMENT EXECUTE FUNCTION mt_audit_append_only();
      CREATE TABLE mt_users (
        username text PRIMARY KEY, role text NOT NULL CHECK (role IN ('reviewer', 'rule-tuner', 'admin')),
        password_hash text, disabled boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now());
      -- API tokens and login sessions are kept as SHA-256 hashes: a copy of the table opens nothing
      CREATE TABLE mt_tokens (
        token_hash text PRIMARY KEY, username text NOT NULL REFERENCES mt_users, label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
      CREATE TABLE mt_sessions (
        session_hash text PRIMARY KEY, username text NOT NULL REFERENCES mt_users, csrf text NOT NULL,
        expires_at timestamptz NOT NULL);
      -- webhook deliveries, written in the transaction that opened or raised the case, retried until delivered
      CREATE TABLE mt_webhooks (
        delivery_id bigserial PRIMARY KEY, case_id bigint NOT NULL, event text NOT NULL, payload jsonb NOT NULL,
        attempts int NOT NULL DEFAULT 0, next_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz,
        failed_at timestamptz, last_error text);
      CREATE INDEX mt_webhooks_due ON mt_webhooks (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
    `,
  },
  {
    version: 3,
    name: "rule-set versions and rule hits",
    sql: `
      -- every rule-set version that was saved or put in force, with its files, so any two can be compared or
      -- an old one restored
      CREATE TABLE mt_rule_versions (
        version text PRIMARY KEY, rule_set_id text NOT NULL, files jsonb NOT NULL,
        recorded_by text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp());
      -- merchants on which a rule (live or shadow) started to hold, per rule version
      CREATE TABLE mt_rule_hits (
        rule_id text NOT NULL, rule_version text NOT NULL, mode text NOT NULL, merchant_id text NOT NULL,
        first_at timestamptz NOT NULL, PRIMARY KEY (rule_id, rule_version, merchant_id));
    `,
  },
  {
    version: 4,
    name: "room on merchant-state pages for in-place updates",
    sql: `
      -- every checkpoint rewrites the state of most merchants. With room on its page, PostgreSQL updates a row in
      -- place (a HOT update: no new index entries, the old version pruned on the page); on full pages each new
      -- version goes elsewhere, with entries in both indexes, and the table bloats until vacuum. Measured on 2,500
      -- rows of 1.5 KB rewritten 12 times: every update HOT, 10 MB against 50 MB, 140 ms a write against 180 ms.
      ALTER TABLE mt_merchant_state SET (fillfactor = 50);
    `,
  },
  {
    version: 5,
    name: "a merchant's profile apart from its state",
    sql: `
      -- the profile is a third of a merchant's state and rarely changes: a checkpoint writes it only when it did
      -- (NULL: the profile is inside state, as written before this column existed)
      ALTER TABLE mt_merchant_state ADD COLUMN profile json;
    `,
  },
  {
    version: 6,
    name: "alerts, cases and rule hits recorded in one call",
    sql: `
      -- A batch of alerts into the alert table and onto each merchant's open case (one is opened where there is
      -- none), and rule hits for the tuners, in one statement: the consumer calls it inside the statement that
      -- moves its position, one round trip for a chunk with alerts where there were eight. A case takes its
      -- merchant's latest fresh alert of the batch and, when opened here, is dated by the first. An alert already
      -- recorded is skipped, so a batch written twice changes nothing. With webhooks, a case that is new at high
      -- severity or rises to it is queued for delivery.
      CREATE FUNCTION mt_record(alerts json, hits json, acquirers json, webhooks boolean) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        IF json_array_length(hits) > 0 THEN
          INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at)
          SELECT h->>'rule', h->>'version', h->>'mode', h->>'merchantId', (h->>'at')::timestamptz
          FROM json_array_elements(hits) AS h
          ON CONFLICT DO NOTHING;
        END IF;
        IF json_array_length(alerts) = 0 THEN RETURN; END IF;
        WITH batch AS (
          SELECT a, a->>'alertId' AS alert_id, a->>'merchantId' AS merchant_id, ord
          FROM json_array_elements(alerts) WITH ORDINALITY AS t(a, ord)
        ), fresh AS (
          INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
          SELECT alert_id, merchant_id, (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
                 a->'ruleSet'->>'version', a
          FROM batch ORDER BY ord
          ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id
        ), new AS (
          SELECT b.* FROM batch b JOIN fresh USING (alert_id)
        ), firsts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, (a->>'raisedAt')::timestamptz AS opened
          FROM new ORDER BY merchant_id, ord
        ), lasts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, a AS last FROM new ORDER BY merchant_id, ord DESC
        ), before AS (
          -- every part of one statement sees the tables as they were before it
          SELECT merchant_id, severity FROM mt_cases
          WHERE merchant_id IN (SELECT merchant_id FROM lasts) AND status NOT IN ('reported', 'dismissed')
        ), cases AS (
          INSERT INTO mt_cases (merchant_id, score, severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
          SELECT l.merchant_id, (last->>'score')::int, last->>'severity',
                 ARRAY(SELECT json_array_elements_text(last->'typologies')), acquirers->>l.merchant_id, f.opened,
                 (last->>'raisedAt')::timestamptz, last->>'alertId'
          FROM lasts l JOIN firsts f USING (merchant_id)
          ON CONFLICT (merchant_id) WHERE status NOT IN ('reported', 'dismissed') DO UPDATE
            SET score = EXCLUDED.score, severity = EXCLUDED.severity, typologies = EXCLUDED.typologies,
                updated_at = EXCLUDED.updated_at, last_alert_id = EXCLUDED.last_alert_id,
                acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
          RETURNING case_id, merchant_id, severity, score
        ), links AS (
          INSERT INTO mt_case_alerts (case_id, alert_id)
          SELECT c.case_id, n.alert_id FROM cases c JOIN new n USING (merchant_id)
          ON CONFLICT DO NOTHING
        )
        INSERT INTO mt_webhooks (case_id, event, payload)
        SELECT c.case_id, 'case.high-severity', jsonb_build_object(
                 'event', 'case.high-severity', 'caseId', c.case_id::text, 'merchantId', c.merchant_id,
                 'severity', c.severity, 'score', c.score, 'typologies', l.last->'typologies',
                 'alertId', l.last->>'alertId', 'raisedAt', l.last->>'raisedAt', 'new', b.merchant_id IS NULL)
        FROM cases c JOIN lasts l USING (merchant_id) LEFT JOIN before b USING (merchant_id)
        WHERE webhooks AND c.severity IN ('high', 'critical')
          AND (b.merchant_id IS NULL OR b.severity NOT IN ('high', 'critical'));
      END $$;
    `,
  },
  {
    version: 7,
    name: "initial passwords replaced at the first sign-in",
    sql: `
      -- true while the password is one someone else set (printed by users add, the demo or the admin page): its
      -- session may only choose a new one. Every password before this column was such a one.
      ALTER TABLE mt_users ADD COLUMN password_change_required boolean NOT NULL DEFAULT true;
    `,
  },
  {
    version: 8,
    name: "flagged merchants for the other processes of a group",
    sql: `
      -- A merchant flagged on its own evidence (or a flagged merchant's new keys), written with the outputs of the
      -- chunk that flagged it. Every process of the group reads the rows of partitions it does not hold, so that
      -- shared infrastructure links merchants held by different processes. Append-only; a few rows per flagged
      -- merchant. Read in the order of the writing transaction's id, and only rows of transactions older than
      -- every one still running: a sequence number alone can commit out of order, and a reader that had passed
      -- it would never see the row.
      CREATE TABLE mt_flags (
        group_id text NOT NULL, seq bigserial, xid xid8 NOT NULL DEFAULT pg_current_xact_id(), partition int NOT NULL,
        notice json NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (group_id, seq));
    `,
  },
  {
    version: 9,
    name: "the highest version of each indicator set put in force",
    sql: `
      -- Per publisher and set id, the highest version put in force. After compaction the indicator topic may hold an
      -- older signed release under a set's key (anyone who can write the topic can put one back): a process started
      -- then refuses it instead of bringing back entries revoked since.
      CREATE TABLE mt_indicator_versions (
        publisher text NOT NULL, set_id text NOT NULL, version bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (publisher, set_id));
    `,
  },
  {
    version: 10,
    name: "the record a partition's checkpoint was taken after",
    sql: `
      -- The last record the checkpointed state includes: its offset, timestamp and key. At a claim the record at that
      -- offset must be the same one: if it is not, the positions are of another log (the topic deleted and recreated,
      -- the cluster replaced) and the events below them would be skipped unread, so the partition is refused instead.
      ALTER TABLE mt_partitions ADD COLUMN state_record_offset bigint, ADD COLUMN state_record_timestamp bigint,
        ADD COLUMN state_record_key bytea;
    `,
  },
  {
    version: 11,
    name: "the partition count positions were recorded with; the content of each indicator set version in force",
    sql: `
      -- The events topic's partition count when the partition's positions were first recorded (NULL: before this
      -- column; recorded at the next claim). A merchant's state is kept with the partition its key hashes to among
      -- that many: with partitions added, its events go to another, so a claim refuses the topic's partitions instead.
      ALTER TABLE mt_partitions ADD COLUMN partitions int;
      -- The SHA-256s (hex) a copy of the recorded version's release may have (its signed content, and that of its
      -- export: without TLP:RED entries, hashed or not; NULL: recorded before this column), so that the same version
      -- with other content is refused after a restart too, when that release is gone from the topic.
      ALTER TABLE mt_indicator_versions ADD COLUMN content_sha256 text[];
    `,
  },
  {
    version: 12,
    name: "cases closed with the merchant's account; a merchant's cases",
    sql: `
      -- A case closed because the bank terminated the merchant's account (status account_closed), with the bank's
      -- reference for the termination; a reported case keeps its report's reference beside it.
      ALTER TABLE mt_cases ADD COLUMN termination_ref text;
      ALTER TABLE mt_cases DROP CONSTRAINT mt_cases_status;
      ALTER TABLE mt_cases ADD CONSTRAINT mt_cases_status
        CHECK (status IN ('open', 'in_review', 'escalated', 'reported', 'dismissed', 'account_closed'));
      -- still one open case per merchant, a closed one named by the statuses that are open: an account-closed case
      -- is closed, and a new alert opens a new case. mt_record's ON CONFLICT names the same predicate.
      DROP INDEX mt_cases_one_open;
      CREATE UNIQUE INDEX mt_cases_one_open ON mt_cases (merchant_id) WHERE status IN ('open', 'in_review', 'escalated');
      -- a merchant's cases: the queue's merchant= and each case's list of the merchant's other cases
      CREATE INDEX mt_cases_merchant ON mt_cases (merchant_id, opened_at);
      -- the terminated merchants, which every consumer reads every 5 s (terminatedMerchants), without a scan of every case
      CREATE INDEX mt_cases_account_closed ON mt_cases (merchant_id, closed_at DESC) WHERE status = 'account_closed';
      -- as in migration 6, with an open case named as above
      CREATE OR REPLACE FUNCTION mt_record(alerts json, hits json, acquirers json, webhooks boolean) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        IF json_array_length(hits) > 0 THEN
          INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at)
          SELECT h->>'rule', h->>'version', h->>'mode', h->>'merchantId', (h->>'at')::timestamptz
          FROM json_array_elements(hits) AS h
          ON CONFLICT DO NOTHING;
        END IF;
        IF json_array_length(alerts) = 0 THEN RETURN; END IF;
        WITH batch AS (
          SELECT a, a->>'alertId' AS alert_id, a->>'merchantId' AS merchant_id, ord
          FROM json_array_elements(alerts) WITH ORDINALITY AS t(a, ord)
        ), fresh AS (
          INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
          SELECT alert_id, merchant_id, (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
                 a->'ruleSet'->>'version', a
          FROM batch ORDER BY ord
          ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id
        ), new AS (
          SELECT b.* FROM batch b JOIN fresh USING (alert_id)
        ), firsts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, (a->>'raisedAt')::timestamptz AS opened
          FROM new ORDER BY merchant_id, ord
        ), lasts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, a AS last FROM new ORDER BY merchant_id, ord DESC
        ), before AS (
          -- every part of one statement sees the tables as they were before it
          SELECT merchant_id, severity FROM mt_cases
          WHERE merchant_id IN (SELECT merchant_id FROM lasts) AND status IN ('open', 'in_review', 'escalated')
        ), cases AS (
          INSERT INTO mt_cases (merchant_id, score, severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
          SELECT l.merchant_id, (last->>'score')::int, last->>'severity',
                 ARRAY(SELECT json_array_elements_text(last->'typologies')), acquirers->>l.merchant_id, f.opened,
                 (last->>'raisedAt')::timestamptz, last->>'alertId'
          FROM lasts l JOIN firsts f USING (merchant_id)
          ON CONFLICT (merchant_id) WHERE status IN ('open', 'in_review', 'escalated') DO UPDATE
            SET score = EXCLUDED.score, severity = EXCLUDED.severity, typologies = EXCLUDED.typologies,
                updated_at = EXCLUDED.updated_at, last_alert_id = EXCLUDED.last_alert_id,
                acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
          RETURNING case_id, merchant_id, severity, score
        ), links AS (
          INSERT INTO mt_case_alerts (case_id, alert_id)
          SELECT c.case_id, n.alert_id FROM cases c JOIN new n USING (merchant_id)
          ON CONFLICT DO NOTHING
        )
        INSERT INTO mt_webhooks (case_id, event, payload)
        SELECT c.case_id, 'case.high-severity', jsonb_build_object(
                 'event', 'case.high-severity', 'caseId', c.case_id::text, 'merchantId', c.merchant_id,
                 'severity', c.severity, 'score', c.score, 'typologies', l.last->'typologies',
                 'alertId', l.last->>'alertId', 'raisedAt', l.last->>'raisedAt', 'new', b.merchant_id IS NULL)
        FROM cases c JOIN lasts l USING (merchant_id) LEFT JOIN before b USING (merchant_id)
        WHERE webhooks AND c.severity IN ('high', 'critical')
          AND (b.merchant_id IS NULL OR b.severity NOT IN ('high', 'critical'));
      END $$;
    `,
  },  {
    version: 13,
    name: "the key that signed each indicator set version in force",
    sql: `
      -- The highest version of a set put in force under each signing key (its keyId; '' when put in force without a
      -- trust store, and for the rows recorded before this column). The rollback floor is the highest version signed
      -- by a key the trust store does not revoke: a version a compromised key published, however high, stops
      -- blocking its member's set once the key is revoked.
      ALTER TABLE mt_indicator_versions ADD COLUMN signed_by text NOT NULL DEFAULT '';
      ALTER TABLE mt_indicator_versions DROP CONSTRAINT mt_indicator_versions_pkey;
      ALTER TABLE mt_indicator_versions ADD PRIMARY KEY (publisher, set_id, signed_by);
    `,
  },
  {
    version: 14,
    name: "each time a rule-set version was put in force",
    sql: `
      -- mt_rule_versions keeps a version's first recording only: a hand edit back to an earlier version, a deploy of
      -- an older directory or a restore left no trace of when it ran again. A row here starts a period in force
      -- (until the next row's): how is 'directory' (a consumer or the web server found it in the rules directory),
      -- 'page' (a tuner's save) or 'restore'; put_by the tuner, or 'directory'.
      CREATE TABLE mt_rule_in_force (
        seq bigserial PRIMARY KEY, version text NOT NULL REFERENCES mt_rule_versions (version),
        put_by text NOT NULL, how text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
      -- what is known of the past: the directory's versions first seen, and every save and restore the audit trail holds
      INSERT INTO mt_rule_in_force (version, put_by, how, at)
      SELECT version, put_by, how, at FROM (
        SELECT version, recorded_by AS put_by, 'directory' AS how, recorded_at AS at FROM mt_rule_versions WHERE recorded_by = 'directory'
        UNION ALL
        SELECT a.after->>'version', a.actor, CASE a.action WHEN 'rules-restore' THEN 'restore' ELSE 'page' END, a.at
        FROM mt_audit a JOIN mt_rule_versions v ON v.version = a.after->>'version'
        WHERE a.action IN ('rules-change', 'rules-restore')) x
      ORDER BY at;
    `,
  },
  {
    version: 15,
    name: "when each session last made a request",
    sql: `
      -- a session ends after MT_WEB_IDLE_MINUTES without a request, besides its 8 hours; written at most once a minute
      -- a session (not on every request), so the idle time is kept to within that minute. Sessions open at the
      -- migration count from it.
      ALTER TABLE mt_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
    `,
  },
  {
    version: 16,
    name: "when each API token expires",
    sql: `
      -- set at creation (MT_TOKEN_DAYS, or the days asked for, at most 365); a token made before this migration
      -- expires 90 days after it
      ALTER TABLE mt_tokens ADD COLUMN expires_at timestamptz;
      UPDATE mt_tokens SET expires_at = now() + interval '90 days';
      ALTER TABLE mt_tokens ALTER COLUMN expires_at SET NOT NULL;
    `,
  },
  {
    version: 17,
    name: "why each rule-set version was put in force",
    sql: `
      -- the tuner's note of a save or restore (required since), or for a version found in the rules directory the
      -- words rules/history.ts's DIRECTORY_NOTE gives: no person wrote one. Saves and restores before this migration
      -- were never asked why: theirs stays null. The versions found in the directory before it get the directory's.
      ALTER TABLE mt_rule_in_force ADD COLUMN note text;
      UPDATE mt_rule_in_force SET note = 'changed in the rules directory (a hand edit or a deploy, not through the page or the API): no note'
      WHERE how = 'directory';
    `,
  },
  {
    version: 18,
    name: "failed sign-ins counted for every process",
    sql: `
      -- The sign-in throttle's counts (web/auth.ts): per kind ('name': the SHA-256 of what was typed as the name, which
      -- may be a password typed in the wrong field; 'client': the address, an IPv6 one by its /64) the attempts that
      -- failed since the window's start. In memory, each process behind a load balancer counted apart and a restart
      -- forgot. Expired rows are deleted by later counts (the index on since finds them).
      CREATE TABLE mt_signin_failures (
        kind text NOT NULL, key text NOT NULL, failures int NOT NULL, since timestamptz NOT NULL,
        PRIMARY KEY (kind, key));
      CREATE INDEX mt_signin_failures_since ON mt_signin_failures (since);
    `,
  },
  {
    version: 19,
    name: "record batches an operator skipped",
    sql: `
      -- A record batch the codecs refuse (source/codecs.ts) holds its partition at it until an operator skips it
      -- (moneytrail db skip-batch): every consumer of the topic, whatever its group, then dead-letters its records,
      -- now and when it meets the batch again after a restart or a rebalance. Keyed by the batch's first offset.
      CREATE TABLE mt_skipped_batches (
        topic text NOT NULL, partition int NOT NULL, first_offset bigint NOT NULL,
        reason text NOT NULL CHECK (reason <> ''), skipped_by text NOT NULL, skipped_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, first_offset));
    `,
  },
  {
    version: 20,
    name: "who made each API token",
    sql: `
      -- The operator (console, from the server) or the user, signed in with their password: a password change revokes
      -- the tokens of the second kind, which whoever else held the password could have made. Filled from the audit
      -- trail's token-create rows (a token's id is the first 12 hex digits of its hash).
      ALTER TABLE mt_tokens ADD COLUMN created_by text;
      UPDATE mt_tokens t SET created_by = a.actor FROM mt_audit a
        WHERE a.action = 'token-create' AND a.target = t.username AND a.after->>'id' = left(t.token_hash, 12);
    `,
  },
  {
    version: 21,
    name: "audit rows dated by the database",
    sql: `
      -- The service's role may only add rows to the trail, but it could date one as it liked (an action put into a
      -- quiet hour of the past reads as done then): a row's time is the database's for any role but the tables'
      -- owner, who can switch any trigger off anyway, and as whom tests and hand repairs date rows.
      CREATE FUNCTION mt_audit_dated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
            NEW.at := clock_timestamp();
          END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER mt_audit_dated BEFORE INSERT ON mt_audit FOR EACH ROW EXECUTE FUNCTION mt_audit_dated();
    `,
  },
  {
    version: 22,
    name: "a case's typologies and highest severity from all its alerts",
    sql: `
      -- A case took its typologies and severity from its latest alert alone: a merchant alerted for card testing and
      -- then, the burst gone from the window, for disputes left the queue's card-testing filter, and a case critical
      -- on a listed identifier went down among the medium ones when a later alert on another rule came in. A case
      -- now names every typology its alerts named (in the order they first came) and keeps its highest severity
      -- (peak_severity), by which the queue ranks it; severity stays the latest alert's, which the webhook follows.
      CREATE FUNCTION mt_severity_rank(severity text) RETURNS int LANGUAGE sql IMMUTABLE
        AS $f$ SELECT array_position(ARRAY['low', 'medium', 'high', 'critical'], severity) $f$;
      ALTER TABLE mt_cases ADD COLUMN peak_severity text;
      WITH named AS (
        SELECT ca.case_id, t.typology, min(a.raised_at) AS first_at, min(t.n) AS n
        FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id),
             jsonb_array_elements_text(a.alert->'typologies') WITH ORDINALITY AS t(typology, n)
        GROUP BY ca.case_id, t.typology
      ), kinds AS (
        SELECT case_id, array_agg(typology ORDER BY first_at, n, typology) AS typologies FROM named GROUP BY case_id
      ), peaks AS (
        SELECT ca.case_id, max(mt_severity_rank(a.severity)) AS r
        FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id) GROUP BY ca.case_id
      )
      UPDATE mt_cases c SET typologies = COALESCE(k.typologies, c.typologies),
                            peak_severity = (ARRAY['low', 'medium', 'high', 'critical'])[p.r]
      FROM peaks p LEFT JOIN kinds k USING (case_id) WHERE c.case_id = p.case_id;
      UPDATE mt_cases SET peak_severity = severity WHERE peak_severity IS NULL;
      ALTER TABLE mt_cases ALTER COLUMN peak_severity SET NOT NULL;
      -- as in migration 12, with the case's typologies and peak severity gathered from every new alert of the batch
      CREATE OR REPLACE FUNCTION mt_record(alerts json, hits json, acquirers json, webhooks boolean) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        IF json_array_length(hits) > 0 THEN
          INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at)
          SELECT h->>'rule', h->>'version', h->>'mode', h->>'merchantId', (h->>'at')::timestamptz
          FROM json_array_elements(hits) AS h
          ON CONFLICT DO NOTHING;
        END IF;
        IF json_array_length(alerts) = 0 THEN RETURN; END IF;
        WITH batch AS (
          SELECT a, a->>'alertId' AS alert_id, a->>'merchantId' AS merchant_id, ord
          FROM json_array_elements(alerts) WITH ORDINALITY AS t(a, ord)
        ), fresh AS (
          INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
          SELECT alert_id, merchant_id, (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
                 a->'ruleSet'->>'version', a
          FROM batch ORDER BY ord
          ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id
        ), new AS (
          SELECT b.* FROM batch b JOIN fresh USING (alert_id)
        ), firsts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, (a->>'raisedAt')::timestamptz AS opened
          FROM new ORDER BY merchant_id, ord
        ), lasts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, a AS last FROM new ORDER BY merchant_id, ord DESC
        ), named AS (
          SELECT DISTINCT ON (merchant_id, typology) merchant_id, typology, ord, n
          FROM new, json_array_elements_text(a->'typologies') WITH ORDINALITY AS t(typology, n)
          ORDER BY merchant_id, typology, ord, n
        ), kinds AS (
          SELECT merchant_id, array_agg(typology ORDER BY ord, n) AS typologies FROM named GROUP BY merchant_id
        ), peaks AS (
          SELECT merchant_id, (ARRAY['low', 'medium', 'high', 'critical'])[max(mt_severity_rank(a->>'severity'))] AS peak
          FROM new GROUP BY merchant_id
        ), before AS (
          -- every part of one statement sees the tables as they were before it
          SELECT merchant_id, severity FROM mt_cases
          WHERE merchant_id IN (SELECT merchant_id FROM lasts) AND status IN ('open', 'in_review', 'escalated')
        ), cases AS (
          INSERT INTO mt_cases (merchant_id, score, severity, peak_severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
          SELECT l.merchant_id, (last->>'score')::int, last->>'severity', COALESCE(p.peak, last->>'severity'),
                 COALESCE(k.typologies, '{}'), acquirers->>l.merchant_id, f.opened,
                 (last->>'raisedAt')::timestamptz, last->>'alertId'
          FROM lasts l JOIN firsts f USING (merchant_id) LEFT JOIN kinds k USING (merchant_id) LEFT JOIN peaks p USING (merchant_id)
          ON CONFLICT (merchant_id) WHERE status IN ('open', 'in_review', 'escalated') DO UPDATE
            SET score = EXCLUDED.score, severity = EXCLUDED.severity,
                peak_severity = CASE WHEN mt_severity_rank(EXCLUDED.peak_severity) > mt_severity_rank(mt_cases.peak_severity)
                                     THEN EXCLUDED.peak_severity ELSE mt_cases.peak_severity END,
                typologies = mt_cases.typologies || ARRAY(SELECT t FROM unnest(EXCLUDED.typologies) WITH ORDINALITY AS u(t, n)
                                                          WHERE t <> ALL(mt_cases.typologies) ORDER BY n),
                updated_at = EXCLUDED.updated_at, last_alert_id = EXCLUDED.last_alert_id,
                acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
          RETURNING case_id, merchant_id, severity, score
        ), links AS (
          INSERT INTO mt_case_alerts (case_id, alert_id)
          SELECT c.case_id, n.alert_id FROM cases c JOIN new n USING (merchant_id)
          ON CONFLICT DO NOTHING
        )
        INSERT INTO mt_webhooks (case_id, event, payload)
        SELECT c.case_id, 'case.high-severity', jsonb_build_object(
                 'event', 'case.high-severity', 'caseId', c.case_id::text, 'merchantId', c.merchant_id,
                 'severity', c.severity, 'score', c.score, 'typologies', l.last->'typologies',
                 'alertId', l.last->>'alertId', 'raisedAt', l.last->>'raisedAt', 'new', b.merchant_id IS NULL)
        FROM cases c JOIN lasts l USING (merchant_id) LEFT JOIN before b USING (merchant_id)
        WHERE webhooks AND c.severity IN ('high', 'critical')
          AND (b.merchant_id IS NULL OR b.severity NOT IN ('high', 'critical'));
      END $$;
    `,
  },
  {
    version: 23,
    name: "the auditor role",
    sql: `
      -- a role that reads the audit trail export and nothing else (a SIEM's account): allowed by the users' check
      -- (migration 1's check, which PostgreSQL named mt_users_role_check)
      ALTER TABLE mt_users DROP CONSTRAINT mt_users_role_check;
      ALTER TABLE mt_users ADD CONSTRAINT mt_users_role_check CHECK (role IN ('reviewer', 'rule-tuner', 'admin', 'auditor'));
    `,
  },
  {
    version: 24,
    name: "a case written without its peak severity",
    sql: `
      -- A case row written by hand (a repair, a test's fixture) without peak_severity (migration 22) was refused; it
      -- starts at its own severity, as a case mt_record opens does.
      CREATE FUNCTION mt_cases_peak() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.peak_severity := COALESCE(NEW.peak_severity, NEW.severity); RETURN NEW; END $$;
      CREATE TRIGGER mt_cases_peak BEFORE INSERT ON mt_cases FOR EACH ROW EXECUTE FUNCTION mt_cases_peak();
    `,
  },
  {
    version: 25,
    name: "what each audited action was taken with",
    sql: `
      -- After a token leak an auditor must find every action taken with that token: a row says "session" (the page)
      -- or {"token": <its id>, "name": <its label>}, never the token itself. NULL for the command line, the service,
      -- and the rows written before (the trail is append-only: they stay as they are).
      ALTER TABLE mt_audit ADD COLUMN credential jsonb;
    `,
  },
  {
    version: 26,
    name: "a case's updated time never goes back",
    sql: `
      -- A case's updated_at took its batch's last alert's time, its event's: an alert from a replay or a backlog, older
      -- than the case's, moved it back. It is now the later of what it was and the batch's newest alert's time (a
      -- reviewer's action takes the later of it and the clock). As in migration 22 otherwise.
      CREATE OR REPLACE FUNCTION mt_record(alerts json, hits json, acquirers json, webhooks boolean) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        IF json_array_length(hits) > 0 THEN
          INSERT INTO mt_rule_hits (rule_id, rule_version, mode, merchant_id, first_at)
          SELECT h->>'rule', h->>'version', h->>'mode', h->>'merchantId', (h->>'at')::timestamptz
          FROM json_array_elements(hits) AS h
          ON CONFLICT DO NOTHING;
        END IF;
        IF json_array_length(alerts) = 0 THEN RETURN; END IF;
        WITH batch AS (
          SELECT a, a->>'alertId' AS alert_id, a->>'merchantId' AS merchant_id, ord
          FROM json_array_elements(alerts) WITH ORDINALITY AS t(a, ord)
        ), fresh AS (
          INSERT INTO mt_alerts (alert_id, merchant_id, raised_at, score, severity, rule_set_version, alert)
          SELECT alert_id, merchant_id, (a->>'raisedAt')::timestamptz, (a->>'score')::int, a->>'severity',
                 a->'ruleSet'->>'version', a
          FROM batch ORDER BY ord
          ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id
        ), new AS (
          SELECT b.* FROM batch b JOIN fresh USING (alert_id)
        ), firsts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, (a->>'raisedAt')::timestamptz AS opened
          FROM new ORDER BY merchant_id, ord
        ), lasts AS (
          SELECT DISTINCT ON (merchant_id) merchant_id, a AS last FROM new ORDER BY merchant_id, ord DESC
        ), named AS (
          SELECT DISTINCT ON (merchant_id, typology) merchant_id, typology, ord, n
          FROM new, json_array_elements_text(a->'typologies') WITH ORDINALITY AS t(typology, n)
          ORDER BY merchant_id, typology, ord, n
        ), kinds AS (
          SELECT merchant_id, array_agg(typology ORDER BY ord, n) AS typologies FROM named GROUP BY merchant_id
        ), peaks AS (
          SELECT merchant_id, (ARRAY['low', 'medium', 'high', 'critical'])[max(mt_severity_rank(a->>'severity'))] AS peak,
                 max((a->>'raisedAt')::timestamptz) AS latest
          FROM new GROUP BY merchant_id
        ), before AS (
          -- every part of one statement sees the tables as they were before it
          SELECT merchant_id, severity FROM mt_cases
          WHERE merchant_id IN (SELECT merchant_id FROM lasts) AND status IN ('open', 'in_review', 'escalated')
        ), cases AS (
          INSERT INTO mt_cases (merchant_id, score, severity, peak_severity, typologies, acquirer_id, opened_at, updated_at, last_alert_id)
          SELECT l.merchant_id, (last->>'score')::int, last->>'severity', COALESCE(p.peak, last->>'severity'),
                 COALESCE(k.typologies, '{}'), acquirers->>l.merchant_id, f.opened,
                 p.latest, last->>'alertId'
          FROM lasts l JOIN firsts f USING (merchant_id) LEFT JOIN kinds k USING (merchant_id) LEFT JOIN peaks p USING (merchant_id)
          ON CONFLICT (merchant_id) WHERE status IN ('open', 'in_review', 'escalated') DO UPDATE
            SET score = EXCLUDED.score, severity = EXCLUDED.severity,
                peak_severity = CASE WHEN mt_severity_rank(EXCLUDED.peak_severity) > mt_severity_rank(mt_cases.peak_severity)
                                     THEN EXCLUDED.peak_severity ELSE mt_cases.peak_severity END,
                typologies = mt_cases.typologies || ARRAY(SELECT t FROM unnest(EXCLUDED.typologies) WITH ORDINALITY AS u(t, n)
                                                          WHERE t <> ALL(mt_cases.typologies) ORDER BY n),
                updated_at = GREATEST(mt_cases.updated_at, EXCLUDED.updated_at), last_alert_id = EXCLUDED.last_alert_id,
                acquirer_id = COALESCE(EXCLUDED.acquirer_id, mt_cases.acquirer_id)
          RETURNING case_id, merchant_id, severity, score
        ), links AS (
          INSERT INTO mt_case_alerts (case_id, alert_id)
          SELECT c.case_id, n.alert_id FROM cases c JOIN new n USING (merchant_id)
          ON CONFLICT DO NOTHING
        )
        INSERT INTO mt_webhooks (case_id, event, payload)
        SELECT c.case_id, 'case.high-severity', jsonb_build_object(
                 'event', 'case.high-severity', 'caseId', c.case_id::text, 'merchantId', c.merchant_id,
                 'severity', c.severity, 'score', c.score, 'typologies', l.last->'typologies',
                 'alertId', l.last->>'alertId', 'raisedAt', l.last->>'raisedAt', 'new', b.merchant_id IS NULL)
        FROM cases c JOIN lasts l USING (merchant_id) LEFT JOIN before b USING (merchant_id)
        WHERE webhooks AND c.severity IN ('high', 'critical')
          AND (b.merchant_id IS NULL OR b.severity NOT IN ('high', 'critical'));
      END $$;
    `,
  },
  {
    version: 27,
    name: "the review report's decisions by action and time",
    sql: `
      -- The review report reads the decisions of some weeks out of a trail made mostly of case views: without an index
      -- it read the whole trail (1M rows over two years: 191 ms a query, three queries a report; 11-29 ms with it).
      CREATE INDEX mt_audit_action_at ON mt_audit (action, at);
    `,
  },
  {
    version: 28,
    name: "a case's trail summed per action and user",
    sql: `
      -- The case page says who opened, exported and revealed a case, how often and when last, and the queue when a
      -- reviewer last looked: counted from the rows, that read every row of the case (100,000 openings: 60-80 ms a
      -- count, and growing). A row per case, user and action, kept by each insert into the trail, in its transaction:
      -- the trail stays append-only and the truth (a sum can be checked against it, and made again from it). Per
      -- statement, from the rows it added: a row at a time, an upsert each; a bulk insert (a repair, a test), one per
      -- sum, in one order (two cannot deadlock), where a row trigger updated one sum row thousands of times in one
      -- transaction (100,000 rows: 204 s). LEAST and GREATEST: rows commit in any order.
      CREATE TABLE mt_case_trail_sums (
        case_id bigint NOT NULL, actor text NOT NULL, action text NOT NULL, times bigint NOT NULL,
        first_id bigint NOT NULL, last_at timestamptz NOT NULL, PRIMARY KEY (case_id, actor, action));
      CREATE FUNCTION mt_case_trail_sum() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO mt_case_trail_sums AS s (case_id, actor, action, times, first_id, last_at)
          SELECT case_id, actor, action, count(*), min(audit_id), max(at) FROM added WHERE case_id IS NOT NULL
          GROUP BY case_id, actor, action ORDER BY case_id, actor, action
          ON CONFLICT (case_id, actor, action) DO UPDATE
            SET times = s.times + EXCLUDED.times, first_id = LEAST(s.first_id, EXCLUDED.first_id), last_at = GREATEST(s.last_at, EXCLUDED.last_at);
          RETURN NULL;
        END $$;
      -- the rows as added, after mt_audit_dated (a BEFORE trigger) has set their time
      CREATE TRIGGER mt_case_trail_sum AFTER INSERT ON mt_audit REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION mt_case_trail_sum();
      -- the rows already there (the trigger's lock on mt_audit holds new ones back until this commits)
      INSERT INTO mt_case_trail_sums (case_id, actor, action, times, first_id, last_at)
      SELECT case_id, actor, action, count(*), min(audit_id), max(at) FROM mt_audit WHERE case_id IS NOT NULL GROUP BY case_id, actor, action;
      -- the case's trail as its page lists it, without the rows summed above and the trail's own reads: read through
      -- the case's index, it passed over every opening (100,000: 40-55 ms; 0.4 ms with this one)
      CREATE INDEX mt_audit_case_listed ON mt_audit (case_id, audit_id)
        WHERE case_id IS NOT NULL AND action <> ALL (ARRAY['case-view', 'export', 'export-sightings', 'reveal-url', 'audit-export']);
    `,
  },
  {
    version: 29,
    name: "how far each partition has come in event time",
    sql: `
      -- Partitions run apart in event time while a backlog is caught up; each process holds its partitions to the
      -- least advanced one's event time (app/run/event-time.ts), read from here. reached_at: the event time (epoch ms)
      -- up to which the partition's flag notices are all written; at_end: its owner had consumed it to its end (it
      -- holds no one back; a claim sets it false until the new owner says); event_time_at: when the owner last wrote
      -- them (a row not written for a while is of an owner gone: passed over, so it cannot stall the rest).
      ALTER TABLE mt_partitions ADD COLUMN reached_at bigint, ADD COLUMN at_end boolean, ADD COLUMN event_time_at timestamptz;
    `,
  },
  {
    version: 30,
    name: "a case's reveals, newest first",
    sql: `
      -- the case page lists its latest reveals (who, when, which address); read past the case's openings they took
      -- 23-60 ms at 100,000 openings, 0.5 ms through this (reveals are few: each a reviewer's deliberate act)
      CREATE INDEX mt_audit_case_reveals ON mt_audit (case_id, audit_id) WHERE action = 'reveal-url';
    `,
  },
  {
    version: 31,
    name: "when each outbox row was written",
    sql: `
      -- moneytrail_outbox_oldest_row_age_seconds: a count of rows waiting does not tell a busy partition from a few
      -- alerts stuck behind a publisher that reports no failure; their age does. now() is stable: no table rewrite,
      -- and rows already waiting are dated to this migration. Read through the primary key: no index of its own.
      ALTER TABLE mt_outbox ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
    `,
  },
  {
    version: 32,
    name: "the queue oldest first and recently active first",
    sql: `
      -- the queue's other orders (src/cases/store.ts QUEUE_SORTS) over the active cases, its default filter: a page of
      -- 25 out of 20,000 active cases read 20,000 rows and sorted them (6.5 ms), 0.05 ms through these. mt_cases_queue
      -- is no use to them, and risk's order is an expression no index holds
      CREATE INDEX mt_cases_active_opened ON mt_cases (opened_at, case_id) WHERE status IN ('open', 'in_review', 'escalated');
      CREATE INDEX mt_cases_active_updated ON mt_cases (updated_at, case_id) WHERE status IN ('open', 'in_review', 'escalated');
    `,
  },
  {
    version: 33,
    name: "the queue riskiest first",
    sql: `
      -- the queue's default order, as store.ts's QUEUE_SORTS.risk writes it (its severities those of the alert's schema:
      -- a severity added there needs this index made again), over the active cases: a page of 25 out of 20,000 active
      -- cases read all 20,000 and sorted them (8.9 ms), 0.08 ms through this; a later page's keyset comparison too
      CREATE INDEX mt_cases_active_risk ON mt_cases ((-array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], peak_severity)), (-score), opened_at, case_id)
        WHERE status IN ('open', 'in_review', 'escalated');
    `,
  },
  {
    version: 34,
    name: "a case's form kept through a sign-in, in its session",
    sql: `
      -- a decision or comment sent after the session ended, kept by the sign-in that follows ({caseId, form, fields}):
      -- the sign-in redirects to the case (a reload must not send the password again), whose page fills the form in
      -- from here until it is sent. It goes with the session
      ALTER TABLE mt_sessions ADD COLUMN kept_form jsonb;
    `,
  },
  {
    version: 35,
    name: "cases reopened while assigned are nobody's",
    sql: `
      -- A case reopened before reopening unassigned it stayed open yet assigned to whoever had closed it: counted as
      -- theirs in the queue's Waiting line, left out of the unassigned, though open means nobody has taken it. Such
      -- cases are unassigned as a reopen now leaves them, each with its audit row (an assign to nobody, by the
      -- operator who upgraded, saying why). Their updated time stays: the upgrade is no activity on the case
      WITH was AS (SELECT case_id, assignee FROM mt_cases WHERE status = 'open' AND assignee IS NOT NULL FOR UPDATE),
      done AS (
        UPDATE mt_cases c SET assignee = NULL FROM was WHERE c.case_id = was.case_id
        RETURNING c.case_id, c.merchant_id, c.status, was.assignee, c.report_ref, c.dismiss_reason, c.termination_ref)
      INSERT INTO mt_audit (actor, role, action, case_id, target, before, after, detail)
      SELECT 'console', 'admin', 'assign', case_id, merchant_id,
        -- the case's tracked fields, as store.ts's act writes them
        jsonb_build_object('status', status, 'assignee', assignee, 'reportRef', report_ref, 'dismissReason', dismiss_reason, 'terminationRef', termination_ref),
        jsonb_build_object('status', status, 'assignee', NULL, 'reportRef', report_ref, 'dismissReason', dismiss_reason, 'terminationRef', termination_ref),
        jsonb_build_object('note', 'unassigned by the upgrade (migration 35): the case was reopened before a reopened case became nobody''s, and stayed '
          || assignee || '''s though open; whoever works it assigns it')
      FROM done ORDER BY case_id;
    `,
  },
];

/** PostgreSQL's code for a statement the role may not run. */
const INSUFFICIENT_PRIVILEGE = "42501";
/** PostgreSQL's code for a CREATE with no schema in the search path that the role may use */
const NO_SCHEMA = "3F000";

/**
 * Applies the pending migrations; returns how many. A role that does not own the tables (the service's, see
 * grantServiceRole) starts when nothing is pending, and is told what to do when something is.
 */
export async function migrate(client: Migratable): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(7482019)");
    // CREATE TABLE IF NOT EXISTS would need the right to create, which a service role does not have
    const { rows: present } = await client.query<{ ok: boolean; role: string }>("SELECT to_regclass('mt_schema_migrations') IS NOT NULL AS ok, current_user AS role");
    const { ok, role } = present[0]!;
    let rows: { version: number }[];
    try {
      if (!ok) await client.query("CREATE TABLE mt_schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      ({ rows } = await client.query<{ version: number }>("SELECT version FROM mt_schema_migrations"));
    } catch (err) {
      // the service's role started before the owner created the tables, or let it use them: a first deployment's slip
      const code = (err as { code?: string }).code;
      if (code !== INSUFFICIENT_PRIVILEGE && code !== NO_SCHEMA) throw err;
      throw new UsageError(
        `this role (${role}) ${ok ? "may not use moneytrail's tables" : "finds no moneytrail tables and may not create them"} (${(err as Error).message}): run \`moneytrail db migrate --service-role ${role}\` with the tables' owner's DATABASE_URL, then start again`,
      );
    }
    const done = new Set(rows.map((r) => r.version));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      try {
        await (client.exec ? client.exec(m.sql) : client.query(m.sql));
      } catch (err) {
        if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
        throw new UsageError(
          `the database needs migration ${m.version} (${m.name}), which this role may not apply (${(err as Error).message}): run \`moneytrail db migrate\` with the tables' owner's DATABASE_URL, then start again`,
        );
      }
      await client.query("INSERT INTO mt_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied++;
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
}

/**
 * What it means that a newer release migrated the database, or undefined: its migrations past this release's last
 * (an upgrade's old processes still running beside the new one's schema, or a rollback) are not this release's to
 * know, and no release undoes them.
 */
export async function migratedAhead(client: Queryable): Promise<string | undefined> {
  const last = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const { rows } = await client.query<{ version: number; name: string }>("SELECT version, name FROM mt_schema_migrations WHERE version > $1 ORDER BY version", [last]);
  if (rows.length === 0) return undefined;
  return `the database was migrated by a newer release of moneytrail than this one (its last migration is ${last}; the database has ${rows.map((r) => `${r.version} (${r.name})`).join(", ")}): this release does not know what those changed, and migrations are not undone. Finish the upgrade: run the newer release here too`;
}

/**
 * Whether `role` (the connection's own when none is named) is a superuser, or the tables' owner or a member of its
 * role: either can switch the audit trail's append-only trigger off whatever is granted. Undefined: no such role.
 */
export async function auditPowers(client: Queryable, role?: string): Promise<{ role: string; super: boolean; owner: boolean } | undefined> {
  const { rows } = await client.query<{ role: string; super: boolean; owner: boolean }>(
    "SELECT r.rolname AS role, r.rolsuper AS super, pg_has_role(r.oid, c.relowner, 'MEMBER') AS owner FROM pg_roles r, pg_class c WHERE r.rolname = COALESCE($1::text, current_user::text) AND c.oid = 'mt_audit'::regclass",
    [role ?? null],
  );
  return rows[0];
}

/**
 * Lets `role` run the service on these tables without owning them: read and write every table, but only read
 * and append to the audit trail. Its owner could switch the append-only trigger off (ALTER TABLE ... DISABLE
 * TRIGGER); a role that is not the owner cannot, nor update, delete or truncate a row of it. Tables of later
 * migrations, applied by the owner, get the same rights.
 */
export async function grantServiceRole(client: Queryable, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new UsageError(`${role}: a role name here is lowercase letters, digits and underscores`);
  const who = await auditPowers(client, role);
  if (!who) throw new UsageError(`--service-role ${role}: no such role: create it first (CREATE ROLE ${role} LOGIN PASSWORD '…'), then migrate again`);
  if (who.super || who.owner)
    throw new UsageError(
      `--service-role ${role}: ${who.super ? "a superuser" : "the tables' owner, or a member of its role"} can switch the audit trail's protection off: give a role of the service's own, neither a superuser nor the tables' owner (CREATE ROLE moneytrail_service LOGIN PASSWORD '…')`,
    );
  const { rows } = await client.query<{ schema: string }>("SELECT current_schema() AS schema");
  const schema = `"${rows[0]!.schema.replace(/"/g, '""')}"`;
  const r = `"${role}"`;
  for (const sql of [
    `GRANT USAGE ON SCHEMA ${schema} TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${r}`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON mt_audit FROM ${r}`,
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON mt_schema_migrations FROM ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${r}`,
  ])
    await client.query(sql);
}
