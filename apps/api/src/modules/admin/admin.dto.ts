import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CAB_TYPES, DriverStatus } from '@app/contracts';

export class AdminPageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AdminDriversQuery extends AdminPageQuery {
  @ApiPropertyOptional({ enum: Object.values(DriverStatus) })
  @IsOptional()
  @IsIn(Object.values(DriverStatus))
  status?: DriverStatus;

  @ApiPropertyOptional({ enum: CAB_TYPES })
  @IsOptional()
  @IsIn(CAB_TYPES)
  cabType?: string;
}
