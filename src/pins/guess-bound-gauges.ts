// Moved to src/metrics/metrics.ts; kept until src/app.ts imports it from there.
export { addGuessBoundGauges } from '../metrics/metrics.js';
