// Reports, the maintenance plan and the log lifecycle through opsbook's Node API:
// tests/vectors/daily_reports.json replayed; a report from a policy run against a live and a
// dead port; due tasks and records; a lifecycle planned, then applied.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const ob = require('..')

const cases = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'daily_reports.json'), 'utf8'),
).cases

test('daily report vectors', () => {
  assert.equal(cases.length, 25)
  for (const c of cases) {
    if (c.error) {
      assert.throws(
        () => ob.Report.fromParts(c.parts),
        (e) => e.code === 'OPSBOOK_INVALID_VALUE' && c.error.every((p) => e.message.includes(p)),
        c.id,
      )
      continue
    }
    const r = ob.Report.fromParts(c.parts)
    assert.equal(r.toText(), c.text, c.id)
    assert.equal(r.render(), c.text, c.id)
    assert.equal(r.toMarkdown(), c.markdown, c.id)
    assert.equal(r.render('markdown'), c.markdown, c.id)
    assert.deepEqual(r.toJson(), c.json, c.id)
    assert.deepEqual(JSON.parse(r.render('json')), c.json, c.id)
    assert.equal(r.status, c.status, c.id)
    assert.equal(r.headline, c.json.title, c.id)
  }
})

function listen() {
  return new Promise((resolve) => {
    const server = net.createServer((s) => s.end())
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

test('a report from a policy, off the JS thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-report-'))
  const up = await listen()
  const dead = await listen()
  const down = dead.address().port
  await new Promise((resolve) => dead.close(resolve))
  const policy = path.join(dir, 'policy.toml')
  fs.writeFileSync(
    policy,
    `version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = ${up.address().port}
[[checks]]
name = "worker"
type = "tcp"
host = "127.0.0.1"
port = ${down}
[maintenance]
title = "edu"
language = "en"
[[maintenance.checklists]]
name = "Daily"
items = [{ text = "API up", check = "api" }, { text = "Worker up", check = "worker" }]
`,
  )
  try {
    const r = await ob.reportFromPolicy(policy, { now: 1720137600 })
    assert.equal(r.status, 'CRITICAL')
    const doc = r.toJson()
    assert.equal(doc.title, 'edu daily check')
    const checklist = doc.sections.find((s) => s.kind === 'checklist')
    assert.deepEqual(checklist.items, [
      { mark: 'ok', text: 'API up' },
      { mark: 'fail', text: 'Worker up (worker: CRITICAL)' },
    ])
    const out = path.join(dir, 'out', 'daily.txt')
    r.write(out)
    assert.equal(fs.readFileSync(out, 'utf8'), r.toText())
    assert.throws(() => ob.reportFromPolicy(policy, { kind: 'weekly' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE')
    await assert.rejects(ob.reportFromPolicy(path.join(dir, 'missing.toml')), { code: 'OPSBOOK_IO' })
  } finally {
    up.close()
  }
})

test('maintenance due and records', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-maint-'))
  const records = path.join(dir, 'records.jsonl')
  const plan = { tz: 'Asia/Shanghai', tasks: [{ name: '数据库备份', every: '每日' }, { name: '日志清理', every: '每周' }] }
  ob.appendMaintenanceRecord(records, {
    time: '2024-07-04T10:00:00+08:00',
    operator: '张三',
    kind: 'routine',
    task: '数据库备份',
    description: 'pg_dump',
  })
  const kept = ob.readMaintenanceRecords(records)
  assert.deepEqual(
    kept.map((r) => [r.operator, r.kind, r.task]),
    [['张三', '例行维护', '数据库备份']],
  )
  // 5 July 09:00 CST: not due until 10:00; at 10:30 due.
  const before = ob.maintenanceDue(plan, kept, 1720141200)
  assert.deepEqual(
    before.map((d) => [d.task, d.status]),
    [['日志清理', 'never done'], ['数据库备份', 'not due']],
  )
  const after = ob.maintenanceDue(plan, kept, 1720141200 + 5400)
  assert.deepEqual(after.map((d) => d.status), ['never done', 'due'])
  assert.throws(
    () => ob.appendMaintenanceRecord(records, { time: '2024-07-04T10:00:00Z', operator: 'x', kind: 'nap' }),
    (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('record.kind'),
  )
})

test('log lifecycle planned, then applied', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-lifecycle-'))
  const now = 1714550400
  for (const [name, days] of [['new.log', 1], ['old.log', 10], ['older.log.gz', 40]]) {
    fs.writeFileSync(path.join(dir, name), 'x\n')
    fs.utimesSync(path.join(dir, name), now - days * 86400, now - days * 86400)
  }
  const plan = new ob.LogPlan(dir, { compress_after: 7, delete_compressed_after: 30 }, now)
  assert.equal(plan.length, 2)
  assert.deepEqual(
    plan.actions.map((a) => [a.action, path.basename(a.path)]),
    [['compress', 'old.log'], ['delete', 'older.log.gz']],
  )
  assert.ok(fs.existsSync(path.join(dir, 'old.log')), 'planning touches nothing')
  assert.deepEqual(plan.apply().map((d) => d.done), [true, true])
  assert.deepEqual(fs.readdirSync(dir).sort(), ['new.log', 'old.log.gz'])
  assert.throws(
    () => new ob.LogPlan(dir, { compress_afterr: 7 }),
    (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('rules'),
  )
})

test('a health report as the samples rules evaluate', () => {
  // DESIGN's names: opsbook_<check>_<measurement> in base units (250 ms is 0.25 s).
  const api = ob.CheckResult.fromMeasurements('api', [
    new ob.Measurement('latency', 250, { unit: 'ms', crit: '~:100' }),
    new ob.Measurement('used', 50, { unit: '%', labels: { mount: '/' } }),
  ])
  const got = new ob.HealthReport([api])
    .samples()
    .map((s) => [s.metric, JSON.stringify(s.labels), s.value])
    .sort()
  assert.deepEqual(got, [
    ['opsbook_api_latency_seconds', '{}', 0.25],
    ['opsbook_api_used_percent', '{"mount":"/"}', 50],
    ['opsbook_check_status', '{"check":"api"}', 2],
  ])
})
