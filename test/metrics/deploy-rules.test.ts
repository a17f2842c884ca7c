import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { load } from 'js-yaml';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTwilioRestApi } from '../../sim/twilio-rest-api.js';
import { givenAccount, givenPin, givenUser } from '../helpers/givens.js';
import { eventually } from '../helpers/eventually.js';
import { buildTestApp, OPS_KEY } from '../helpers/test-app.js';
import { placeCall, twimlOf } from '../helpers/twilio-webhooks.js';

// deploy/'s alert rules and dashboard against what /metrics really serves: a renamed or
// misspelt metric would leave an alert that can never fire. Rule file format:
// https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/; dashboard JSON:
// https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/.

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

const ruleSchema = z.strictObject({
  alert: z.string().regex(/^Callgate[A-Za-z]+$/),
  expr: z.string().min(1),
  for: z.string().regex(/^\d+[smh]$/),
  labels: z.strictObject({ severity: z.enum(['page', 'ticket']) }),
  annotations: z.strictObject({ summary: z.string().min(1), description: z.string().min(1), runbook: z.string().regex(/^docs\/alerts\.md#[a-z0-9-]+$/) }),
});
const rulesSchema = z.strictObject({ groups: z.array(z.strictObject({ name: z.string(), rules: z.array(ruleSchema).min(1) })) });

interface Panel {
  title?: string | undefined;
  targets?: { expr: string }[] | undefined;
  panels?: Panel[] | undefined;
}
const panelSchema: z.ZodType<Panel> = z.looseObject({
  title: z.string().optional(),
  targets: z.array(z.looseObject({ expr: z.string().min(1) })).optional(),
  panels: z.array(z.lazy(() => panelSchema)).optional(),
});
const dashboardSchema = z.looseObject({
  uid: z.string(),
  panels: z.array(panelSchema),
  annotations: z.looseObject({ list: z.array(z.looseObject({ expr: z.string().optional() })) }),
});

const rules = rulesSchema.parse(load(read('deploy/prometheus/callgate-alerts.yml'))).groups.flatMap((group) => group.rules);
const dashboard = dashboardSchema.parse(JSON.parse(read('deploy/grafana/callgate-dashboard.json')));
const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);
const dashboardExprs = [
  ...panelsOf(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title ?? ''}"`, expr: target.expr }))),
  ...dashboard.annotations.list.flatMap((annotation) => (annotation.expr === undefined ? [] : [{ where: 'annotation', expr: annotation.expr }])),
];
const ruleExprs = rules.map((rule) => ({ where: rule.alert, expr: rule.expr }));

interface Selector {
  metric: string;
  labels: string[];
}

/** The series an expression selects (metric name and matched label names), and whether it parses. */
function selectorsOf(expr: string): { selectors: Selector[]; parses: boolean } {
  // Grafana's interval variables are not PromQL: any duration stands in for them.
  const promql = expr.replaceAll(/\$__(rate_interval|interval|range)/g, '5m');
  const selectors: Selector[] = [];
  let parses = true;
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) parses = false;
      if (node.name !== 'VectorSelector') return;
      const name = node.node.getChild('Identifier');
      const matchers = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      selectors.push({
        metric: name === null ? '' : promql.slice(name.from, name.to),
        labels: matchers.flatMap((matcher) => {
          const label = matcher.getChild('LabelName');
          return label === null ? [] : [promql.slice(label.from, label.to)];
        }),
      });
    },
  });
  return { selectors, parses };
}

// Series Prometheus makes itself, per target or per alert, never on /metrics.
const PROMETHEUS_OWN = new Set(['up', 'ALERTS']);
// Labels Prometheus adds to every series it scrapes.
const TARGET_LABELS = new Set(['job', 'instance']);

/** Families by name and type from `# TYPE` lines; label names seen on each series name's samples. */
function exposition(text: string) {
  const types = new Map<string, string>();
  const labelsSeen = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] !== undefined && type[2] !== undefined) types.set(type[1], type[2]);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (sample?.[1] === undefined) continue;
    const seen = labelsSeen.get(sample[1]) ?? new Set<string>();
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) if (match[1] !== undefined) seen.add(match[1]);
    labelsSeen.set(sample[1], seen);
  }
  /** Whether the series name is served: a family, or a histogram's or summary's _bucket, _sum or _count. */
  const serves = (series: string): boolean => {
    if (types.has(series)) return true;
    const family = series.replace(/_(bucket|sum|count)$/, '');
    return family !== series && ['histogram', 'summary'].includes(types.get(family) ?? '') && !(series.endsWith('_bucket') && types.get(family) === 'summary');
  };
  return { serves, labelsSeen };
}

const rest = await startTwilioRestApi();
const t = await buildTestApp({ env: { TWILIO_API_URL: rest.url } });
afterAll(async () => {
  await t.close();
  await rest.close();
});

let scrape: ReturnType<typeof exposition>;
beforeAll(async () => {
  // One call through PIN, queue and page, so the labelled counters and histograms have samples.
  await request(t.app).put('/v1/oncall').set('Authorization', `Bearer ${OPS_KEY}`).send([{ id: 'sam', name: 'Sam', phone: '+447700900999' }]);
  const accountId = await givenAccount(t.app);
  const pin = await givenPin(t.app, accountId, await givenUser(t.app, accountId));
  const call = placeCall(t.app, t.config);
  await call.voice();
  await call.pin('00000000', 1);
  expect(twimlOf(await call.pin(pin, 2))).toContain('<Enqueue');
  await eventually(async () => {
    expect((await request(t.internal).get('/metrics')).text).toMatch(/^callgate_paging_attempts_total\{result="placed"\} 1$/m);
  });
  await call.queueResult('hangup', 12);
  scrape = exposition((await request(t.internal).get('/metrics')).text);
});

describe('deploy/: the Prometheus alert rules and the Grafana dashboard', () => {
  it('when every expression is parsed as PromQL, then each parses and names at least one metric', () => {
    for (const { where, expr } of [...ruleExprs, ...dashboardExprs]) {
      const { selectors, parses } = selectorsOf(expr);
      expect(parses, `${where}: ${expr}`).toBe(true);
      expect(selectors.length, `${where}: ${expr}`).toBeGreaterThan(0);
    }
  });

  it('when /metrics of a running app is scraped, then every metric the rules and the dashboard name is on it', () => {
    const named = new Set([...ruleExprs, ...dashboardExprs].flatMap(({ expr }) => selectorsOf(expr).selectors.map((selector) => selector.metric)));
    const missing = [...named].filter((metric) => !PROMETHEUS_OWN.has(metric) && !scrape.serves(metric));
    expect(missing).toEqual([]);
    // The test can fail: a misspelt name is caught.
    expect(scrape.serves('callgate_callers_wating')).toBe(false);
    expect(scrape.serves('callgate_webhook_duration_seconds_bucket')).toBe(true);
  });

  it('when a matched metric has samples on /metrics, then the labels its matchers name are on them', () => {
    const unknown = [...ruleExprs, ...dashboardExprs].flatMap(({ where, expr }) =>
      selectorsOf(expr).selectors.flatMap(({ metric, labels }) => {
        const seen = scrape.labelsSeen.get(metric);
        if (seen === undefined || PROMETHEUS_OWN.has(metric)) return [];
        return labels.filter((label) => !TARGET_LABELS.has(label) && !seen.has(label)).map((label) => `${where}: ${metric}{${label}}`);
      }),
    );
    expect(unknown).toEqual([]);
  });

  it('when an alert fires, then its runbook is a heading of docs/alerts.md, and each alert name is used once', () => {
    const headings = new Set([...read('docs/alerts.md').matchAll(/^#+ (.+)$/gm)].map((match) => (match[1] ?? '').trim().toLowerCase().replaceAll(/[^a-z0-9 -]/g, '').replaceAll(' ', '-')));
    for (const rule of rules) expect(headings, rule.alert).toContain(rule.annotations.runbook.split('#')[1]);
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
  });

  it('when the dashboard is opened, then it shows every callgate metric the alerts watch', () => {
    const callgateMetrics = (exprs: { expr: string }[]) => new Set(exprs.flatMap(({ expr }) => selectorsOf(expr).selectors.map((s) => s.metric.replace(/_bucket$/, ''))).filter((m) => m.startsWith('callgate_')));
    const onDashboard = callgateMetrics(dashboardExprs);
    expect([...callgateMetrics(ruleExprs)].filter((metric) => !onDashboard.has(metric))).toEqual([]);
  });
});
