// Hot reload: the rule-set directory is watched; a changed set is validated whole and put in force without a
// restart, or refused with its errors while the set in force stays. The status says which, for the API and logs.
import { watch, type FSWatcher } from "node:fs";
import { loadRuleSet, type RuleSet } from "./ruleset.js";

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
}

export class RuleSetWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private current: RuleSet;
  readonly status: RulesStatus;

  constructor(private readonly o: WatchOptions) {
    this.current = o.current;
    this.status = { id: o.current.id, version: o.current.version, loadedAt: new Date().toISOString() };
  }

  start(): void {
    this.watcher = watch(this.o.dir, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.check(), this.o.debounceMs ?? 300);
    });
  }

  /** Reads the directory now; returns the set in force afterwards. */
  check(): RuleSet {
    let rs: RuleSet;
    try {
      rs = loadRuleSet(this.o.dir);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
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

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
