export * from './lib/task-status';
export * from './lib/roles';
export * from './lib/kinds';
export * from './lib/wire';
export * from './lib/redis-keys';
export * from './lib/job-spec';
export * from './lib/task-contracts';
export * from './lib/extra-vars';
