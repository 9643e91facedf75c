import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { DriversModule } from '../drivers/drivers.module';
import { RidersModule } from '../riders/riders.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [RidersModule, DriversModule, AdminModule],
  controllers: [AuthController],
  providers: [AuthService],
})
export class AuthModule {}
