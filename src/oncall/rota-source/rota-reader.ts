import type { RotaSourceConfig } from '../../config.js';
import { createOpsgenieReader } from './opsgenie-reader.js';
import { createPagerDutyReader } from './pagerduty-reader.js';
import type { RotaReader } from './rota-source.js';

/** The reader of the configured source; undefined for the built-in rota (PUT /v1/oncall). */
export function rotaReaderOf(config: RotaSourceConfig): RotaReader | undefined {
  if (config.kind === 'pagerduty') return createPagerDutyReader(config);
  if (config.kind === 'opsgenie') return createOpsgenieReader(config);
  return undefined;
}
