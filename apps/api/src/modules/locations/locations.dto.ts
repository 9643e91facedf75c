import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsLat, IsLng } from '../../common/http/coordinates';

export class DriverStatusDto {
  @ApiProperty({ enum: ['AVAILABLE', 'OFFLINE'] })
  @IsIn(['AVAILABLE', 'OFFLINE'])
  status!: 'AVAILABLE' | 'OFFLINE';
}

export const DEFAULT_NEARBY_RADIUS_METERS = 3_000;
export const MAX_NEARBY_RADIUS_METERS = 10_000;

/** A point and a radius; used by GET /cabs/nearby (query strings) and `cabs:watch`. */
export class NearbyQueryDto {
  @IsLat()
  lat!: number;

  @IsLng()
  lng!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_NEARBY_RADIUS_METERS, default: 3000 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(MAX_NEARBY_RADIUS_METERS)
  radius?: number;
}
