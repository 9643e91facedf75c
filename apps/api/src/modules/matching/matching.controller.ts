import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../common/auth/actor';
import { CurrentActor, Roles } from '../../common/auth/decorators';
import { UuidParam } from '../../common/http/uuid-param';
import { OfferAnswersService } from './offer-answers.service';

/** REST mirrors of `trip:accept` and `trip:deny`. */
@ApiTags('drivers')
@ApiBearerAuth()
@Roles('driver')
@Controller('trips')
export class MatchingController {
  constructor(private readonly answers: OfferAnswersService) {}

  @Post(':id/accept')
  @HttpCode(200)
  accept(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string) {
    return this.answers.accept(actor, id);
  }

  @Post(':id/deny')
  @HttpCode(200)
  deny(@CurrentActor() actor: Actor, @Param('id', UuidParam) id: string) {
    return this.answers.deny(actor, id);
  }
}
