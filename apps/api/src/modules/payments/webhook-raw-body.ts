import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';

export const WEBHOOK_PATH = '/payments/webhook';
const MAX_WEBHOOK_BYTES = 64 * 1024;

/**
 * Keeps the webhook's body as the exact bytes received (`req.body` is a Buffer there), because
 * its signature is over those bytes. Registered on Express when this provider is created,
 * which is before Nest adds its JSON parser in `app.init()`: the JSON parser then finds the
 * body already read and leaves it alone. Scoped to the one path; every other route is as before.
 * (Nest's `rawBody: true` in NestFactory.create would also do, for every route.)
 */
@Injectable()
export class WebhookRawBody {
  constructor(adapterHost: HttpAdapterHost) {
    const app = adapterHost.httpAdapter?.getInstance?.() as
      { use?: (path: string, fn: unknown) => void } | undefined;
    app?.use?.(WEBHOOK_PATH, readRawBody);
  }
}

function readRawBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BYTES) {
      res.status(413).json({ statusCode: 413, error: 'BAD_REQUEST', message: 'body too large' });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_WEBHOOK_BYTES) return;
    (req as Request & { body: Buffer }).body = Buffer.concat(chunks);
    next();
  });
  req.on('error', next);
}
