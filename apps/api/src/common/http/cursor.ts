import { DomainError } from '../errors/domain-error';

/** Opaque keyset cursors over (createdAt, id), newest first. */
export function encodeCursor(last: { createdAt: Date; id: string }): string {
  return Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw DomainError.validation([
      { field: 'cursor', messages: ['is not a cursor from this API'] },
    ]);
  }
  return { createdAt, id };
}

export function page<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
