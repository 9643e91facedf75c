import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAccountsService } from './admin-accounts.service';
import { AdminEntity } from './admin.entity';
import { AdminGateway } from './admin.gateway';
import { AdminRepository } from './admin.repository';

@Module({
  imports: [TypeOrmModule.forFeature([AdminEntity])],
  providers: [AdminRepository, AdminAccountsService, AdminGateway],
  exports: [AdminAccountsService],
})
export class AdminModule {}
