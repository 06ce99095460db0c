export * from './calendar/calendar.types.js';
export { InvalidCalendarError } from './calendar/calendar.errors.js';
export { parseBusinessCalendar } from './calendar/parse-calendar.js';
export { compileCalendar, CompiledCalendar, type BusinessDay } from './calendar/compiled-calendar.js';
export {
  addBusinessTime,
  subtractBusinessTime,
  businessTimeBetween,
  isWithinBusinessHours,
} from './calendar/business-time.js';
export * from './policy/policy.types.js';
export { SlaPolicyError, UnknownSlaTierError } from './policy/policy.errors.js';
export { parseTargetDuration, MAX_TARGET_MS } from './policy/duration.js';
export { parseSlaPolicy, DEFAULT_AT_RISK_SHARE } from './policy/parse-policy.js';
export { loadSlaPolicyFile, defaultSlaPolicy, DEFAULT_SLA_POLICY_FILE } from './policy/load-policy.js';
export { resolveSla, tierChannels, hasTier, tierNames, ALWAYS_OPEN_CALENDAR } from './policy/resolve.js';
