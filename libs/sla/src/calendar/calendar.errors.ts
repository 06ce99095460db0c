/** A calendar that cannot be used; `path` names the bad field, e.g. `calendar.hours.mon[0][1]`. */
export class InvalidCalendarError extends Error {
  readonly code = 'INVALID_CALENDAR';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'InvalidCalendarError';
  }
}
