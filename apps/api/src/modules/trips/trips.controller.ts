import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../common/auth/actor';
import { CurrentActor, Roles } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/http/uuid-param';
import { PricingService } from '../pricing/pricing.service';
import { EstimateQueryDto } from './estimate.dto';
import { CancelTripDto, ListTripsQueryDto, RequestTripDto, StartTripDto } from './trips.dto';
import { TripsService } from './trips.service';

@ApiTags('trips')
@ApiBearerAuth()
@Controller('trips')
export class TripsController {
  constructor(
    private readonly trips: TripsService,
    private readonly pricing: PricingService,
  ) {}

  /** Declared before `:id` so that Express matches it first. */
  @Get('estimate')
  @Roles('rider', 'admin')
  estimate(@Query() q: EstimateQueryDto) {
    return this.pricing.estimate(
      { lat: q.pickupLat, lng: q.pickupLng },
      { lat: q.dropoffLat, lng: q.dropoffLng },
    );
  }

  @Post()
  @Roles('rider')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  request(
    @CurrentActor() actor: Actor,
    @Body() body: RequestTripDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (
      idempotencyKey !== undefined &&
      (idempotencyKey.length === 0 || idempotencyKey.length > 128)
    ) {
      throw DomainError.validation([
        { field: 'Idempotency-Key', messages: ['must be 1-128 characters'] },
      ]);
    }
    return this.trips.request(actor, body, idempotencyKey);
  }

  @Get()
  @Roles('rider', 'driver')
  list(@CurrentActor() actor: Actor, @Query() query: ListTripsQueryDto) {
    return this.trips.list(actor, query);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string) {
    return this.trips.get(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('rider', 'driver')
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParam) id: string,
    @Body() body: CancelTripDto,
  ) {
    return this.trips.cancel(actor, id, body.reason);
  }

  @Post(':id/arrive')
  @HttpCode(200)
  @Roles('driver')
  arrive(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string) {
    return this.trips.arrive(actor, id);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles('driver')
  start(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParam) id: string,
    @Body() body: StartTripDto,
  ) {
    return this.trips.start(actor, id, body.pickupCode);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Roles('driver')
  complete(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string) {
    return this.trips.complete(actor, id);
  }
}
