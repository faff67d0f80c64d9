"""Regenerates reference.json, the outputs internal/forecast is tested against.

Run:  python3 -m venv /tmp/sfenv && /tmp/sfenv/bin/pip install statsforecast==2.1.1 pandas
      /tmp/sfenv/bin/python internal/forecast/testdata/gen_reference.py > internal/forecast/testdata/reference.json

Series: AirPassengers (shipped by statsforecast), monthly/quarterly/annual series
shipped by statsmodels (a statsforecast dependency): co2 (weekly, averaged to
monthly, last 240 months), elec_equip, elnino (last 240 months), macrodata
realgdp/cpi/unemp (quarterly), nile and sunspots (annual, last 120 years), and
six intermittent series drawn here with a fixed seed (numpy default_rng(11):
Bernoulli occurrence times a Poisson or negative-binomial size), because no
package on the allowed registries ships an intermittent demand data set.
Every series is fitted on all but its last h values; the forecasts are for the
held-out h. For ETS the file holds AutoETS's choice and, under "each", every
model AutoETS considers fitted alone (AutoETS(model=..., damped=...)), so the
Go tests can compare single fits where both optimisers reach the same
likelihood.
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd
import statsforecast
import statsmodels.api as sm
from statsforecast.models import (
    ADIDA, IMAPA, TSB, AutoETS, CrostonClassic, CrostonSBA, Naive,
    SeasonalNaive, Theta,
)
from statsforecast.utils import AirPassengers

warnings.filterwarnings("ignore")
LEVELS = [80, 95]


def series():
    out = [("AirPassengers", 12, 12, np.asarray(AirPassengers, float))]
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    out.append(("co2", 12, 24, co2.to_numpy()[-240:]))
    from statsmodels.datasets import elec_equip
    ee = elec_equip.load_pandas().data.iloc[:, 0]
    out.append(("elec_equip", 12, 12, ee.to_numpy(float)))
    el = sm.datasets.elnino.load_pandas().data.iloc[:, 1:13].to_numpy(float).ravel()
    out.append(("elnino", 12, 12, el[-240:]))
    md = sm.datasets.macrodata.load_pandas().data
    for col in ["realgdp", "cpi", "unemp"]:
        out.append((col, 4, 8, md[col].to_numpy(float)))
    out.append(("nile", 1, 10, sm.datasets.nile.load_pandas().data["volume"].to_numpy(float)))
    ss = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float)
    out.append(("sunspots", 1, 10, ss[-120:]))
    return out


def intermittent():
    rng = np.random.default_rng(11)
    out = []
    for i, (p, size) in enumerate([(0.3, 3), (0.15, 2), (0.5, 5), (0.08, 1), (0.25, 8), (0.6, 2)]):
        n = 120 + 30 * i
        occur = rng.random(n) < p
        occur[rng.integers(0, 10)] = True  # at least one demand early on
        if i % 2 == 0:
            sz = 1 + rng.poisson(size, n)
        else:
            sz = 1 + rng.negative_binomial(2, 2 / (2 + size), n)
        out.append((f"intermittent{i}", 1, 14, (occur * sz).astype(float)))
    return out


def run(model, train, h):
    model.fit(train)
    return model, model.predict(h, level=LEVELS)


def each_ets(train, m, h):
    """Every model AutoETS considers, fitted alone (fresh parameter bounds)."""
    out = {}
    positive = train.min() > 0
    for e in "AM":
        for t in "NA":
            for s in "NAM":
                for d in [True, False]:
                    if (t == "N" and d) or (e == "A" and s == "M") or (not positive and "M" in e + s) or (s != "N" and m == 1):
                        continue
                    name = f"ETS({e},{t}{'d' if d else ''},{s})"
                    try:
                        mod = AutoETS(season_length=m, model=e + t + s, damped=d).fit(train)
                    except Exception:
                        continue
                    out[name] = {"aicc": float(mod.model_["aicc"]), "mean": mod.predict(h)["mean"].tolist()}
    return out


def pack(fc):
    return {
        "mean": fc["mean"].tolist(),
        "lower": {str(l): fc[f"lo-{l}"].tolist() for l in LEVELS},
        "upper": {str(l): fc[f"hi-{l}"].tolist() for l in LEVELS},
    }


def main():
    cases = []
    for name, m, h, y in series():
        train = y[:-h]
        c = {"name": name, "m": m, "h": h, "y": y.tolist(), "models": {}}
        ets, fc = run(AutoETS(season_length=m), train, h)
        c["models"]["ets"] = pack(fc) | {"method": ets.model_["method"], "aicc": float(ets.model_["aicc"])}
        c["models"]["ets"]["each"] = each_ets(train, m, h)
        _, fc = run(Theta(season_length=m), train, h)
        c["models"]["theta"] = pack(fc)
        _, fc = run(Naive(), train, h)
        c["models"]["naive"] = pack(fc)
        _, fc = run(SeasonalNaive(season_length=m), train, h)
        c["models"]["snaive"] = pack(fc)
        cases.append(c)
    for name, m, h, y in intermittent():
        train = y[:-h]
        c = {"name": name, "m": m, "h": h, "y": y.tolist(), "models": {}}
        for key, mod in [("croston", CrostonClassic()), ("sba", CrostonSBA()),
                         ("tsb", TSB(alpha_d=0.1, alpha_p=0.1)), ("adida", ADIDA()), ("imapa", IMAPA())]:
            mod.fit(train)
            c["models"][key] = {"mean": mod.predict(h)["mean"].tolist()}
        cases.append(c)
    json.dump({"generator": f"statsforecast {statsforecast.__version__}", "levels": LEVELS, "cases": cases},
              sys.stdout, indent=1)


if __name__ == "__main__":
    main()
