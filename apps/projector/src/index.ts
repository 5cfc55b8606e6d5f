export * from './projector.config';
export * from './projector.module';
export * from './projector.tokens';
