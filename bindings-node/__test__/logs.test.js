// Log analysis through opsbook's Node API: tests/vectors/logs.json replayed; gzip files.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const zlib = require('node:zlib')

const ob = require('..')

const cases = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'logs.json'), 'utf8')).cases

test('log vectors', () => {
  assert.equal(cases.length, 8)
  for (const c of cases) {
    const run = () => ob.analyzeLogLines(c.lines, c.format, c.options)
    if (c.error) {
      assert.throws(run, (e) => e.code === 'OPSBOOK_INVALID_VALUE' && c.error.every((p) => e.message.includes(p)), c.name)
    } else {
      assert.deepEqual(run(), c.want, c.name)
    }
  }
})

test('files, plain and gzipped, off the JS thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-logs-'))
  const line = (i, s) => `10.0.0.1 - - [01/May/2024:16:00:00 +0800] "GET /api/x/${i} HTTP/1.1" ${s} 1 "-" "ua" 0.100\n`
  fs.writeFileSync(path.join(dir, 'access.log'), Array.from({ length: 30 }, (_, i) => line(i, 200)).join(''))
  fs.writeFileSync(path.join(dir, 'access.log.1.gz'), zlib.gzipSync(Array.from({ length: 10 }, (_, i) => line(i, 500)).join('')))
  const report = await ob.analyzeLogFiles([path.join(dir, 'access.log'), path.join(dir, 'access.log.1.gz')], 'nginx')
  assert.deepEqual(report.endpoints.map((e) => [e.endpoint, e.requests, e.errors, e.error_rate]), [['GET /api/x/{id}', 40, 10, 25]])
  await assert.rejects(ob.analyzeLogFiles([path.join(dir, 'missing.log')], 'nginx'), /missing\.log/)
  assert.throws(() => ob.analyzeLogFiles([], '(?P<when>x)'), (e) => e.code === 'OPSBOOK_INVALID_VALUE')
  fs.rmSync(dir, { recursive: true })
})
