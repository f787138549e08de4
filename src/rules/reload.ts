// Hot reload: the rule-set directory is watched; a changed set is validated whole and put in force without a
// restart, or refused with its errors while the set in force stays. The status says which, for the API and logs.
import { readFileSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { checkNotEmptied, isRuleFileName, loadRuleSet, type RuleSet } from "./ruleset.js";

export interface RulesStatus {
  id: string;
  version: string;
  loadedAt: string;
  /** the latest refused change, until a later change is accepted */
  lastRefusal?: { at: string; message: string };
}

export interface WatchOptions {
  dir: string;
  current: RuleSet;
  /** a valid set with another version: put it in force */
  onChange: (rs: RuleSet) => void;
  /** an invalid set: the current one stays */
  onRefused: (message: string) => void;
  /** changes closer together than this are read once (an editor writes a file in several steps) */
  debounceMs?: number;
  /**
   * How often the files are also read to see whether they changed. The watch alone misses changes: it watches the
   * directory it found at start, so a deploy that swaps a symlink to a new directory, or replaces the directory, is
   * never seen (nor any save after it, the page's included); and a shared volume (NFS) reports no change made on
   * another host.
   */
  pollMs?: number;
}

export class RuleSetWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private current: RuleSet;
  /** the files as the latest check read them (fingerprint) */
  private seen: string;
  readonly status: RulesStatus;

  constructor(private readonly o: WatchOptions) {
    this.current = o.current;
    this.status = { id: o.current.id, version: o.current.version, loadedAt: new Date().toISOString() };
    this.seen = this.fingerprint();
  }

  start(): void {
    this.watcher = watch(this.o.dir, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.check(), this.o.debounceMs ?? 300);
    });
    // reading the files is cheap; validating them (milliseconds, on the consumer's thread) is done when they changed
    this.poll = setInterval(() => {
      if (this.fingerprint() !== this.seen) this.check();
    }, this.o.pollMs ?? 5000).unref();
  }

  /** A hash of the rule files' names and texts as the directory holds them now, or of why they cannot be read. */
  private fingerprint(): string {
    const h = createHash("sha256");
    try {
      for (const f of readdirSync(this.o.dir).filter(isRuleFileName).sort()) h.update(`${f}\0${readFileSync(join(this.o.dir, f), "utf8")}\0`);
    } catch (err) {
      h.update(`unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
    return h.digest("hex");
  }

  /** Reads the directory now; returns the set in force afterwards. */
  check(): RuleSet {
    this.seen = this.fingerprint();
    let rs: RuleSet;
    try {
      rs = loadRuleSet(this.o.dir);
      checkNotEmptied(rs, this.current, this.o.dir);
    } catch (err) {
      const message = this.unreadable(err) ?? (err instanceof Error ? err.message : String(err));
      if (this.status.lastRefusal?.message !== message) {
        this.status.lastRefusal = { at: new Date().toISOString(), message };
        this.o.onRefused(message);
      }
      return this.current;
    }
    if (rs.version === this.current.version) {
      this.status.lastRefusal = undefined;
      return this.current;
    }
    this.current = rs;
    Object.assign(this.status, { id: rs.id, version: rs.version, loadedAt: new Date().toISOString(), lastRefusal: undefined });
    this.o.onChange(rs);
    return rs;
  }

  /**
   * Why the rules directory itself cannot be read (removed, renamed, a link to nothing, no permission), saying what
   * to do; undefined for any other error (a rule file's, which says its own).
   */
  private unreadable(err: unknown): string | undefined {
    const { code, path } = err as NodeJS.ErrnoException;
    if (path !== this.o.dir || code === undefined) return undefined;
    const why =
      code === "EACCES" || code === "EPERM"
        ? `cannot be read by this process (${code}): give the service's user read access to it`
        : `is not there (${code}: removed or renamed, or a link to a directory that is not there): put the rule files back at ${this.o.dir}, or the link to a directory holding them`;
    return `rules directory ${this.o.dir} ${why}. The rule set in force (${this.current.id}, version ${this.current.version}) stays; the directory is read again every ${(this.o.pollMs ?? 5000) / 1000} s and a valid set found there put in force`;
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.watcher?.close();
  }
}
