import { DiagnosticsFailure } from '../../../src/errors.js';
import type {
  BackendKey,
  BackendView,
  DatabaseSnapshot,
  RedisView,
  SignalResult,
  SlowQueries,
} from '../../../src/runbook/database-views.js';
import type { BackendSignals, DatabaseDiagnostics, RedisDiagnostics } from '../../../src/runbook/diag-ports.js';
import type { ManualClock } from './clock.js';

/** A signal the fake server accepted. */
export interface SentSignal {
  readonly database: string;
  readonly pid: number;
  readonly signal: 'cancel' | 'terminate';
}

interface Db {
  readonly datname: string;
  readonly backends: Map<number, BackendView>;
  statements: SlowQueries;
}

/**
 * Databases in memory, on the test's clock: backends as `pg_stat_activity` shows them (times as
 * UTC ISO text to the microsecond), and signals that act as the server's do. A cancel ends an
 * active statement (unless the backend is `stubborn`), a terminate ends the session; both are sent
 * only while the pid, backend start, query start and state match; a superuser's session refuses.
 */
export class MemoryDatabases implements DatabaseDiagnostics, BackendSignals {
  readonly dbs = new Map<string, Db>();
  readonly sent: SentSignal[] = [];
  /** Pids whose statement ignores a cancel (it catches query_canceled and goes on). */
  readonly stubborn = new Set<number>();
  private nextPid = 4000;
  private micros = 0;
  private readonly failures: { database: string; error: Error }[] = [];

  constructor(private readonly clock: ManualClock) {}

  /** A time on the clock, `agoMs` ago, to the microsecond (each one distinct, as the server's are). */
  iso(agoMs = 0): string {
    const ms = this.clock.now().getTime() - agoMs;
    this.micros = (this.micros + 1) % 1000;
    return new Date(ms).toISOString().replace('Z', `${String(this.micros).padStart(3, '0')}Z`);
  }

  addDatabase(name: string, datname = name.replace(/-/g, '_')): void {
    this.dbs.set(name, { datname, backends: new Map(), statements: { available: false, reason: 'not installed' } });
  }

  /** A backend of `name` running (by default) an active statement for `forMs`. */
  add(name: string, b: Partial<BackendView> & { forMs?: number } = {}): BackendView {
    const db = this.db(name);
    const { forMs = 60_000, ...rest } = b;
    const started = this.iso(forMs);
    const view: BackendView = {
      pid: this.nextPid++,
      database: db.datname,
      user: 'app',
      application: 'api-server',
      client: '10.0.3.7',
      backendType: 'client backend',
      state: 'active',
      waitEvent: null,
      backendStart: this.iso(forMs + 60_000),
      xactStart: started,
      queryStart: started,
      stateChange: started,
      query: "SELECT * FROM reports WHERE owner = 'dana@example.com'",
      superuser: false,
      self: false,
      blockedBy: [],
      waitingSince: null,
      ...rest,
    };
    db.backends.set(view.pid, view);
    return view;
  }

  /** Changes a backend as the server would (its statement ended, a new one started, the session ended…). */
  change(pid: number, changes: Partial<BackendView>): void {
    for (const db of this.dbs.values()) {
      const b = db.backends.get(pid);
      if (b) db.backends.set(pid, { ...b, ...changes });
    }
  }

  /** The session ends. */
  disconnect(pid: number): void {
    for (const db of this.dbs.values()) db.backends.delete(pid);
  }

  setStatements(name: string, statements: SlowQueries): void {
    this.db(name).statements = statements;
  }

  /** The next call on `name` fails with `error`. */
  failNext(name: string, error: Error): void {
    this.failures.push({ database: name, error });
  }

  backend(pid: number): BackendView | undefined {
    for (const db of this.dbs.values()) if (db.backends.has(pid)) return db.backends.get(pid);
    return undefined;
  }

  async snapshot(name: string): Promise<DatabaseSnapshot> {
    const db = this.db(name);
    const backends = [...db.backends.values()];
    return {
      database: db.datname,
      now: this.iso(),
      serverVersion: 150000,
      connections: { total: [...this.dbs.values()].reduce((n, d) => n + d.backends.size, 0), max: 100, reserved: 3 },
      backends,
    };
  }

  async slowQueries(name: string): Promise<SlowQueries> {
    return this.db(name).statements;
  }

  async signal(name: string, keys: readonly BackendKey[], signal: 'cancel' | 'terminate'): Promise<SignalResult[]> {
    const db = this.db(name);
    return keys.map((key) => {
      const b = db.backends.get(key.pid);
      if (!b || b.self) return { key, found: null, signalled: false };
      const found = { backendStart: b.backendStart, queryStart: b.queryStart, state: b.state };
      const same = b.backendStart === key.backendStart && b.queryStart === key.queryStart && b.state === key.state;
      if (!same) return { key, found, signalled: false };
      if (b.superuser) return { key, found: null, signalled: false, refused: 'must be a superuser to signal it' };
      this.sent.push({ database: name, pid: b.pid, signal });
      if (signal === 'terminate') db.backends.delete(b.pid);
      else if (b.state === 'active' && !this.stubborn.has(b.pid))
        db.backends.set(b.pid, { ...b, state: 'idle', stateChange: this.iso(), xactStart: null });
      return { key, found, signalled: true };
    });
  }

  private db(name: string): Db {
    const i = this.failures.findIndex((f) => f.database === name);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
    const db = this.dbs.get(name);
    if (!db) throw new DiagnosticsFailure('not_configured', `Firebreak has no connection for database ${name}.`);
    return db;
  }
}

/** Redis in memory: what INFO and SLOWLOG answer. */
export class MemoryRedis implements RedisDiagnostics {
  readonly servers = new Map<string, RedisView>();

  async info(name: string, entries: number): Promise<RedisView> {
    const view = this.servers.get(name);
    if (!view) throw new DiagnosticsFailure('not_configured', `Firebreak has no connection for redis ${name}.`);
    return { info: view.info, slowlog: view.slowlog.slice(0, entries) };
  }
}
