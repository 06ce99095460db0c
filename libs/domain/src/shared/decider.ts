/** A decider (as in Emmett): pure functions over a stream's events. */
export interface Decider<Command, Event, State, Context> {
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds a history with a decider's `evolve` — the same fold commands and auditors use. */
export function fold<Event, State>(evolve: (state: State, event: Event) => State, initial: State, events: Iterable<Event>): State {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
}
