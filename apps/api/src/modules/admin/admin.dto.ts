import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CAB_TYPES, DriverStatus } from '@app/contracts';
import { PageQuery } from '../../common/http/page-query';

export class AdminPageQuery extends PageQuery {}

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
