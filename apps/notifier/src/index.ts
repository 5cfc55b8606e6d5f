export * from './notifier.config';
export * from './notifier.module';
export * from './notifier.tokens';
