export * from './errors.ts';
export * from './ids.ts';
export * from './scope.ts';
export * from './accounts/index.ts';
export * from './connections/index.ts';
