// Compiled with `tsc --noEmit --strict` in the test command: the published types must
// describe the API as a TypeScript user calls it.
import {
  Channel,
  RenderOptions,
  renderTemplate,
  AlertEvent,
  Manifest,
  Verification,
  buildManifest,
  verifyBackup,
  AlertPipeline,
  PipelineOutcome,
  Store,
  CapacityPlan,
  CheckResult,
  Crossing,
  ForecastPoint,
  HealthReport,
  HoltWinters,
  HoltWintersFit,
  Measurement,
  Range,
  ResourcePlan,
  RuleEngine,
  Dispatcher,
  IncidentManager,
  Runner,
  Status,
  Threshold,
  capacityPlan,
  deriv,
  fingerprint,
  predictLinear,
  timeToThreshold,
  worstStatus,
} from '../index'
import { healthResponse, mountExpress } from '../http'

const t: Threshold = Threshold.fromRanges(new Range('~:70', 'warn'), Range.fromForm('above', 90, 'crit'))
const s: Status = t.evaluate(75)
const worst: Status = worstStatus([s, Status.CRITICAL])
const m = new Measurement('used', 93.5, { unit: '%', warn: '~:80', labels: { mount: '/data' } })
const report = new HealthReport([CheckResult.fromMeasurements('disk', [m], { componentType: 'system' })], { description: 'x' })
const code: number = report.toNagios().exitCode
const text: string = report.toHealthJson(false)

async function serve(runner: Runner): Promise<number> {
  const r = await healthResponse(runner, { tag: 'readiness', detailed: () => true })
  const full: HealthReport = await runner.run()
  mountExpress({ get: () => undefined }, runner)
  return r.statusCode + full.checks.length
}

export { worst, code, text, serve }

// Forecasts: typed arrays or number arrays, typed results.
const times = Float64Array.from([0, 60, 120, 180])
const used: number = predictLinear(times, [10, 11, 12, 13], 180, 3600, { window: 600, mode: 'left-open' })
const slope: number = deriv([0, 60, 120], new Float64Array([1, 2, 3]))
const crossing: Crossing = timeToThreshold(times, [10, 11, 12, 13], 180, 90, { horizon: 86400, breach: 'above' })
const seconds: number | undefined = crossing.seconds
const hw: HoltWintersFit = new HoltWinters(4, false).fit(times, 'heuristic')
const bands: ForecastPoint[] = hw.forecastIntervals(3, 0.9)
const plan: CapacityPlan = capacityPlan([{ name: 'users', current: 1000 }], { months: 6 })
const rows: ResourcePlan[] = plan.resources
void [used, slope, seconds, bands, rows]

// Rules: typed rule objects, events and alerts.
const engine = new RuleEngine([{ name: 'HighCPU', metric: 'cpu_usage_percent', alertWhen: 'above 80', for: '5m', severity: 'warning' }])
const events: AlertEvent[] = engine.evaluate(Date.now() / 1000, [{ metric: 'cpu_usage_percent', value: 91, labels: { host: 'a' } }])
const fp: string = fingerprint({ alertname: 'HighCPU' })
void [events, fp]
const dispatcher = new Dispatcher({ route: { group_wait: '30s' } })
dispatcher.receive(events[0], { summary: 'x' })
const due: number | null = dispatcher.nextDue()
const incidents = new IncidentManager()
const incidentId: string | null = incidents.onEvent(events[0])
void [due, incidentId]
const pipeline: AlertPipeline = AlertPipeline.fromToml('version = 1\n[escalation.route]\nreceiver = "ops"\n')
const outcome: PipelineOutcome = pipeline.evaluate(0, [{ metric: 'up', value: 0 }])
const firstEvents: AlertEvent[] = outcome.events
pipeline.save(Store.memory(), 'edu:')
void [firstEvents, pipeline.advance(60).notifications.length]

async function backups(): Promise<void> {
  const manifest: Manifest = await buildManifest('/var/backups/platform', { algorithm: 'SHA256' })
  const result: Verification = await verifyBackup('/var/backups/platform', { skipChecksums: false })
  void [manifest.toBytes().length, result.ok, result.problems.map((p) => p.kind)]
}
void backups

// Alert messages: a channel renders requests and sends them; templates as Prometheus runs them.
const ding = new Channel({ name: 'ops', type: 'dingtalk', token_env: 'DINGTALK_TOKEN', tz: 'Asia/Shanghai' })
const options: RenderOptions = { now: 1714550400, secrets: { DINGTALK_TOKEN: 'token' } }
const requests: Array<any> = ding.render([{ labels: { alertname: 'ServiceDown' } }], options)
const bodies: Array<string> = ding.renderBodies('[{"labels": {"alertname": "ServiceDown"}}]', options)
const sent: Promise<Array<any>> = ding.send([], options)
const summary: string = renderTemplate('服务 {{ $labels.instance }} 已停止', { alert: { labels: { instance: 'api:8000' } } })
void [requests, bodies, sent, summary, ding.name, ding.type]
