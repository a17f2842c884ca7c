// Moved to call-state.ts; kept until src/app.ts imports createAdmissions from there.
export { createAdmissions } from './call-state.js';
