import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DriverEntity, VehicleEntity } from './driver.entity';
import { DriversController } from './drivers.controller';
import { DriversRepository } from './drivers.repository';
import { DriversService } from './drivers.service';

@Module({
  imports: [TypeOrmModule.forFeature([DriverEntity, VehicleEntity])],
  controllers: [DriversController],
  providers: [DriversRepository, DriversService],
  exports: [DriversService],
})
export class DriversModule {}
