// An Express service embedding opsbook: its health endpoints and its alert rules, in process.
//
//   GET /health          application/health+json (200, or 503 when a check is CRITICAL);
//                        checks and values for callers on this host, the status for others
//   GET /health/live, /health/ready   the checks tagged liveness / readiness
//   GET /metrics         Prometheus text
//   GET /ops/alerts      what fires now
//
// In the background, every OPSBOOK_EVAL_SECONDS (default 15), the checks run (on opsbook's
// own threads, not libuv's pool), the policy's rules are evaluated on the results and each
// notification is delivered to the policy's webhook channel.
//
//   EXAMPLE_UPSTREAM_URL=http://127.0.0.1:8001/health EXAMPLE_ALERT_WEBHOOK=http://127.0.0.1:9000/alerts \
//     PORT=3000 node examples/express_app.js
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { Runner, AlertPipeline, Channel } = require('opsbook')
const { mountExpress } = require('opsbook/http')

const POLICY = process.env.OPSBOOK_POLICY || path.join(__dirname, 'service.toml')
const EVERY_MS = Number(process.env.OPSBOOK_EVAL_SECONDS || 15) * 1000

const runner = Runner.fromFile(POLICY)
const pipeline = AlertPipeline.fromToml(fs.readFileSync(POLICY, 'utf8'))
const webhook = Channel.fromPolicy(POLICY, 'ops-webhook')
const firing = new Map()

async function evaluateRules() {
  const report = await runner.run()
  const outcome = pipeline.evaluate(Date.now() / 1000, report.samples())
  for (const e of outcome.events) {
    if (e.kind === 'firing') firing.set(e.fingerprint, { alertname: e.rule, labels: e.labels, value: e.value })
    if (e.kind === 'resolved') firing.delete(e.fingerprint)
  }
  for (const n of outcome.notifications) {
    for (const d of await webhook.send(n)) {
      if (!d.delivered) console.warn('alert not delivered', d.attempts.at(-1))
    }
  }
}

async function evaluateForever() {
  try {
    await evaluateRules()
  } catch (e) {
    console.error('rule evaluation failed:', e.message)
  }
  setTimeout(evaluateForever, EVERY_MS).unref()
}

const app = express()
const isOperator = (req) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress)
mountExpress(app, runner, { detailed: isOperator })
app.get('/ops/alerts', (req, res) => res.json([...firing.values()]))
app.get('/api/hello', (req, res) => res.json({ hello: 'world' }))

const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`)
  evaluateForever()
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
