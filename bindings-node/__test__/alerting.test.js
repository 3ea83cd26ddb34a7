// tests/vectors/alerting.json through AlertPipeline (rules → notifications → incidents),
// straight and with a fresh pipeline restored from a Store before every step.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const cases = JSON.parse(fs.readFileSync(path.join(VECTORS, 'alerting.json'), 'utf8')).cases

const seconds = (rfc3339) => Date.parse(rfc3339) / 1000

function notification(n) {
  const alerts = n.alerts
    .map((a) => Object.keys(a.labels).sort().map((k) => `${k}=${a.labels[k]}`).join(',') + ':' + a.status)
    .sort()
  return { time: seconds(n.time), receiver: n.receiver, status: n.status, group_labels: n.groupLabels, alerts }
}

function step(p, s) {
  if (s.samples) return p.evaluate(s.time, s.samples)
  if (s.advance) return p.advance(s.time)
  if (s.acknowledge) p.acknowledge(s.acknowledge.incident, s.acknowledge.by, s.time)
  else if (s.resolve) p.resolve(s.resolve.incident, s.resolve.by, s.resolve.note, s.time)
  else if (s.record) p.record(s.record.incident, s.record.what, s.time)
  else throw new Error(`unknown step ${JSON.stringify(s)}`)
  return null
}

function replay(c, restartEachStep) {
  const text = JSON.stringify(c.policy)
  const store = ob.Store.memory()
  let p = ob.AlertPipeline.fromJson(text)
  const got = { notifications: [], escalations: [], opened: [] }
  for (const s of c.steps) {
    if (restartEachStep) {
      p = ob.AlertPipeline.fromJson(text)
      p.load(store, 'vec:')
    }
    if (s.error) {
      assert.throws(() => step(p, s), (e) => e.code === s.error.code && e.message.includes(s.error.field), c.id)
      continue
    }
    const out = step(p, s)
    if (out) {
      got.notifications.push(...out.notifications.map(notification))
      got.escalations.push(...out.escalations.map((e) => ({ time: seconds(e.time), incident: e.incident, level: e.level })))
      got.opened.push(...out.opened.map((o) => ({ time: seconds(o.time), incident: o.incident })))
    }
    if (restartEachStep) p.save(store, 'vec:')
  }
  got.incidents = p.incidents().map((i) => ({
    id: i.id,
    kind: i.kind,
    status: i.status,
    level: i.level,
    timeline: i.timeline.map((e) => ({ time: seconds(e.time), what: e.what })),
  }))
  return got
}

test('alerting vectors', () => {
  let replayed = 0
  for (const c of cases) {
    if (c.error) {
      assert.throws(
        () => ob.AlertPipeline.fromJson(JSON.stringify(c.policy)),
        (e) => e.code === c.error.code && e.message.includes(c.error.field),
        c.id,
      )
    } else {
      assert.deepEqual(replay(c, false), c.expect, c.id)
      assert.deepEqual(replay(c, true), c.expect, `${c.id} (restored every step)`)
    }
    replayed++
  }
  assert.equal(replayed, 15)
})

test('pipeline state in a file store named by a [state] table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-node-pipeline-'))
  const policy = [
    'version = 1',
    '[[rules]]',
    'name = "ServiceDown"',
    'metric = "up"',
    'alert_when = "below 1"',
    'severity = "critical"',
    '[escalation]',
    'severities = { critical = "P1" }',
    '[[escalation.levels]]',
    'name = "P0"',
    'response = "5m"',
    '[[escalation.levels]]',
    'name = "P1"',
    'response = "15m"',
  ].join('\n')
  const p = ob.AlertPipeline.fromToml(policy)
  const out = p.evaluate(0, [{ metric: 'up', value: 0, labels: { instance: 'edu-api' } }])
  assert.deepEqual(out.opened, [{ time: '1970-01-01T00:00:00Z', incident: 'INC-0001' }])
  // for = 0: pending and firing at the same evaluation, as in rules.json.
  assert.deepEqual(out.events.map((e) => e.kind), ['pending', 'firing'])
  const store = ob.Store.fromConfig({ backend: 'file', path: path.join(dir, 'state.json') })
  p.save(store)
  const again = ob.AlertPipeline.fromToml(policy)
  again.load(store)
  assert.deepEqual(again.incidents(), p.incidents())
  assert.deepEqual(again.advance(900).escalations, [{ time: '1970-01-01T00:15:00Z', incident: 'INC-0001', level: 'P0' }])
  assert.throws(() => ob.Store.fromConfig({ backend: 'redis' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('state.url_env'))
  fs.rmSync(dir, { recursive: true })
})
