/** The repository's root folder. */
export const root: string;
/** The newest modification time of the files under these folders (0 when none exist). */
export function newestSource(dirs: string[], skip?: (full: string) => boolean): number;
/** The server's sources: everything under src/ but the web app and the tests. */
export function serverSources(): number;
/** The web app's sources (it also imports from src/core). */
export function webSources(): number;
/** True when `built` (relative to the root) exists and is no older than `sources`. */
export function isFresh(built: string, sources: number): boolean;
