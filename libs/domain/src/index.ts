export * from './pings';
export * from './eta';
