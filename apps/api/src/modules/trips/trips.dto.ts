import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  Max,
  Min,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CAB_TYPES, CabType, PaymentMethod, TripStatus } from '@app/contracts';
import { LatLngDto } from '../../common/http/coordinates';
import { PageQuery } from '../../common/http/page-query';

const PAYMENT_METHODS = Object.values(PaymentMethod);

export class RequestTripDto {
  @ApiProperty({ type: LatLngDto })
  @IsObject()
  @ValidateNested()
  @Type(() => LatLngDto)
  pickup!: LatLngDto;

  @ApiProperty({ type: LatLngDto })
  @IsObject()
  @ValidateNested()
  @Type(() => LatLngDto)
  dropoff!: LatLngDto;

  @ApiProperty({ enum: CAB_TYPES })
  @IsIn(CAB_TYPES)
  cabType!: CabType;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  paymentMethod!: PaymentMethod;

  @ApiPropertyOptional({
    description:
      'a quoteId from GET /trips/estimate (yours, unexpired, same cab type and route): the trip keeps its fare and surge',
  })
  @IsOptional()
  @IsUUID()
  quoteId?: string;

  @ApiPropertyOptional({
    description:
      'CARD only: the card to charge. Sandbox test cards: tok_visa (default), tok_declined, tok_transient',
    example: 'tok_visa',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,100}$/, {
    message: 'paymentMethodToken must be a token such as tok_visa',
  })
  paymentMethodToken?: string;
}

export class RateTripDto {
  @ApiProperty({ minimum: 1, maximum: 5, example: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  feedback?: string;
}

/** `trip:request` carries the idempotency key in the payload instead of a header. */
export class SocketRequestTripDto extends RequestTripDto {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  idempotencyKey?: string;
}

export class CancelTripDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class StartTripDto {
  @ApiProperty({ example: '4821' })
  @Matches(/^[0-9]{4}$/, { message: 'pickupCode must be 4 digits' })
  pickupCode!: string;
}

export class TripIdDto {
  @IsUUID()
  tripId!: string;
}

export class SocketCancelDto extends TripIdDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class SocketStartDto extends TripIdDto {
  @Matches(/^[0-9]{4}$/, { message: 'pickupCode must be 4 digits' })
  pickupCode!: string;
}

export class ListTripsQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: Object.values(TripStatus) })
  @IsOptional()
  @IsIn(Object.values(TripStatus))
  status?: TripStatus;
}

export class AdminTripsQuery extends ListTripsQueryDto {
  @ApiPropertyOptional({ description: 'created at or after (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiPropertyOptional({ description: 'created before (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  riderId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  driverId?: string;
}
