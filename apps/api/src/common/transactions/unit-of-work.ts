import { InjectTransactionHost, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';

/** The ambient transaction that repositories read (`txHost.tx`), typed for TypeORM. */
export type Db = TransactionHost<TransactionalAdapterTypeOrm>;

const EFFECTS = Symbol('unit-of-work.effects');

/**
 * A use case that spans repositories runs as one unit of work: one transaction, which the
 * repositories join through the ambient `TransactionHost` (`@nestjs-cls/transactional`), and
 * effects (events, socket pushes, metrics) that run only once the outermost transaction has
 * committed, never for a rolled-back one. No `EntityManager` crosses a module or a service
 * signature; services say what belongs together, repositories hold the SQL.
 *
 * Not `@Transactional()`: its effects would fire inside the transaction. `run` is that decorator
 * plus an after-commit queue.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @InjectTransactionHost() private readonly db: Db,
    private readonly cls: ClsService,
  ) {}

  /** Runs `work` in one transaction, joining the caller's when there is one. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.db.isTransactionActive()) return work();
    const effects: (() => void)[] = [];
    // `inherit` copies the parent context (if any), so concurrent units never share a queue.
    const result = await this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set(EFFECTS, effects);
      return this.db.withTransaction(work);
    });
    for (const effect of effects) effect();
    return result;
  }

  /** Whether the caller runs inside a unit of work (its writes commit together). */
  inTransaction(): boolean {
    return this.db.isTransactionActive();
  }

  /** Runs `effect` after the current unit of work commits, or now when there is none. */
  afterCommit(effect: () => void): void {
    const queue = this.db.isTransactionActive()
      ? (this.cls.get(EFFECTS) as (() => void)[] | undefined)
      : undefined;
    if (queue) queue.push(effect);
    else effect();
  }
}
