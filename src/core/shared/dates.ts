/** A day as the registry keeps days: YYYY-MM-DD, on the UTC calendar. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** Today, YYYY-MM-DD (UTC): the day that statuses, tasks, memberships and periods are weighed against. */
export const today = (): string => isoDay(new Date());
