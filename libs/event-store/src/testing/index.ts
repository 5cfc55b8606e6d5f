// Test support of @vigil/event-store (`@vigil/event-store/testing`): for tests only.
export { rechain } from './rechain';
export type { EventRow } from './rechain';
