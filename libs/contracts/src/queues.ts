/** BullMQ queue and job names, with their payloads, in one typed map. */
export const QueueName = {
  HEALTH: 'health',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface JobPayloads {
  [QueueName.HEALTH]: { requestedAt: number };
}

export interface JobResults {
  [QueueName.HEALTH]: { requestedAt: number; processedAt: number };
}
