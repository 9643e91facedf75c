import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public, Roles } from '../../common/auth/decorators';
import { UuidParam } from '../../common/http/uuid-param';
import { AdminPaymentsQuery, RefundDto } from './payments.dto';
import { PaymentsService } from './payments.service';
import { SIGNATURE_HEADER } from './webhook-signature';

@ApiTags('payments')
@Controller('payments')
export class PaymentsWebhookController {
  constructor(private readonly payments: PaymentsService) {}

  @Post('webhook')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Provider events (authorization, capture, release, refund outcomes)',
    description:
      'Signed as Stripe signs webhooks: `X-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` ' +
      'with PAYMENT_WEBHOOK_SECRET. A missing or bad signature, or a `t` more than 300 s old or ' +
      'in the future, is 401. An event is applied once by its `id`; a replay answers 200 and changes nothing.',
  })
  @ApiHeader({ name: SIGNATURE_HEADER, required: true })
  @ApiBody({ schema: { type: 'object', description: 'PaymentWebhookEvent (libs/contracts)' } })
  webhook(@Req() req: Request, @Headers(SIGNATURE_HEADER) signature?: string) {
    return this.payments.receiveWebhook(req.body as unknown, signature);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/payments')
export class AdminPaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  list(@Query() query: AdminPaymentsQuery) {
    return this.payments.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A payment with its provider operations and webhook events' })
  detail(@Param('id', UuidParam) id: string) {
    return this.payments.detail(id);
  }

  @Post(':id/refund')
  @ApiOperation({
    summary: 'Refund a captured payment, fully (no amount) or partly; never more than captured',
  })
  refund(@Param('id', UuidParam) id: string, @Body() body: RefundDto) {
    return this.payments.refund(id, body.amount, body.reason);
  }
}
