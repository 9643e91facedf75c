import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RiderView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { CurrentActor, Roles } from '../../common/auth/decorators';
import { RidersService } from './riders.service';

@ApiTags('riders')
@ApiBearerAuth()
@Controller('riders')
export class RidersController {
  constructor(private readonly riders: RidersService) {}

  @Get('me')
  @Roles('rider')
  async me(@CurrentActor() actor: Actor): Promise<{ rider: RiderView }> {
    return { rider: await this.riders.me(actor) };
  }
}
