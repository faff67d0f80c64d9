"""Regenerates arima_reference.json, the outputs internal/forecast's ARIMA is tested against.

Run:  python3 -m venv /tmp/sfenv && /tmp/sfenv/bin/pip install statsforecast==2.1.1 pandas
      /tmp/sfenv/bin/python internal/forecast/testdata/gen_reference_arima.py > internal/forecast/testdata/arima_reference.json

Series: the non-intermittent series of gen_reference.py (AirPassengers, co2,
elec_equip, elnino, realgdp, cpi, unemp, nile, sunspots), each fitted on all
but its last h values.

Per series the file holds:
  "tests":  the differencing statsforecast's auto_arima_f chooses before its
            search: D from nsdiffs(test="seas") (seasonal strength of an STL
            decomposition > 0.64; only for m > 1 and more than 2m values) and
            d from ndiffs(test="kpss", alpha=0.05) on the seasonally
            differenced series, with the strength and the first KPSS statistic;
  "auto":   AutoARIMA(season_length=m) with default settings (stepwise,
            AICc, no approximation): orders (p,d,q,P,D,Q,m), whether it has a
            constant (drift or non-zero mean), AICc, log-likelihood, sigma2,
            coefficients, point forecasts and 80/95 intervals;
  "fixed":  single fits with fixed orders, ARIMA(order=..., seasonal_order=...,
            include_mean/include_drift as the constant flag says): the order
            AutoARIMA chose, the stepwise start models and one undifferenced
            model with a mean, so that likelihood, coefficients and forecasts
            of one model can be compared tightly; each with "css", the
            coefficients of method="CSS" (the starting values of CSS-ML).

Every fit also carries "loglik_exact": the exact log-likelihood at its
coefficients from a freshly built state space model.

statsforecast 2.1.1 reuses one state space model across the likelihood
evaluations of an optimisation, and its C++ filter writes the predicted
covariance back into the prior covariance Pn; arima's upARIMA resets only
the ARMA block of Pn. From the second evaluation on, the differencing states
(models with d+D > 0) start with variance ~0 at value 0 instead of the
diffuse prior (kappa = 1e6), so the first d+D*m observations enter the
likelihood as if the series had been zero before it began. The optimiser
then usually stops at its first point, the CSS estimates, whose first
(fresh) evaluation is better than any corrupted one, and "loglik" is the
exact likelihood there; sometimes (sunspots) it moves and "loglik" is a
corrupted value. R's arima does not share the matrix. So the file also holds
the same fits with that fixed, by giving the filter a copy of Pn on every
call: "auto_ml" (AutoARIMA) and "ml" inside every fixed fit. These are what
R's forecast::auto.arima computes, up to the optimiser.
"""
import contextlib
import json
import os
import sys
import warnings

import numpy as np
import statsforecast
import statsforecast.arima as sfa
import statsmodels.api as sm
from statsforecast.arima import arima_string, diff, ndiffs, nsdiffs, seas_heuristic
from statsforecast.models import ARIMA, AutoARIMA

# The same series as gen_reference.py (its intermittent ones aside).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_reference import series  # noqa: E402

warnings.filterwarnings("ignore")
LEVELS = [80, 95]


def tests(x, m):
    """The differencing auto_arima_f chooses, computed the same way."""
    out = {"D": 0, "strength": None}
    if m > 1 and len(x) > 2 * m:
        out["strength"] = float(seas_heuristic(x, m))
        out["D"] = int(nsdiffs(x, period=m, test="seas", max_D=1))
    dx = diff(x, m, out["D"]) if out["D"] > 0 else x
    out["d"] = int(ndiffs(dx, test="kpss", max_d=2))
    nlags = int(np.floor(3 * np.sqrt(len(dx)) / 13))
    out["kpss"] = float(sm.tsa.kpss(dx, "c", nlags=nlags)[0])
    return out


def orders(mod):
    a = mod["arma"]
    return [int(a[i]) for i in [0, 5, 1, 2, 6, 3, 4]]  # p, d, q, P, D, Q, m


_arima_like = sfa.arima_like


@contextlib.contextmanager
def fresh_prior():
    """Gives the filter a copy of Pn, so no evaluation sees another's."""
    sfa.arima_like = lambda y, phi, theta, delta, a, P, Pn, up, use_resid: _arima_like(
        y, phi, theta, delta, a, P, Pn.copy(), up, use_resid)
    try:
        yield
    finally:
        sfa.arima_like = _arima_like


def loglik_exact(mod, x):
    """The exact log-likelihood at mod's coefficients, from a fresh model."""
    m = mod["model"]
    fresh = sfa.make_arima(m["phi"], m["theta"], m["delta"])
    x = np.asarray(x, float).copy()
    coef = mod["coef"]
    if "intercept" in coef:
        x -= coef["intercept"]
    if "drift" in coef:
        x -= coef["drift"] * np.arange(1, len(x) + 1)
    ssq, sumlog, nu, _ = _arima_like(x, fresh["phi"], fresh["theta"], fresh["delta"], fresh["a"],
                                     fresh["P"], fresh["Pn"].copy(), 0, False)
    n = len(x) - len(m["delta"])
    fun = 0.5 * (np.log(ssq / nu) + sumlog / nu)
    return float(-0.5 * (2 * n * fun + n + n * np.log(2 * np.pi)))


def pack(mod, fc, x):
    coef = {k: float(v) for k, v in mod["coef"].items()}
    return {
        "model": arima_string(mod).strip(),
        "orders": orders(mod),
        "constant": "drift" in coef or "intercept" in coef,
        "aicc": float(mod["aicc"]),
        "loglik": float(mod["loglik"]),
        "loglik_exact": loglik_exact(mod, x),
        "sigma2": float(mod["sigma2"]),
        "coef": coef,
        "mean": fc["mean"].tolist(),
        "lower": {str(l): fc[f"lo-{l}"].tolist() for l in LEVELS},
        "upper": {str(l): fc[f"hi-{l}"].tolist() for l in LEVELS},
    }


def fixed(train, m, h, o, constant, method="CSS-ML"):
    p, d, q, P, D, Q = o
    mod = ARIMA(order=(p, d, q), season_length=m, seasonal_order=(P, D, Q),
                include_mean=constant and d + D == 0, include_drift=constant and d + D == 1, method=method)
    mod.fit(train)
    return pack(mod.model_, mod.predict(h, level=LEVELS), train)


def main():
    cases = []
    for name, m, h, y in series():
        train = y[:-h]
        c = {"name": name, "m": m, "h": h, "y": y.tolist(), "tests": tests(train, m)}
        auto = AutoARIMA(season_length=m).fit(train)
        c["auto"] = pack(auto.model_, auto.predict(h, level=LEVELS), train)
        with fresh_prior():
            auto = AutoARIMA(season_length=m).fit(train)
            c["auto_ml"] = pack(auto.model_, auto.predict(h, level=LEVELS), train)
        p, d, q, P, D, Q, _ = c["auto"]["orders"]
        const = d + D <= 1
        candidates = [((p, d, q, P, D, Q), c["auto"]["constant"]),
                      ((2, d, 2, 1, D, 1) if m > 1 else (2, d, 2, 0, 0, 0), const),
                      ((1, d, 0, 1, D, 0) if m > 1 else (1, d, 0, 0, 0, 0), const),
                      ((0, d, 1, 0, D, 1) if m > 1 else (0, d, 1, 0, 0, 0), const),
                      ((1, 0, 1, 1, 0, 0) if m > 1 else (2, 0, 1, 0, 0, 0), True)]
        c["fixed"] = []
        seen = set()
        for o, k in candidates:
            if (o, k) in seen:
                continue
            seen.add((o, k))
            try:
                f = fixed(train, m, h, o, k)
                f["css"] = fixed(train, m, h, o, k, method="CSS")["coef"]
                with fresh_prior():
                    f["ml"] = fixed(train, m, h, o, k)
                c["fixed"].append(f)
            except Exception as e:  # noqa: BLE001 - recorded, not fatal
                print(f"{name} {o}: {e}", file=sys.stderr)
        cases.append(c)
    json.dump({"generator": f"statsforecast {statsforecast.__version__}", "levels": LEVELS, "cases": cases},
              sys.stdout, indent=1)


main()
