export * from './errors';
export * from './accounts';
export * from './trips';
export * from './queues';
export * from './sockets';
export * from './admin-feed';
