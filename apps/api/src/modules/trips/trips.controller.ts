import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../common/auth/actor';
import { CurrentActor, Roles } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { UuidParam } from '../../common/http/uuid-param';
import { PricingService } from '../pricing/pricing.service';
import { EstimateQueryDto } from './estimate.dto';
import { RatingsService } from './ratings.service';
import {
  CancelTripDto,
  ListTripsQueryDto,
  RateTripDto,
  RequestTripDto,
  StartTripDto,
} from './trips.dto';
import { TripsService } from './trips.service';

@ApiTags('trips')
@ApiBearerAuth()
@Controller('trips')
export class TripsController {
  constructor(
    private readonly trips: TripsService,
    private readonly pricing: PricingService,
    private readonly ratings: RatingsService,
  ) {}

  /** Declared before `:id` so that Express matches it first. */
  @Get('estimate')
  @Roles('rider', 'admin')
  @ApiOperation({
    summary: 'Fares per cab type, each with a quoteId to book it at that price',
    description:
      'A quote is valid for QUOTE_TTL_SECONDS (120 s by default) for its rider, cab type and route.',
  })
  estimate(@CurrentActor() actor: Actor, @Query() q: EstimateQueryDto) {
    return this.pricing.estimate(
      actor,
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

  @Post(':id/rating')
  @Roles('rider')
  @ApiOperation({ summary: "The rider rates the trip's driver (once, after COMPLETED)" })
  rateDriver(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParam) id: string,
    @Body() body: RateTripDto,
  ) {
    return this.ratings.rate(actor, id, body.rating, body.feedback);
  }

  @Post(':id/rider-rating')
  @Roles('driver')
  @ApiOperation({ summary: 'The driver rates the rider (once, after COMPLETED)' })
  rateRider(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParam) id: string,
    @Body() body: RateTripDto,
  ) {
    return this.ratings.rate(actor, id, body.rating, body.feedback);
  }
}
