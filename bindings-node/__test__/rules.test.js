// Alert rules through opsbook's typed Node API: tests/vectors/rules.json replayed.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const cases = JSON.parse(fs.readFileSync(path.join(VECTORS, 'rules.json'), 'utf8')).cases

// The vectors use the policy's snake_case keys; JS objects use camelCase.
const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
function toJs(v) {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k === 'labels' || k === 'annotations' || k === 'match' ? k : camel(k), k === 'labels' || k === 'annotations' || k === 'match' ? x : toJs(x)]))
}

function run(c) {
  const engine = new ob.RuleEngine(c.rules.map(toJs))
  const events = []
  for (const e of c.evaluations) {
    for (const ev of engine.evaluate(e.time, e.samples)) {
      events.push({ time: ev.time, kind: ev.kind, rule: ev.rule, labels: ev.labels, notify: ev.notify })
    }
  }
  return events
}

test('rules vectors', () => {
  let replayed = 0
  for (const c of cases) {
    if (c.kind === 'fingerprint') {
      assert.equal(ob.fingerprint(c.labels), c.expect, c.id)
    } else if (c.error) {
      assert.throws(() => run(c), (e) => e.code === c.error.code && e.message.includes(c.error.field), c.id)
    } else {
      const got = run(c)
      // Label objects compare by content regardless of key order.
      const norm = (list) => list.map((e) => ({ ...e, labels: Object.fromEntries(Object.entries(e.labels).sort()) }))
      assert.deepEqual(norm(got), norm(c.expect), c.id)
    }
    replayed++
  }
  assert.equal(replayed, 14)
})

test('evaluateSeries equals one evaluation at a time; export; errors', () => {
  const rules = [{ name: 'HighCPU', metric: 'cpu', alertWhen: 'above 80', for: '2m', keepFiringFor: '1m' }]
  const n = 5000
  const times = Float64Array.from({ length: n }, (_, i) => i * 15)
  const values = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 100 < 8 ? 95 : 50))
  const one = new ob.RuleEngine(rules)
  const expected = []
  for (let i = 0; i < n; i++) {
    for (const e of one.evaluate(times[i], [{ metric: 'cpu', value: values[i], labels: { host: 'a' } }])) expected.push([e.time, e.kind])
  }
  const batch = new ob.RuleEngine(rules)
  const got = batch.evaluateSeries('cpu', { host: 'a' }, times, values).map((e) => [e.time, e.kind])
  assert.ok(got.length > 10)
  assert.deepEqual(got, expected)
  assert.match(batch.toPrometheusRules(), /expr: "cpu > 80"/)
  assert.equal(batch.alerts().length >= 0, true)
  assert.throws(() => new ob.RuleEngine([{ name: 'X', metric: 'm', alertWhen: 'above 1', for: '1mo' }]), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /rules\[0\] \(X\)\.for/.test(e.message))
  assert.throws(() => batch.evaluateSeries('cpu', {}, [0], [1]), /back in time/)
  const fromToml = ob.RuleEngine.fromToml('version = 1\n[[rules]]\nname = "Down"\nmetric = "up"\nalert_when = "below 1"\n')
  assert.deepEqual(fromToml.evaluate(0, [{ metric: 'up', value: 0 }]).map((e) => e.kind), ['pending', 'firing'])
})

test('Dispatcher and IncidentManager', () => {
  const engine = new ob.RuleEngine([{ name: 'Down', metric: 'up', alertWhen: 'below 1', severity: 'critical' }])
  const dispatcher = new ob.Dispatcher({ route: { group_by: ['alertname'], group_wait: '30s' } })
  const incidents = new ob.IncidentManager()
  let id = null
  for (const e of engine.evaluate(0, [{ metric: 'up', value: 0, labels: { job: 'api' } }])) {
    dispatcher.receive(e, { summary: 'api down' })
    id = incidents.onEvent(e) ?? id
  }
  assert.equal(dispatcher.nextDue(), 30)
  const [sent] = dispatcher.tick(30)
  assert.equal(sent.status, 'firing')
  assert.equal(sent.groupKey, '{}:{alertname="Down"}')
  assert.deepEqual(sent.alerts[0].annotations, { summary: 'api down' })
  incidents.record(id, 'restarted api by hand', 60)
  assert.deepEqual(incidents.tick(15 * 60), [{ id, level: 'P0' }])
  const inc = incidents.incident(id)
  assert.equal(inc.level, 'P0')
  assert.equal(inc.timeline[1].what, 'restarted api by hand')
  incidents.acknowledge(id, 'alice', 16 * 60)
  assert.throws(() => incidents.acknowledge(id, 'bob', 17 * 60), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /not open/.test(e.message))
  assert.throws(() => new ob.Dispatcher({ route: { group_wait: 'soon' } }), /route\.group_wait/)
})
