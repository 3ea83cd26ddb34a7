// opsbook state from Node: stores and once-only delivery, on memory, a file and the real Redis.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ob = require('..')

test('delivery once across replicas', () => {
  const engine = new ob.RuleEngine([{ name: 'Down', metric: 'up', alertWhen: 'below 1' }])
  const [firing] = engine.evaluate(0, [{ metric: 'up', value: 0, labels: { job: 'api' } }]).filter((e) => e.notify)
  const id = ob.deliveryId(firing)
  assert.match(id, /^Down:[0-9a-f]{16}:firing:0$/)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-node-state-'))
  const stores = [ob.Store.memory(), ob.Store.file(path.join(dir, 'state.json'))]
  if (process.env.OPSBOOK_TEST_REDIS_URL) stores.push(ob.Store.redis(process.env.OPSBOOK_TEST_REDIS_URL, `node-${process.pid}:`))
  else if (process.env.CI === 'true') assert.fail('OPSBOOK_TEST_REDIS_URL is not set: run scripts/test.sh')
  for (const store of stores) {
    const sent = []
    const a = new ob.DeliveryLog(store, 'replica-a', 5)
    const b = new ob.DeliveryLog(store, 'replica-b', 5)
    assert.equal(store.acquire(`lease:${id}`, 'replica-c', 5), true)
    assert.equal(a.deliver(id, () => sent.push('a')), 'busy')
    store.release(`lease:${id}`, 'replica-c')
    assert.throws(() => a.deliver(id, () => { throw new Error('sink down') }), (e) => e.code === 'OPSBOOK_IO' && /sink down/.test(e.message))
    assert.equal(a.deliver(id, () => sent.push('a')), 'sent')
    assert.equal(b.deliver(id, () => sent.push('b')), 'already_sent')
    assert.deepEqual(sent, ['a'])
  }
  fs.rmSync(dir, { recursive: true })
})

test('engine state survives a restart', () => {
  const rules = [{ name: 'HighCPU', metric: 'cpu', alertWhen: 'above 80', for: '2m', keepFiringFor: '1m' }]
  const values = [90, 90, 90, 50, 90, 90, 50, 50, 95, 95, 95, 95]
  const whole = new ob.RuleEngine(rules)
  const expected = values.flatMap((v, i) => whole.evaluate(i * 60, [{ metric: 'cpu', value: v }]).map((e) => [e.time, e.kind]))
  const store = ob.Store.memory()
  let engine = new ob.RuleEngine(rules)
  const got = []
  values.forEach((v, i) => {
    if (i % 3 === 0) {
      engine.save(store, 'engine')
      engine = new ob.RuleEngine(rules)
      assert.equal(engine.load(store, 'engine'), true)
    }
    got.push(...engine.evaluate(i * 60, [{ metric: 'cpu', value: v }]).map((e) => [e.time, e.kind]))
  })
  assert.deepEqual(got, expected)
  assert.ok(got.some(([, k]) => k === 'firing'))
  const fresh = new ob.RuleEngine(rules)
  fresh.restore(whole.snapshot())
  assert.deepEqual(fresh.alerts().map((a) => a.state), whole.alerts().map((a) => a.state))
  assert.throws(() => fresh.restore('{"version": 9}'), /snapshot/)
})
