export * from './alert-channel';
export * from './alert-message';
export * from './alert-notifier';
export * from './alert-outbox';
export * from './kafka-channel';
export * from './log-channel';
export * from './webhook-channel';
export * from './webhook-signature';
