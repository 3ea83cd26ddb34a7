// Compiled with `tsc --noEmit --strict` in the test command: the published types must
// describe the API as a TypeScript user calls it.
import { CheckResult, HealthReport, Measurement, Range, Runner, Status, Threshold, worstStatus } from '../index'
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
