import { Pool } from 'pg';
import type { PoolAdapter } from '../../../runtime/db-connections/adapter';
import { detectPool } from '../../../runtime/db-connections/detect';
import {
  attachPool,
  managedPoolCount,
  poolEnvironment,
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
  private readonly idleListeners: (() => void)[] = [];

  busyCount(): number {
    return this.busy;
  }
  async releaseIdle(): Promise<void> {
    if (this.failRelease) throw new Error('release failed');
    this.released += this.idle;
    this.idle = 0;
  }
  prepareForInvocation(): void {
    this.prepared++;
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

async function invocation(requestId: string, during?: () => Promise<void> | void): Promise<void> {
  runInvocationStartHooks(requestId);
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
