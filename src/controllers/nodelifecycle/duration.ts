// The node lifecycle controller's grace periods are Go durations (util/duration.ts).
export { goDurationMs as parseDuration } from '../../util/duration.js';
