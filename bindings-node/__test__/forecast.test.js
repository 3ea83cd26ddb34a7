// Forecasts through opsbook's typed Node API: tests/vectors/forecasts.json and
// holt_winters.json replayed, Float64Array read in place.
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const ob = require('..')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')
const load = (name) => JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'))
const num = (v) => (typeof v === 'string' ? { nan: NaN, inf: Infinity, '-inf': -Infinity }[v] : v)
const nums = (a) => a.map(num)
// Options objects take undefined for "none".
const opt = (v) => (v === null ? undefined : v)

function close(got, want, rel, what) {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got} is not NaN`)
  assert.ok(Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1), `${what}: got ${got}, want ${want}`)
}

function run(c) {
  switch (c.kind) {
    case 'predict_linear':
      return ob.predictLinear(nums(c.times), nums(c.values), c.at, c.seconds, { window: opt(c.window), mode: c.mode })
    case 'deriv':
      return ob.deriv(new Float64Array(nums(c.times)), new Float64Array(nums(c.values)), {
        at: opt(c.at),
        window: opt(c.window),
        mode: c.mode,
      })
    case 'smoothing':
      return ob.doubleExponentialSmoothing(nums(c.values), c.sf, c.tf)
    case 'time_to_threshold':
      return ob.timeToThreshold(nums(c.times), nums(c.values), c.at, c.limit, { horizon: c.horizon, breach: c.breach })
    case 'compound':
      return ob.compound(c.current, c.rate, c.periods)
    case 'growth_rate':
      return ob.growthRate(nums(c.times), nums(c.values), { period: c.period, counter: c.counter })
    case 'capacity': {
      const resources = c.resources.map((r) => ({
        name: r.name,
        current: r.current,
        monthlyGrowth: opt(r.monthly_growth),
        limit: opt(r.limit),
      }))
      const plan = ob.capacityPlan(resources, { months: c.months, growthLimitPercent: c.growth_limit_percent })
      return plan.toMarkdown(c.date, c.language)
    }
    case 'sizing': {
      const rules = c.rules === null ? undefined : c.rules.map((r) => ({ resource: r.resource, perUsers: opt(r.per_users), perUser: opt(r.per_user), minimum: opt(r.minimum) }))
      return ob.resourceNeeds(c.users, { monthlyGrowth: c.monthly_growth, months: c.months, rules })
    }
    default:
      throw new Error(`unknown kind ${c.kind}`)
  }
}

test('forecast vectors', () => {
  const cases = load('forecasts.json').cases
  let replayed = 0
  for (const c of cases) {
    if (c.error) {
      assert.throws(
        () => run(c),
        (e) => e.code === c.error.code && e.message.includes(c.error.field),
        c.id,
      )
    } else {
      const got = run(c)
      if (c.kind === 'capacity') {
        assert.equal(got, c.expect, c.id)
      } else if (c.kind === 'sizing') {
        close(got.users, c.expect.users, 1e-9, `${c.id} users`)
        assert.deepEqual(Object.keys(got.needs).sort(), Object.keys(c.expect.needs).sort(), c.id)
        for (const [k, v] of Object.entries(c.expect.needs)) close(got.needs[k], v, 1e-9, `${c.id} ${k}`)
      } else if (typeof c.expect === 'object') {
        assert.equal(got.kind, c.expect.kind, c.id)
        for (const key of ['seconds', 'earliest', 'latest']) {
          if (key in c.expect) close(got[key], c.expect[key], 1e-9, `${c.id}.${key}`)
        }
      } else {
        close(got, num(c.expect), 1e-9, c.id)
      }
    }
    replayed++
  }
  assert.equal(replayed, 33)
})

test('holt-winters vectors', () => {
  const cases = load('holt_winters.json').cases
  let replayed = 0
  for (const c of cases) {
    const model = new ob.HoltWinters(c.season_length || undefined, c.damped)
    const init = c.initialization === 'known' ? { ...c.known } : c.initialization
    const p = c.params
    const fit = model.smooth(c.values, { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi }, init)
    const e = c.expect
    close(fit.initial.level, e.initial.level, 1e-6, `${c.id} level`)
    close(fit.initial.trend, e.initial.trend, 1e-6, `${c.id} trend`)
    e.initial.seasonal.forEach((s, i) => close(fit.initial.seasonal[i], s, 1e-6, `${c.id} seasonal[${i}]`))
    e.fitted.forEach((f, i) => close(fit.fitted[i], f, 1e-6, `${c.id} fitted[${i}]`))
    close(fit.sse, e.sse, 1e-6, `${c.id} sse`)
    const points = fit.forecastIntervals(e.horizon, e.coverage)
    assert.equal(points.length, e.horizon)
    points.forEach((pt, i) => {
      close(pt.mean, e.forecast[i], 1e-6, `${c.id} forecast[${i}]`)
      close((pt.upper - pt.lower) / 2, e.half_width[i], 1e-6, `${c.id} half width[${i}]`)
    })
    replayed++
  }
  assert.equal(replayed, 7)
})

test('Float64Array and arrays give the same answers; bad input has codes', () => {
  const t = Float64Array.from({ length: 10 }, (_, i) => i * 60)
  const v = t.map((x) => 3 + 0.5 * x)
  assert.equal(ob.deriv(t, v), 0.5)
  assert.equal(ob.deriv(Array.from(t), Array.from(v)), 0.5)
  assert.equal(ob.predictLinear(t, v, 540, 60), 3 + 0.5 * 600)
  assert.throws(() => ob.deriv([0, 10, 10], [1, 2, 3]), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /timestamps/.test(e.message))
  assert.throws(() => ob.deriv([0, 10], [1, 2, 3]), /2 timestamps but 3 values/)
  assert.throws(() => ob.predictLinear(t, v, 540, 60, { mode: 'sideways' }), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /mode/.test(e.message))
  assert.throws(() => new ob.HoltWinters(1), (e) => e.code === 'OPSBOOK_INVALID_VALUE' && /season_length/.test(e.message))
  assert.throws(() => new ob.HoltWinters(12).fit([1, 2, 3]), (e) => /values/.test(e.message))
  const fit = new ob.HoltWinters(4).fit(Float64Array.from({ length: 40 }, (_, i) => 10 + 2 * i + [3, -1, -4, 2][i % 4]), 'estimated')
  assert.ok(fit.sse < 1e-12, `sse ${fit.sse}`)
  close(fit.forecast(1)[0], 10 + 2 * 40 + 3, 1e-9, 'exact seasonal forecast')
  assert.equal(ob.doublingTime(0), null)
  const plan = ob.capacityPlan([{ name: 'disk_gb', current: 500, monthlyGrowth: 0.05, limit: 1000 }])
  close(plan.resources[0].monthsToExhaustion, Math.log(2) / Math.log(1.05), 1e-12, 'months to exhaustion')
  assert.equal(JSON.parse(plan.toJson()).resources[0].needs_expansion, false)
})
