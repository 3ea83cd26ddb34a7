// Every function that returns a Promise: when it rejects, the error carries the stable
// `code` (OPSBOOK_...) a thrown error carries — never napi's GenericFailure with the code
// hidden in the message. The functions whose outcomes are data resolve instead. The list
// is checked against index.d.ts, so a new async function must be added here.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ob = require('..')

const missing = path.join(os.tmpdir(), `opsbook-no-such-${process.pid}`)

const rejecting = {
  analyzeLogFiles: () => ob.analyzeLogFiles([path.join(missing, 'app.log')], 'iso-level'),
  buildManifest: () => ob.buildManifest(missing),
  reportFromPolicy: () => ob.reportFromPolicy(`${missing}.toml`),
  runPolicy: () => ob.runPolicy(`${missing}.toml`),
}

// Outcomes are data: a delivery that failed, a backup with problems, a probe that failed.
const resolving = {
  send: () =>
    new ob.Channel({ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:1/hook', retries: 0 }).send({
      labels: { alertname: 'X' },
    }),
  verifyBackup: () => ob.verifyBackup(missing),
  checkSystem: () => ob.checkSystem(200),
  run: () => ob.Runner.fromToml('version = 1\n[[checks]]\nname = "closed"\ntype = "tcp"\nhost = "127.0.0.1"\nport = 1\n').run(),
}

test('every async function of index.d.ts is listed here', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const names = [...dts.matchAll(/^\s*(?:export declare function )?(\w+)\([^)]*\)[^\n]*: Promise</gm)].map((m) => m[1])
  assert.deepEqual([...names].sort(), [...Object.keys(rejecting), ...Object.keys(resolving)].sort())
})

for (const [name, call] of Object.entries(rejecting)) {
  test(`${name} rejects with an OPSBOOK_ code`, async () => {
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof Error, `${name}: ${e}`)
      assert.equal(e.code, 'OPSBOOK_IO', `${name}: code ${e.code}, message ${e.message}`)
      assert.ok(e.message.includes('opsbook-no-such-'), `${name}: the message names the path: ${e.message}`)
      assert.ok(!e.message.startsWith('OPSBOOK_'), `${name}: the code is not packed into the message: ${e.message}`)
      return true
    })
  })
}

for (const [name, call] of Object.entries(resolving)) {
  test(`${name} resolves with its outcome`, async () => {
    const outcome = await call()
    assert.ok(outcome !== undefined && outcome !== null, name)
  })
}
