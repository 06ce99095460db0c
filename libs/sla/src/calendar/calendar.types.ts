/** Keys of the weekly hours, Monday first (ISO order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * One opening interval of a local day, `["HH:MM", "HH:MM"]`, half-open: the opening instant is
 * within hours, the closing instant is not. `"24:00"` closes at the end of the local day.
 */
export type OpeningInterval = readonly [open: string, close: string];

export type WeeklyHours = { readonly [D in Weekday]?: readonly OpeningInterval[] };

/**
 * A business calendar exactly as it is written in the SLA policy file. A weekday that is
 * missing (or has `[]`) is closed; `holidays` are local dates (`YYYY-MM-DD`) closed all day.
 */
export interface BusinessCalendar {
  /** IANA time zone, e.g. `Europe/Moscow`; the weekly hours and holidays are read in it. */
  readonly timeZone: string;
  readonly hours: '24x7' | WeeklyHours;
  readonly holidays?: readonly string[];
  /** A note for people reading the file; ignored. */
  readonly description?: string;
}
