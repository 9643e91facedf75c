import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/decorators';
import { SurgeService } from './surge.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/surge')
export class AdminSurgeController {
  constructor(private readonly surge: SurgeService) {}

  @Get()
  @ApiOperation({
    summary: 'Surge cells (geohash precision 6) with demand, effective supply, multiplier',
  })
  list() {
    return this.surge.list();
  }
}
