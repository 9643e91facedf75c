import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Global, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { UnitOfWork } from './unit-of-work';

/**
 * Ambient transactions: `TransactionHost` for repositories, `UnitOfWork` for use cases. The CLS
 * context is opened by `UnitOfWork.run` itself, so HTTP, socket and job entry points need no
 * middleware, and the ping path pays nothing.
 */
@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      plugins: [
        new ClsPluginTransactional({
          imports: [TypeOrmModule],
          adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
        }),
      ],
    }),
  ],
  providers: [UnitOfWork],
  exports: [UnitOfWork],
})
export class TransactionsModule {}
