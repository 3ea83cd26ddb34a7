// Health endpoints for Node HTTP frameworks, served from an opsbook Runner.
//
//   const { Runner } = require('opsbook')
//   const { mountExpress } = require('opsbook/http')
//   mountExpress(app, Runner.fromToml(fs.readFileSync('policy.toml', 'utf8')))
//
// GET /health (application/health+json; 200, or 503 when a check is CRITICAL),
// /health/live and /health/ready (checks tagged liveness / readiness), /metrics
// (Prometheus text). /health is public (status only) unless `detailed` is true or a
// function of the request returning true: values can reveal internals.
'use strict'

const { statusHttp } = require('./index.js')

const HEALTH_JSON = 'application/health+json'
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'
const ROUTES = [
  ['/health', null],
  ['/health/live', 'liveness'],
  ['/health/ready', 'readiness'],
]

/** The response for a health route, framework-neutral: { statusCode, contentType, body }. */
async function healthResponse(runner, { tag = null, detailed = false, request = null } = {}) {
  const report = await runner.run(tag ?? undefined)
  const show = typeof detailed === 'function' ? Boolean(detailed(request)) : Boolean(detailed)
  return { statusCode: statusHttp(report.status), contentType: HEALTH_JSON, body: report.toHealthJson(show) }
}

/** The response for /metrics. */
async function metricsResponse(runner) {
  const report = await runner.run()
  return { statusCode: 200, contentType: PROMETHEUS_TEXT, body: report.toPrometheus() }
}

/** Adds the routes to an Express app (or router). */
function mountExpress(app, runner, { detailed = false, prefix = '' } = {}) {
  const send = (res, r) => res.status(r.statusCode).set('Content-Type', r.contentType).set('Cache-Control', 'no-store').send(r.body)
  for (const [path, tag] of ROUTES) {
    app.get(prefix + path, (req, res, next) => healthResponse(runner, { tag, detailed, request: req }).then((r) => send(res, r), next))
  }
  app.get(prefix + '/metrics', (req, res, next) => metricsResponse(runner).then((r) => send(res, r), next))
}

/** A Fastify plugin: `fastify.register(fastifyHealth, { runner, detailed, prefix })`. */
async function fastifyHealth(fastify, { runner, detailed = false, prefix = '' }) {
  const send = (reply, r) => reply.code(r.statusCode).header('Content-Type', r.contentType).header('Cache-Control', 'no-store').send(r.body)
  for (const [path, tag] of ROUTES) {
    fastify.get(prefix + path, async (request, reply) => send(reply, await healthResponse(runner, { tag, detailed, request })))
  }
  fastify.get(prefix + '/metrics', async (request, reply) => send(reply, await metricsResponse(runner)))
}
// Lets Fastify register the routes on the parent instance instead of an encapsulated child.
fastifyHealth[Symbol.for('skip-override')] = true

module.exports = { healthResponse, metricsResponse, mountExpress, fastifyHealth, HEALTH_JSON, PROMETHEUS_TEXT }
