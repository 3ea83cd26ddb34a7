// Alert messages through opsbook's Node API: tests/vectors/templates.json and
// alert_messages.json replayed; a message sent to a real HTTP server in this process.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const templates = JSON.parse(fs.readFileSync(path.join(VECTORS, 'templates.json'), 'utf8')).cases
const messages = JSON.parse(fs.readFileSync(path.join(VECTORS, 'alert_messages.json'), 'utf8')).cases
const DOWN = [
  {
    labels: { alertname: 'ServiceDown', instance: 'api:8000', severity: 'critical' },
    annotations: { summary: '服务 api:8000 已停止', description: '教育AI服务已经停止超过2分钟' },
    startsAt: '2024-05-01T08:00:00Z',
  },
]

test('every vector is replayed', () => {
  assert.equal(templates.length, 88)
  assert.equal(messages.length, 29)
})

test('templates render as Prometheus and Alertmanager do', () => {
  for (const c of templates) {
    const options = { markup: c.markup ?? 'plain' }
    for (const key of ['data', 'alert', 'group']) {
      if (key in c) options[key] = c[key]
    }
    if (c.error) {
      assert.throws(
        () => ob.renderTemplate(c.template, options),
        (e) => e.code === 'OPSBOOK_INVALID_VALUE' && c.error.every((p) => e.message.includes(p)),
        c.name,
      )
    } else {
      assert.equal(ob.renderTemplate(c.template, options), c.want, c.name)
    }
  }
})

test('channels render the documented requests', () => {
  for (const c of messages) {
    const render = () => new ob.Channel(c.channel).render(c.alerts, { now: c.now_ms / 1000, secrets: c.secrets })
    if (c.error) {
      assert.throws(
        render,
        (e) => e.code.startsWith('OPSBOOK_') && c.error.every((p) => e.message.includes(p)) &&
          Object.values(c.secrets).every((s) => !e.message.includes(s)),
        c.name,
      )
      continue
    }
    const got = render()
    for (const r of got) delete r.mime
    assert.deepEqual(got, c.want, c.name)
  }
})

test('one-alert cases render the same bodies each', () => {
  let compared = 0
  for (const c of messages) {
    if (!c.want || !Array.isArray(c.alerts) || c.alerts.length !== 1 || c.channel.type === 'email') continue
    const ch = new ob.Channel(c.channel)
    const bodies = ch.renderBodies(JSON.stringify(c.alerts), { now: c.now_ms / 1000, secrets: c.secrets })
    const parsed = bodies.map((b) => { try { return JSON.parse(b) } catch { return b } })
    assert.deepEqual(parsed, c.want.map((r) => r.body), c.name)
    compared++
  }
  assert.equal(compared, 7)
})

test('the DingTalk signature is HMAC-SHA256 as node:crypto computes it', () => {
  const secret = 'SEC-node'
  const now = 1714550400123
  const ch = new ob.Channel({ name: 'd', type: 'dingtalk', token_env: 'T', secret_env: 'S' })
  const [request] = ch.render(DOWN, { now: now / 1000, secrets: { T: 'tok', S: secret } })
  const url = new URL(request.url)
  const sign = crypto.createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64')
  assert.equal(url.searchParams.get('sign'), sign)
  assert.equal(url.searchParams.get('timestamp'), String(now))
  assert.ok(!JSON.stringify(request).includes(secret))
})

test('send retries a 503 and decides success from the body', async () => {
  const received = []
  const answers = [[503, 'busy'], [200, '{"errcode":0,"errmsg":"ok"}']]
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d) => { body += d })
    req.on('end', () => {
      received.push({ url: req.url, body })
      const [status, text] = answers.length > 1 ? answers.shift() : answers[0]
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(text)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${server.address().port}/robot/send`
    const ch = new ob.Channel({ name: 'd', type: 'dingtalk', url, token_env: 'T', backoff: '10ms' })
    const [delivery] = await ch.send(DOWN, { secrets: { T: 't0ken' } })
    assert.equal(delivery.delivered, true)
    assert.deepEqual(delivery.attempts.map((a) => a.outcome), ['http_error', 'delivered'])
    assert.ok(!JSON.stringify(delivery).includes('t0ken'))
    assert.equal(received.at(-1).url, '/robot/send?access_token=t0ken')
    assert.equal(JSON.parse(received.at(-1).body).markdown.title, '【critical】监控告警')
  } finally {
    server.close()
  }
})

test('bad input throws with its code, naming the field', () => {
  assert.throws(() => new ob.Channel({ name: 'x', type: 'text', tz: 'Mars/Olympus' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /tz/.test(e.message))
  const ch = new ob.Channel({ name: 'x', type: 'wecom', token_env: 'OPSBOOK_TEST_UNSET' })
  assert.throws(() => ch.render(DOWN), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('OPSBOOK_TEST_UNSET'))
  assert.throws(() => ch.send([{ labels: {}, startsAt: 'soon' }], { secrets: { OPSBOOK_TEST_UNSET: 'k' } }), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('startsAt'))
  assert.throws(() => ob.renderTemplate('{{ .X }}', { markup: 'latex' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE')
})
