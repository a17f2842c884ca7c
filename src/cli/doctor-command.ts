import { exitStatusOf, renderTable } from './doctor-findings.js';
import { runDoctor } from './doctor.js';

/**
 * `npm run doctor`: one table of what is right and wrong before going live, from the same
 * environment as the service. Exits 1 when something would stop a call.
 */
const findings = await runDoctor(process.env);
for (const line of renderTable(findings)) process.stdout.write(`${line}\n`);
process.exitCode = exitStatusOf(findings);
