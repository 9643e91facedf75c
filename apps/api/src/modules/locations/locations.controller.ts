import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../common/auth/actor';
import { CurrentActor, Roles } from '../../common/auth/decorators';
import { DEFAULT_NEARBY_RADIUS_METERS, DriverStatusDto, NearbyQueryDto } from './locations.dto';
import { LocationsService } from './locations.service';
import { NearbyCabsService } from './nearby-cabs.service';

@ApiTags('locations')
@ApiBearerAuth()
@Controller()
export class LocationsController {
  constructor(
    private readonly locations: LocationsService,
    private readonly cabs: NearbyCabsService,
  ) {}

  /** REST mirror of `driver:status`, for clients that cannot hold a socket. */
  @Post('drivers/me/status')
  @HttpCode(200)
  @Roles('driver')
  setStatus(@CurrentActor() actor: Actor, @Body() body: DriverStatusDto) {
    return this.locations.setStatus(actor, body.status);
  }

  @Get('cabs/nearby')
  @Roles('rider', 'admin')
  nearby(@Query() query: NearbyQueryDto) {
    return this.cabs.nearby(query.lat, query.lng, query.radius ?? DEFAULT_NEARBY_RADIUS_METERS);
  }
}
