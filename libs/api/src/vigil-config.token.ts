/** Injection token of the validated `VigilConfig`. */
export const VIGIL_CONFIG = Symbol('VIGIL_CONFIG');
