// opsbook/http with real Express and Fastify servers and real HTTP requests.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')

const express = require('express')
const Fastify = require('fastify')

const { Runner } = require('..')
const { mountExpress, fastifyHealth } = require('../http')

const closedPort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function runner() {
  return Runner.fromToml(`
version = 1
[[checks]]
name = "nginx"
type = "command"
argv = ["sh", "-c", "echo active"]
tags = ["liveness"]
[[checks]]
name = "backend-port"
type = "tcp"
host = "127.0.0.1"
port = ${await closedPort()}
tags = ["readiness"]
`)
}

async function expectEndpoints(base, detailed) {
  let r = await fetch(`${base}/health/live`)
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /^application\/health\+json/)
  const live = await r.json()
  assert.equal(live.status, 'pass')
  if (detailed) assert.equal(live.checks['nginx:exit_code'][0].observedValue, 0)
  else assert.deepEqual(live, { status: 'pass' })
  r = await fetch(`${base}/health/ready`)
  assert.equal(r.status, 503)
  assert.equal((await r.json()).status, 'fail')
  r = await fetch(`${base}/health`)
  assert.equal(r.status, 503)
  r = await fetch(`${base}/metrics`)
  assert.equal(r.status, 200)
  // Express reorders the parameters; Prometheus reads either order.
  assert.match(r.headers.get('content-type'), /^text\/plain;.*version=0\.0\.4/)
  assert.match(await r.text(), /opsbook_check_status\{check="backend-port"\} 2/)
}

test('Express', async () => {
  const app = express()
  mountExpress(app, await runner(), { detailed: true })
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    await expectEndpoints(`http://127.0.0.1:${server.address().port}`, true)
  } finally {
    server.close()
  }
})

test('Fastify, public form', async () => {
  const app = Fastify()
  await app.register(fastifyHealth, { runner: await runner(), detailed: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    await expectEndpoints(`http://127.0.0.1:${app.server.address().port}`, false)
  } finally {
    await app.close()
  }
})
