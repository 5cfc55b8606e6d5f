/** Injection token of the validated NotifierConfig. */
export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
