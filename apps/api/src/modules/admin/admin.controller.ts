import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { AdminService } from './admin.service';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => DomainError.validation([{ field: 'id', messages: ['must be a UUID'] }]),
});

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('stats')
  stats() {
    return this.admin.overview();
  }

  @Post('drivers/:id/suspend')
  @HttpCode(200)
  suspend(@Param('id', uuid) id: string) {
    return this.admin.suspend(id);
  }

  @Post('drivers/:id/reinstate')
  @HttpCode(200)
  reinstate(@Param('id', uuid) id: string) {
    return this.admin.reinstate(id);
  }
}
