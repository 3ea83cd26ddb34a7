// Runner: checks declared in TOML/JSON, run as Promises against real local components.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const http = require('node:http')

const ob = require('..')

const closedPort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

test('run() is a Promise that leaves the event loop free', async () => {
  const port = await closedPort()
  const runner = ob.Runner.fromToml(`
version = 1
[[checks]]
name = "nginx"
type = "command"
argv = ["sh", "-c", "sleep 0.5; echo active"]
tags = ["liveness"]
[[checks]]
name = "backend-port"
type = "tcp"
host = "127.0.0.1"
port = ${port}
`)
  assert.deepEqual(runner.checkNames, ['nginx', 'backend-port'])
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const report = await runner.run()
  clearInterval(timer)
  assert.ok(ticks >= 10, `the event loop turned ${ticks} times during a 0.5 s check`)
  assert.deepEqual(report.checks.map((c) => c.status), ['OK', 'CRITICAL'])
  assert.match(report.checks[1].error, /refused/)
  const live = await runner.run('liveness')
  assert.equal(live.status, 'OK')
  assert.equal(JSON.parse(report.toJson()).exit_code, 2)
})

test('a real HTTP server: 200, 500 and a latency threshold', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/ok') res.end('healthy')
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 700)
    else {
      res.statusCode = 500
      res.end('boom')
    }
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${server.address().port}`
  const runner = ob.Runner.fromJson(
    JSON.stringify({
      version: 1,
      checks: [
        { name: 'ok', type: 'http', url: `${base}/ok` },
        { name: 'fail', type: 'http', url: `${base}/fail` },
        { name: 'slow', type: 'http', url: `${base}/slow`, thresholds: { latency: { warn: { at_or_above: 100 }, crit: { above: 500 } } } },
        { name: 'hung', type: 'http', url: `${base}/slow`, timeout: '200ms' },
      ],
    }),
  )
  const report = await runner.run()
  server.close()
  assert.deepEqual(report.checks.map((c) => c.status), ['OK', 'CRITICAL', 'CRITICAL', 'CRITICAL'])
  assert.equal(report.checks[3].summary, 'timed out after 200ms')
})

test('bad policies throw with a code and the key', () => {
  assert.throws(() => ob.Runner.fromToml('version = 1\n[[checks]]\nname = "x"\ntype = "tcp"\nhost = "h"\nport = 1\nprot = 2\n'), {
    code: 'OPSBOOK_INVALID_VALUE',
    message: /prot/,
  })
})

test('real Redis and PostgreSQL through environment secrets', async (t) => {
  if (!process.env.OPSBOOK_TEST_REDIS_URL || !process.env.OPSBOOK_TEST_POSTGRES_URL) {
    if (process.env.CI === 'true') assert.fail('CI=true needs OPSBOOK_TEST_REDIS_URL and OPSBOOK_TEST_POSTGRES_URL')
    t.skip('servers not started (scripts/test.sh starts them)')
    return
  }
  const runner = ob.Runner.fromJson(
    JSON.stringify({
      version: 1,
      checks: [
        { name: 'cache', type: 'redis', url_env: 'OPSBOOK_TEST_REDIS_URL' },
        { name: 'db', type: 'postgres', dsn_env: 'OPSBOOK_TEST_POSTGRES_URL' },
      ],
    }),
  )
  const report = await runner.run()
  assert.equal(report.status, 'OK', report.toTable())
})
