import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, Max, Min } from 'class-validator';

const finite = { allowNaN: false, allowInfinity: false };

/** A latitude in degrees; query strings are converted to numbers first. */
export const IsLat = (example = 51.5074) =>
  applyDecorators(
    ApiProperty({ minimum: -90, maximum: 90, example }),
    Type(() => Number),
    IsNumber(finite),
    Min(-90),
    Max(90),
  );

/** A longitude in degrees; query strings are converted to numbers first. */
export const IsLng = (example = -0.1278) =>
  applyDecorators(
    ApiProperty({ minimum: -180, maximum: 180, example }),
    Type(() => Number),
    IsNumber(finite),
    Min(-180),
    Max(180),
  );

/** `{ lat, lng }` in bodies. */
export class LatLngDto {
  @IsLat()
  lat!: number;

  @IsLng()
  lng!: number;
}
