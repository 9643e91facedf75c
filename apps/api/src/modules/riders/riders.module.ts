import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RiderEntity } from './rider.entity';
import { RidersController } from './riders.controller';
import { RidersRepository } from './riders.repository';
import { RidersService } from './riders.service';

@Module({
  imports: [TypeOrmModule.forFeature([RiderEntity])],
  controllers: [RidersController],
  providers: [RidersRepository, RidersService],
  exports: [RidersService],
})
export class RidersModule {}
