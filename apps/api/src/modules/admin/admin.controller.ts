import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/decorators';
import { UuidParam } from '../../common/http/uuid-param';
import { AdminTripsQuery } from '../trips/trips.dto';
import { AdminDriversQuery, AdminPageQuery } from './admin.dto';
import { AdminService } from './admin.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('stats')
  stats() {
    return this.admin.overview();
  }

  @Get('trips')
  trips(@Query() query: AdminTripsQuery) {
    return this.admin.listTrips(query);
  }

  @Get('trips/:id')
  trip(@Param('id', UuidParam) id: string) {
    return this.admin.trip(id);
  }

  @Get('drivers')
  drivers(@Query() query: AdminDriversQuery) {
    return this.admin.listDrivers(query);
  }

  @Get('drivers/:id')
  driver(@Param('id', UuidParam) id: string) {
    return this.admin.driver(id);
  }

  @Get('riders')
  riders(@Query() query: AdminPageQuery) {
    return this.admin.riders(query);
  }

  @Post('drivers/:id/suspend')
  @HttpCode(200)
  suspend(@Param('id', UuidParam) id: string) {
    return this.admin.suspend(id);
  }

  @Post('drivers/:id/reinstate')
  @HttpCode(200)
  reinstate(@Param('id', UuidParam) id: string) {
    return this.admin.reinstate(id);
  }
}
