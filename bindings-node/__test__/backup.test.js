// Backups through opsbook's Node API: tests/vectors/manifests.json and retention.json
// replayed; a manifest built, verified and checked by coreutils' sha256sum -c.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const manifests = JSON.parse(fs.readFileSync(path.join(VECTORS, 'manifests.json'), 'utf8')).cases
const retentionDoc = JSON.parse(fs.readFileSync(path.join(VECTORS, 'retention.json'), 'utf8'))

// UTF-8 as is, other bytes as \xNN (the vectors' way).
function pathText(bytes) {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let out = ''
  let start = 0
  for (let end = 1; end <= bytes.length; end++) {
    try {
      const s = decoder.decode(bytes.subarray(start, end))
      if (end === bytes.length || (bytes[end] & 0xc0) !== 0x80) {
        out += s
        start = end
      }
    } catch {
      if (end - start >= 4 || end === bytes.length) {
        out += `\\x${bytes[start].toString(16).padStart(2, '0')}`
        start += 1
        end = start
      }
    }
  }
  return out
}

test('manifest vectors', () => {
  let replayed = 0
  for (const c of manifests) {
    const data = Buffer.from(c.manifest, 'utf8')
    if (c.error) {
      assert.throws(() => ob.Manifest.parse(data), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes(c.error), c.id)
    } else {
      const m = ob.Manifest.parse(data)
      const got = m.files.map((f) => ({ path: pathText(f.pathBytes), size: f.size, algorithm: f.algorithm, checksum: f.checksum }))
      assert.deepEqual(got, c.files, c.id)
      assert.ok(Buffer.compare(m.toBytes(), data) === 0, `${c.id}: written back differently`)
    }
    replayed++
  }
  assert.equal(replayed, 44)
})

test('retention vectors', () => {
  let replayed = 0
  for (const c of retentionDoc.cases) {
    const backups = typeof c.backups === 'string' ? retentionDoc.snapshot_sets[c.backups] : c.backups
    const now = Date.parse(c.now) / 1000
    const groups = c.rule === 'find_mtime'
      ? [{ ...ob.findMtime(backups, c.policy.days, now), key: {} }]
      : ob.retention(backups, c.policy, c.group_by, now)
    const got = groups.map((g) => ({
      key: g.key,
      keep: g.keep.map((k) => ({ id: k.id, matches: k.matches, counters: k.counters })),
      forget: g.forget.map((f) => f.id),
    }))
    assert.deepEqual(got, c.groups, c.id)
    replayed++
  }
  assert.equal(replayed, 15)
  assert.throws(() => ob.retention([], { keep_daly: 7 }), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && e.message.includes('retention.keep_daly'))
})

test('build, verify off the JS thread, and sha256sum -c', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsbook-node-backup-'))
  fs.mkdirSync(path.join(dir, 'uploads'))
  fs.writeFileSync(path.join(dir, 'database.dump.gz'), Buffer.alloc(20000, 7))
  fs.writeFileSync(path.join(dir, 'uploads', 'a.png'), 'png')
  const m = await ob.buildManifest(dir, { algorithm: 'SHA256' })
  assert.equal(m.files.length, 2)
  fs.writeFileSync(path.join(dir, 'backup_manifest'), m.toBytes())
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'), m.toSums())
  const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' })
  assert.equal(out.match(/: OK/g).length, 2)
  assert.deepEqual(await ob.verifyBackup(dir, { ignore: ['SHA256SUMS'] }), { ok: true, problems: [], filesChecked: 2 })
  fs.writeFileSync(path.join(dir, 'uploads', 'a.png'), 'PNG')
  const result = await ob.verifyBackup(dir, { ignore: ['SHA256SUMS'] })
  assert.deepEqual(result.problems.map((p) => [p.kind, p.path]), [['checksum_mismatch', 'uploads/a.png']])
  const sums = await ob.verifyBackup(dir, { manifest: path.join(dir, 'SHA256SUMS') })
  assert.deepEqual(sums.problems.map((p) => [p.kind, p.path]), [['checksum_mismatch', 'uploads/a.png']])
  assert.throws(() => ob.buildManifest(dir, { algorithm: 'MD5' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE')
  await assert.rejects(ob.buildManifest(path.join(dir, 'missing')), { code: 'OPSBOOK_IO' })
  fs.rmSync(dir, { recursive: true })
})
