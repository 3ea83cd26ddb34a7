//! A small bounded Nelder-Mead minimiser over the unit box, used to fit smoothing
//! parameters (three or four of them, so a derivative-free simplex is the usual choice).

/// Minimises `f` over `[0, 1]^k` from `start`; points outside the box are projected onto it.
/// Stops after `max_evals` evaluations or when the simplex's values agree to `tol`.
pub(crate) fn nelder_mead(
    f: &mut dyn FnMut(&[f64]) -> f64,
    start: &[f64],
    max_evals: usize,
    tol: f64,
) -> (Vec<f64>, f64) {
    let k = start.len();
    let clamp = |p: &mut Vec<f64>| p.iter_mut().for_each(|x| *x = x.clamp(0.0, 1.0));
    let mut evals = 0usize;
    let mut eval = |p: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(k + 1);
    let mut first = start.to_vec();
    clamp(&mut first);
    let v = eval(&first, &mut evals);
    simplex.push((first.clone(), v));
    for i in 0..k {
        let mut p = first.clone();
        // Step inward from a face of the box so the vertex stays inside.
        p[i] = if p[i] > 0.5 { p[i] - 0.1 } else { p[i] + 0.1 };
        let v = eval(&p, &mut evals);
        simplex.push((p, v));
    }
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[k].1);
        if (worst - best).abs() <= tol * (best.abs() + tol) {
            let spread = (0..k).map(|d| simplex.iter().map(|s| (s.0[d] - simplex[0].0[d]).abs()).fold(0.0, f64::max));
            if spread.fold(0.0, f64::max) < 1e-7 {
                break;
            }
        }
        let centroid: Vec<f64> = (0..k).map(|d| simplex[..k].iter().map(|s| s.0[d]).sum::<f64>() / k as f64).collect();
        let towards = |t: f64| -> Vec<f64> {
            let mut p: Vec<f64> = (0..k).map(|d| centroid[d] + t * (simplex[k].0[d] - centroid[d])).collect();
            clamp(&mut p);
            p
        };
        let reflected = towards(-1.0);
        let fr = eval(&reflected, &mut evals);
        if fr < simplex[0].1 {
            let expanded = towards(-2.0);
            let fe = eval(&expanded, &mut evals);
            simplex[k] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[k - 1].1 {
            simplex[k] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[k].1 { towards(-0.5) } else { towards(0.5) };
            let fc = eval(&contracted, &mut evals);
            if fc < fr.min(simplex[k].1) {
                simplex[k] = (contracted, fc);
            } else {
                // Shrink everything towards the best vertex.
                let best = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let mut p: Vec<f64> = (0..k).map(|d| best[d] + 0.5 * (vertex.0[d] - best[d])).collect();
                    clamp(&mut p);
                    let v = eval(&p, &mut evals);
                    *vertex = (p, v);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::nelder_mead;

    #[test]
    fn finds_an_interior_minimum_and_one_on_the_boundary() {
        let mut bowl = |p: &[f64]| (p[0] - 0.3).powi(2) + 10.0 * (p[1] - 0.7).powi(2);
        let (p, v) = nelder_mead(&mut bowl, &[0.9, 0.1], 2000, 1e-15);
        assert!((p[0] - 0.3).abs() < 1e-5 && (p[1] - 0.7).abs() < 1e-5 && v < 1e-9, "{p:?} {v}");
        let mut outside = |p: &[f64]| (p[0] + 1.0).powi(2) + (p[1] - 0.5).powi(2);
        let (p, _) = nelder_mead(&mut outside, &[0.5, 0.5], 2000, 1e-15);
        assert!(p[0] < 1e-6 && (p[1] - 0.5).abs() < 1e-5, "{p:?}");
    }
}
