import { Pool } from 'pg';
import type { PoolAdapter } from '../../../runtime/db-connections/adapter';
import { detectPool } from '../../../runtime/db-connections/detect';
import {
  attachPool,
  managedPoolCount,
  poolEnvironment,
  REOPEN_WAIT_MS,
  resetPoolLifecycle,
} from '../../../runtime/db-connections/lifecycle';
import { runInvocationEndHooks, runInvocationStartHooks } from '../../../runtime/handler/invocation-hooks';

// The lifecycle's decisions, with a scripted adapter standing in for a driver (the drivers
// themselves are exercised against real servers in pg/mysql2/mariadb/redis/mongodb.test.ts).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ScriptedPool implements PoolAdapter {
  readonly driver = 'scripted';
  idle = 0;
  busy = 0;
  released = 0;
  prepared = 0;
  reason: string | undefined;
  failRelease = false;
  /** What prepareForInvocation returns: a client being reopened, when set. */
  reopening: Promise<void> | undefined;
  reopens: boolean | undefined;
  private readonly idleListeners: (() => void)[] = [];

  busyCount(): number {
    return this.busy;
  }
  async releaseIdle(): Promise<void> {
    if (this.failRelease) throw new Error('release failed');
    this.released += this.idle;
    this.idle = 0;
  }
  prepareForInvocation(): Promise<void> | undefined {
    this.prepared++;
    return this.reopening;
  }
  onIdle(listener: () => void): void {
    this.idleListeners.push(listener);
  }
  leftAloneReason(): string | undefined {
    return this.reason;
  }
  /** A busy connection turns idle, and the driver says so. */
  finishOne(): void {
    this.busy--;
    this.idle++;
    for (const listener of this.idleListeners) listener();
  }
}

/** A client whose driver shows when the application uses it (PoolAdapter.used). */
class UsedScriptedPool extends ScriptedPool {
  override reopens = true;
  uses = 0;
  used(): boolean {
    const used = this.uses > 0;
    this.uses = 0;
    return used;
  }
}

async function invocation(requestId: string, during?: () => Promise<void> | void): Promise<void> {
  // As the adapter does: the handler runs once what the start hooks wait for is done.
  await runInvocationStartHooks(requestId);
  await during?.();
  await runInvocationEndHooks(requestId, 60_000);
}

describe('pool lifecycle', () => {
  let warnings: jest.SpyInstance;
  let errors: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(console, 'warn').mockImplementation(() => {});
    errors = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    resetPoolLifecycle();
    warnings.mockRestore();
    errors.mockRestore();
  });

  test('closes the idle connections when an invocation ends', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 100, 'lambda');
    await invocation('req-1', () => {
      pool.idle = 3;
    });
    expect(pool.released).toBe(3);
    expect(pool.prepared).toBe(1);
  });

  test('waits within the grace for a busy connection to turn idle, then closes it too', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 2_000, 'lambda');
    await invocation('req-2', () => {
      pool.busy = 1;
      setTimeout(() => {
        pool.busy = 0;
        pool.idle = 1;
      }, 30);
    });
    expect(pool.released).toBe(1);
  });

  test('leaves a connection still busy at the end of the grace open', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 30, 'lambda');
    const started = Date.now();
    await invocation('req-3', () => {
      pool.busy = 1;
    });
    expect(pool.busy).toBe(1);
    expect(pool.released).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('closes a connection that turns idle between invocations at once', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 10, 'lambda');
    await invocation('req-4', () => {
      pool.busy = 1;
    });
    pool.finishOne();
    await sleep(0);
    expect(pool.released).toBe(1);
  });

  test('finds a connection that turns idle between invocations by polling when the driver has no event', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 10, 'lambda');
    await invocation('req-5', () => {
      pool.busy = 1;
    });
    // Turns idle without telling anyone.
    pool.busy = 0;
    pool.idle = 1;
    for (let i = 0; i < 200 && pool.released === 0; i++) await sleep(10);
    expect(pool.released).toBe(1);
  });

  test('does not close a connection that turns idle during an invocation before it ends', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 10, 'lambda');
    runInvocationStartHooks('req-6');
    pool.busy = 1;
    pool.finishOne();
    await sleep(0);
    expect(pool.released).toBe(0);
    await runInvocationEndHooks('req-6', 60_000);
    expect(pool.released).toBe(1);
  });

  test('warns once, naming the reason, about a pool it leaves alone, and never releases it', async () => {
    const pool = new ScriptedPool();
    pool.reason = 'attachDatabasePool: this pool reopens idle connections by itself';
    attachPool({}, () => pool, 10, 'lambda');
    for (const id of ['req-7a', 'req-7b', 'req-7c']) {
      await invocation(id, () => {
        pool.idle = 2;
      });
    }
    expect(pool.released).toBe(0);
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings).toHaveBeenCalledWith(
      expect.stringContaining('this pool reopens idle connections by itself'),
    );
  });

  test('logs a failing release with the request id and never throws', async () => {
    const pool = new ScriptedPool();
    pool.failRelease = true;
    attachPool({}, () => pool, 10, 'lambda');
    await expect(invocation('req-8')).resolves.toBeUndefined();
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('releasing scripted idle connections failed (request req-8)'),
      expect.objectContaining({ message: 'release failed' }),
    );
  });

  test('manages a pool attached twice only once', async () => {
    const target = {};
    let created = 0;
    const pool = new ScriptedPool();
    const create = () => {
      created++;
      return pool;
    };
    attachPool(target, create, 10, 'lambda');
    attachPool(target, create, 10, 'lambda');
    await invocation('req-9');
    expect(created).toBe(1);
    expect(pool.prepared).toBe(1);
  });

  test('forgets a pool once the application has ended it, when pools are made per request', async () => {
    // The review's leak: a pg pool created, attached and ended in every invocation. No server is
    // needed: an unused pg Pool opens no connection.
    for (let i = 0; i < 50; i++) {
      await invocation(`req-leak-${i}`, async () => {
        const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
        const createAdapter = detectPool(pool, () => {});
        if (!createAdapter) throw new Error('pg Pool not recognised');
        attachPool(pool, createAdapter, 100, 'lambda');
        expect(managedPoolCount()).toBe(1);
        await pool.end();
      });
    }
    expect(managedPoolCount()).toBe(0);
  });

  test('keeps managing a pool that has not ended', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 10, 'lambda');
    for (const id of ['req-keep-1', 'req-keep-2']) await invocation(id);
    expect(managedPoolCount()).toBe(1);
    expect(pool.prepared).toBe(2);
  });

  test('gives the invocation start nothing to await when no client is being reopened', async () => {
    const pool = new ScriptedPool();
    attachPool({}, () => pool, 10, 'lambda');
    const started = runInvocationStartHooks('req-nothing');
    expect(started).toBeUndefined();
    expect(pool.prepared).toBe(1);
    await runInvocationEndHooks('req-nothing', 1_000);
  });

  test('makes the invocation start wait until a client being reopened is ready', async () => {
    const pool = new ScriptedPool();
    let ready: () => void = () => {};
    pool.reopening = new Promise<void>((resolve) => {
      ready = resolve;
    });
    attachPool({}, () => pool, 10, 'lambda');
    let handlerMayRun = false;
    const started = runInvocationStartHooks('req-reopen')?.then(() => {
      handlerMayRun = true;
    });
    expect(started).toBeInstanceOf(Promise);
    await sleep(5);
    expect(handlerMayRun).toBe(false);
    ready();
    await started;
    expect(handlerMayRun).toBe(true);
    await runInvocationEndHooks('req-reopen', 1_000);
  });

  test('stops waiting for a client that is not ready after REOPEN_WAIT_MS, without failing the invocation', async () => {
    jest.useFakeTimers();
    try {
      const pool = new ScriptedPool();
      pool.reopening = new Promise<void>(() => {});
      attachPool({}, () => pool, 10, 'lambda');
      let handlerMayRun = false;
      const started = runInvocationStartHooks('req-slow')?.then(() => {
        handlerMayRun = true;
      });
      await jest.advanceTimersByTimeAsync(REOPEN_WAIT_MS - 1);
      expect(handlerMayRun).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await started;
      expect(handlerMayRun).toBe(true);
      pool.reopening = undefined;
      const ended = runInvocationEndHooks('req-slow', 1_000);
      await jest.runAllTimersAsync();
      await ended;
    } finally {
      jest.useRealTimers();
    }
  });

  test('keeps reopening a client attached during an invocation at later starts, as one attached at module init', async () => {
    // A client created on the first request and cached in module scope.
    const pool = new ScriptedPool();
    pool.reopens = true;
    const client = {};
    const handler = () => {
      attachPool(client, () => pool, 10, 'lambda');
      pool.idle = 1;
    };
    await invocation('req-lazy-0', handler);
    for (const id of ['req-lazy-1', 'req-lazy-2', 'req-lazy-3']) await invocation(id, handler);
    expect(pool.prepared).toBe(3);
    expect(pool.released).toBe(4);
    expect(warnings).not.toHaveBeenCalled();
  });

  test('keeps reopening clients attached during the same invocation (several cached on the first request)', async () => {
    const first = new ScriptedPool();
    const second = new ScriptedPool();
    first.reopens = true;
    second.reopens = true;
    await invocation('req-both', () => {
      attachPool({}, () => first, 10, 'lambda');
      attachPool({}, () => second, 10, 'lambda');
    });
    for (const id of ['req-both-1', 'req-both-2']) await invocation(id);
    expect([first.prepared, second.prepared]).toEqual([2, 2]);
  });

  test('stops reopening clients attached during invocations once a new one is attached while one from an earlier invocation exists', async () => {
    const pools: ScriptedPool[] = [];
    const perRequest = () => {
      const pool = new ScriptedPool();
      pool.reopens = true;
      pools.push(pool);
      attachPool({}, () => pool, 10, 'lambda');
    };
    for (let i = 0; i < 5; i++) await invocation(`req-per-request-${i}`, perRequest);
    // Only the first client is reopened, once: at the second start, before the pattern showed.
    expect(pools.map((pool) => pool.prepared)).toEqual([1, 0, 0, 0, 0]);
    await invocation('req-per-request-later');
    expect(pools.map((pool) => pool.prepared)).toEqual([1, 0, 0, 0, 0]);
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings).toHaveBeenCalledWith(
      expect.stringMatching(
        /new scripted client was attached during an invocation .*module init.*req-per-request-1/,
      ),
    );
  });

  test('keeps reopening clients cached on different requests, each used after the one that created it', async () => {
    const first = new UsedScriptedPool();
    const second = new UsedScriptedPool();
    const use = (pool: UsedScriptedPool) => {
      attachPool(pool, () => pool, 10, 'lambda');
      pool.uses++;
    };
    await invocation('req-cached-0', () => use(first));
    await invocation('req-cached-1', () => use(first));
    await invocation('req-cached-2', () => use(second));
    for (const id of ['req-cached-3', 'req-cached-4']) await invocation(id);
    expect([first.prepared, second.prepared]).toEqual([4, 2]);
    expect(warnings).not.toHaveBeenCalled();
  });

  test('reopens a client taken for a per-request one from the start after it is used again', async () => {
    const first = new UsedScriptedPool();
    const second = new UsedScriptedPool();
    await invocation('req-seen-0', () => attachPool(first, () => first, 10, 'lambda'));
    await invocation('req-seen-1');
    // Not used since the invocation that attached it: the pattern shows.
    await invocation('req-seen-2', () => attachPool(second, () => second, 10, 'lambda'));
    expect([first.prepared, second.prepared]).toEqual([2, 0]);
    await invocation('req-seen-3');
    expect(first.prepared).toBe(2);
    // Used while closed (that command fails): reopened from the next start on, for good.
    await invocation('req-seen-4', () => {
      first.uses++;
    });
    expect(first.prepared).toBe(2);
    for (const id of ['req-seen-5', 'req-seen-6']) await invocation(id);
    expect([first.prepared, second.prepared]).toEqual([4, 0]);
  });

  test('reopens a client no longer reopened when it is attached again, for that invocation only', async () => {
    const later = new ScriptedPool();
    later.reopens = true;
    const client = {};
    await invocation('req-first', () => {
      const first = new ScriptedPool();
      first.reopens = true;
      attachPool({}, () => first, 10, 'lambda');
    });
    await invocation('req-second', () => attachPool(client, () => later, 10, 'lambda'));
    await invocation('req-third');
    expect(later.prepared).toBe(0);
    await invocation('req-again', () => attachPool(client, () => later, 10, 'lambda'));
    expect(later.prepared).toBe(1);
    await invocation('req-after');
    expect(later.prepared).toBe(1);
  });

  test('keeps reopening a client attached at module init after clients are seen created per request', async () => {
    const atInit = new ScriptedPool();
    atInit.reopens = true;
    attachPool({}, () => atInit, 10, 'lambda');
    for (let i = 0; i < 3; i++) {
      await invocation(`req-mixed-${i}`, () => {
        const pool = new ScriptedPool();
        pool.reopens = true;
        attachPool({}, () => pool, 10, 'lambda');
      });
    }
    await invocation('req-mixed-later');
    expect(atInit.prepared).toBe(4);
  });

  test('keeps reopening a pool that reconnects by itself when it was attached during an invocation', async () => {
    const pool = new ScriptedPool();
    await invocation('req-attach-pg', () => attachPool({}, () => pool, 10, 'lambda'));
    for (const id of ['req-later-1', 'req-later-2']) await invocation(id);
    expect(pool.prepared).toBe(2);
  });

  test.each(['managed-instances', 'outside-lambda'] as const)(
    'leaves the pool alone when %s',
    async (environment) => {
      let created = 0;
      attachPool(
        {},
        () => {
          created++;
          return new ScriptedPool();
        },
        10,
        environment,
      );
      await invocation('req-10');
      expect(created).toBe(0);
    },
  );
});

describe('poolEnvironment', () => {
  test('is classic Lambda when a function name is set and no maximum concurrency', () => {
    expect(poolEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toBe('lambda');
  });

  test('is Managed Instances when AWS_LAMBDA_MAX_CONCURRENCY is set', () => {
    expect(poolEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_LAMBDA_MAX_CONCURRENCY: '8' })).toBe(
      'managed-instances',
    );
  });

  test('is outside Lambda without a function name (dev server, tests, scripts)', () => {
    expect(poolEnvironment({})).toBe('outside-lambda');
  });
});
