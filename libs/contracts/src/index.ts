export * from './errors';
export * from './accounts';
export * from './trips';
export * from './payments';
export * from './queues';
export * from './sockets';
export * from './admin-feed';
