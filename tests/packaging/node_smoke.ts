// Compiled with tsc --strict and run from an empty project where the packed tarball was
// installed with `npm install ./opsbook-X.Y.Z.tgz`: no Rust, no source tree.
import { Manifest, Range, Status, Threshold, verifyBackup, version } from 'opsbook'

const t = Threshold.fromRanges(new Range('above 70', 'warn'), new Range('above 90', 'crit'))
if (t.evaluate(95) !== Status.CRITICAL) throw new Error('threshold')
const m: Manifest = Manifest.parse(new TextEncoder().encode('{ "PostgreSQL-Backup-Manifest-Version": 1,\n"Files": [\n],\n"Manifest-Checksum": "c101f4bfd1c0dffea32650177c6d41f267708a11050345caf5a27a2fa2cf1e17"}\n'))
if (m.files.length !== 0 || m.version !== 1) throw new Error('manifest')
void verifyBackup
console.log(`opsbook ${version()} installed from the package: ok`)
