// runPolicy: a whole maintenance pass from Node against a real socket and a real HTTP
// receiver (state kept between passes, bad options thrown at once), and YAML policies read
// by Runner.fromYaml / Runner.fromFile with errors naming the file and the line.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const ob = require('..')

async function freePort() {
  const s = net.createServer()
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise((resolve) => s.close(resolve))
  return port
}

function policyText(port, hookPort) {
  return `version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = ${port}

[[rules]]
name = "APIDown"
metric = "opsbook_check_status"
match = { check = "api" }
alert_when = "at_or_above 2"
severity = "critical"
annotations = { summary = "接口无响应" }

[escalation.route]
receiver = "ops"
group_wait = "0s"

[[channels]]
name = "hook"
receiver = "ops"
type = "webhook"
url = "http://127.0.0.1:${hookPort}/alerts"
`
}

test('runPolicy sends once and keeps state', async () => {
  const bodies = []
  const server = http.createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      bodies.push(JSON.parse(data))
      res.end('ok')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-pass-'))
    const policy = path.join(dir, 'policy.toml')
    fs.writeFileSync(policy, policyText(await freePort(), server.address().port))
    const state = path.join(dir, 'state.json')
    const first = await ob.runPolicy(policy, { state, now: 1795400000, send: true })
    assert.equal(first.status, 'CRITICAL')
    assert.deepEqual(first.toJson().notifications.map((n) => n.state), ['delivered'])
    assert.match(first.report.toText(), /✓ firing → ops\/hook \(webhook\): APIDown 已发送/)
    assert.equal(bodies.length, 1)
    assert.equal(bodies[0].commonLabels.alertname, 'APIDown')
    const second = await ob.runPolicy(policy, { state, now: 1795400060, send: true })
    assert.deepEqual(second.toJson().notifications, [])
    assert.equal(bodies.length, 1)
    assert.throws(() => ob.runPolicy(policy, { report: 'weekly' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE')
    await assert.rejects(ob.runPolicy(path.join(dir, 'missing.toml'), { state }), { code: 'OPSBOOK_IO' })
  } finally {
    server.close()
  }
})

test('YAML policies', () => {
  const text = 'version: 1\nchecks:\n  - name: up\n    type: command\n    argv: ["true"]\n'
  assert.deepEqual(ob.Runner.fromYaml(text).checkNames, ['up'])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-yaml-'))
  const file = path.join(dir, 'p.yaml')
  fs.writeFileSync(file, text + '  - name: bad\n    type: command\n    argv: ["true"]\n    timeout: 5 seconds\n')
  assert.throws(
    () => ob.Runner.fromFile(file),
    (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes(`${file}:9: checks[1] (bad).timeout`),
  )
  fs.writeFileSync(file, text)
  assert.deepEqual(ob.Runner.fromFile(file).checkNames, ['up'])
})
