// The Node part of tests/secrets/scan.py: prints everything opsbook's Node API gives back
// for a policy whose secrets are planted (results, rendered requests, send outcomes, errors).
'use strict'

const fs = require('node:fs')
const ob = require('../../bindings-node')

async function main() {
  const [policy, alertFile] = process.argv.slice(2)
  const alert = JSON.parse(fs.readFileSync(alertFile, 'utf8'))
  const text = fs.readFileSync(policy, 'utf8')
  const health = await ob.Runner.fromToml(text).run()
  console.log(health.toHealthJson(), health.toJson(), health.toPrometheus(), health.toTable(), JSON.stringify(health.toNagios()))
  console.log((await ob.reportFromPolicy(policy)).toText())
  const state = require('node:path').join(require('node:os').tmpdir(), `opsbook-secrets-node-${process.pid}.json`)
  const passed = await ob.runPolicy(policy, { state, send: true })
  console.log(JSON.stringify(passed.toJson()), passed.report.toText(), fs.readFileSync(state, 'utf8'))
  fs.rmSync(state, { force: true })
  for (const name of ['ding', 'wecom', 'feishu', 'slack', 'hook', 'mail']) {
    const c = ob.Channel.fromPolicy(policy, name)
    console.log(JSON.stringify(c.render(alert)))
    try {
      console.log(JSON.stringify(await c.send(alert)))
    } catch (e) {
      console.log(`send ${name}: ${e.code} ${e.message} ${e.stack}`)
    }
  }
  for (const bad of [
    { name: 'd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=LitTok-55c0de' },
  ]) {
    try {
      new ob.Channel(bad)
      throw new Error('a literal token was accepted')
    } catch (e) {
      console.log(`bad channel: ${e.code} ${e.message} ${e.stack}`)
    }
  }
  try {
    ob.Runner.fromToml('version = 1\n[[checks]]\nname = "db"\ntype = "postgres"\ndsn = "postgresql://u:LitPw-19aa07@127.0.0.1:1/db"\n')
    throw new Error('a literal password was accepted')
  } catch (e) {
    console.log(`bad dsn: ${e.code} ${e.message}`)
  }
}

main().catch((e) => {
  console.log(`unexpected: ${e.stack}`)
  process.exit(1)
})
