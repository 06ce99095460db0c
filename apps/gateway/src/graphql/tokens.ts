/** Injection tokens of the gateway module. */
export const RUNTIME = Symbol('Runtime');
export const READ_MODEL_STORE = Symbol('ReadModelStore');
export const EVENT_STORE = Symbol('EventStore');
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
