// Replays tests/vectors/*.json through opsbook's typed Node API.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const load = (name) => JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'))

const num = (v) => (typeof v === 'string' ? { nan: NaN, inf: Infinity, '-inf': -Infinity }[v] : v)

// A vector limit as the range text the API takes: Nagios text, or a plain form built as a Range.
function limit(field, v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'string') return new ob.Range(v, field)
  const [[form, bound]] = Object.entries(v)
  return ob.Range.fromForm(form, num(bound), field)
}
// Options objects take `undefined` for "none" (their fields are `?: string`).
const text = (r) => (r === null ? undefined : String(r))

test('range vectors', () => {
  const cases = load('ranges.json').cases
  let replayed = 0
  for (const c of cases) {
    if (c.error) {
      assert.throws(() => new ob.Range(c.range), (e) => e.code === c.error && /invalid range for range/.test(e.message), c.id)
    } else {
      const r = new ob.Range(c.range)
      assert.equal(r.start, num(c.start), `${c.id} start`)
      assert.equal(r.end, num(c.end), `${c.id} end`)
      assert.equal(r.inside, c.inside, `${c.id} inside`)
      assert.equal(r.toString(), c.text, `${c.id} text`)
      assert.equal(String(r), c.text, `${c.id} String()`)
      for (const [value, alerts] of c.alerts) assert.equal(r.alerts(num(value)), alerts, `${c.id} ${value}`)
    }
    replayed++
  }
  assert.equal(replayed, cases.length)
  assert.equal(replayed, 32)
})

test('threshold vectors', () => {
  const cases = load('thresholds.json').cases
  let replayed = 0
  for (const c of cases) {
    if (c.error) {
      const re = new RegExp(`invalid range for ${c.error.field}`)
      assert.throws(
        () => ob.Threshold.fromRanges(limit('warn', c.warn), limit('crit', c.crit)),
        (e) => e.code === c.error.code && re.test(e.message),
        c.id,
      )
    } else {
      const fromRanges = ob.Threshold.fromRanges(limit('warn', c.warn), limit('crit', c.crit))
      const fromText = new ob.Threshold(text(limit('warn', c.warn)) ?? null, text(limit('crit', c.crit)) ?? null)
      assert.equal(fromRanges.evaluate(num(c.value)), c.status, c.id)
      assert.equal(fromText.evaluate(num(c.value)), c.status, `${c.id} (text)`)
      assert.deepEqual(fromRanges.evaluateMany([num(c.value), num(c.value)]), [c.status, c.status], `${c.id} (many)`)
    }
    replayed++
  }
  assert.equal(replayed, 31)
})

test('status vectors', () => {
  const doc = load('status.json')
  let replayed = 0
  for (const m of doc.mappings) {
    const s = ob.parseStatus(m.status)
    assert.equal(ob.statusExitCode(s), m.exit_code)
    assert.equal(ob.statusHealth(s), m.health)
    assert.equal(ob.statusHttp(s), m.http)
    replayed++
  }
  for (const a of doc.aggregation) {
    assert.equal(ob.worstStatus(a.statuses.map(ob.parseStatus)), a.worst)
    replayed++
  }
  assert.equal(replayed, 14)
})

function buildReport(spec) {
  const checks = spec.checks.map((c) => {
    const ms = c.measurements.map(
      (m) =>
        new ob.Measurement(m.name, num(m.value), {
          unit: m.unit,
          warn: text(limit('warn', m.warn)),
          crit: text(limit('crit', m.crit)),
          min: m.min === undefined ? undefined : num(m.min),
          max: m.max === undefined ? undefined : num(m.max),
          labels: m.labels,
        }),
    )
    const options = {
      durationSeconds: c.duration_seconds,
      time: c.time,
      error: c.error,
      componentType: c.component_type,
    }
    return c.status
      ? new ob.CheckResult(c.name, ob.parseStatus(c.status), c.summary, ms, options)
      : ob.CheckResult.fromMeasurements(c.name, ms, options)
  })
  return new ob.HealthReport(checks, {
    description: spec.description,
    serviceId: spec.service_id,
    version: spec.version,
    releaseId: spec.release_id,
  })
}

test('report vectors', () => {
  const cases = load('reports.json').cases
  let replayed = 0
  for (const c of cases) {
    const report = buildReport(c.report)
    assert.equal(report.status, c.status, c.id)
    assert.deepEqual(report.checks.map((k) => k.summary), c.summaries, c.id)
    assert.equal(report.toHealthJson(), c.health_json, c.id)
    assert.equal(report.toHealthJson(false), c.health_json_public, c.id)
    const nagios = report.toNagios()
    assert.equal(nagios.text, c.nagios, c.id)
    assert.equal(nagios.exitCode, c.exit_code, c.id)
    assert.equal(report.toPrometheus(), c.prometheus, c.id)
    replayed++
  }
  assert.equal(replayed, 5)
})

test('policy vectors', async () => {
  const cases = load('policies.json').cases
  let replayed = 0
  for (const c of cases) {
    const text = JSON.stringify(c.policy)
    if (c.error) {
      assert.throws(
        () => ob.Runner.fromJson(text),
        (e) =>
          e.code === c.error.code &&
          c.error.contains.every((n) => e.message.includes(n)) &&
          (c.error.absent ?? []).every((n) => !e.message.includes(n)),
        c.id,
      )
    } else {
      const runner = ob.Runner.fromJson(text)
      assert.deepEqual(runner.checkNames, c.names, c.id)
      const report = await runner.run()
      assert.deepEqual(report.checks.map((k) => k.status), c.statuses, c.id)
      assert.equal(report.status, c.status, c.id)
      assert.deepEqual((await runner.run('liveness')).checks.map((k) => k.name), c.tag_liveness, c.id)
    }
    replayed++
  }
  assert.equal(replayed, 12)
})
