// The Node API beyond the vectors: error codes, bad arguments, the async host probe.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')

const ob = require('..')

test('errors carry a stable code and name the field and value', () => {
  assert.throws(() => new ob.Threshold('2:1'), { code: 'OPSBOOK_INVALID_RANGE', message: /invalid range for warn: "2:1"/ })
  assert.throws(() => ob.parseStatus('bogus'), { code: 'OPSBOOK_INVALID_VALUE', message: /status: "bogus"/ })
  assert.throws(() => new ob.Measurement('', 1), { code: 'OPSBOOK_INVALID_VALUE', message: /measurement name/ })
  assert.throws(() => new ob.Measurement('m', 1, { labels: { 'bad-name': 'x' } }), { code: 'OPSBOOK_INVALID_VALUE' })
  assert.throws(() => new ob.CheckResult('c', 'OK', '', [], { time: 'yesterday' }), {
    code: 'OPSBOOK_INVALID_VALUE',
    message: /time: "yesterday"/,
  })
  assert.throws(() => new ob.CheckResult('c', 'OK', '', [], { durationSeconds: -1 }), { code: 'OPSBOOK_INVALID_VALUE' })
})

test('wrong JS types are errors, not crashes', () => {
  assert.throws(() => new ob.Range(42))
  assert.throws(() => new ob.CheckResult('c', 'SO-SO', ''))
  assert.throws(() => new ob.HealthReport([{ name: 'not a CheckResult' }]))
  assert.throws(() => ob.worstStatus(['OK', 'MAYBE']))
})

test('time round-trips as RFC 3339 and Date.toISOString() is accepted', () => {
  const when = new Date(Date.UTC(2026, 10, 22, 2, 0, 0))
  const c = new ob.CheckResult('c', 'OK', 'fine', [], { time: when.toISOString() })
  assert.equal(c.time, '2026-11-22T02:00:00Z')
})

test('checkSystem runs off the JS thread and agrees with /proc/meminfo', async () => {
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const report = await ob.checkSystem(300)
  clearInterval(timer)
  assert.ok(ticks >= 5, `the event loop kept turning (${ticks} ticks)`)
  const names = report.checks.map((c) => c.name)
  for (const n of ['cpu', 'memory', 'swap', 'load', 'disk']) assert.ok(names.includes(n), n)
  const info = Object.fromEntries(
    fs.readFileSync('/proc/meminfo', 'utf8').trim().split('\n').map((l) => {
      const [k, v] = l.split(':')
      return [k, parseFloat(v)]
    }),
  )
  const procUsed = 100 * (1 - info.MemAvailable / info.MemTotal)
  const memory = report.checks.find((c) => c.name === 'memory').measurements[0]
  assert.ok(Math.abs(memory.value - procUsed) < 5, `${memory.value} vs ${procUsed}`)
  assert.equal(report.toNagios().exitCode, ob.statusExitCode(report.status))
})
