import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
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
