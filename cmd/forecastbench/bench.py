"""statsforecast side of cmd/forecastbench: fits each series of the input
JSON with the statsforecast models that match ours, times fit+predict per
series and model, and writes forecasts and seconds as JSON.

usage: python bench.py in.json out.json
"""
import json
import sys
import time
import warnings

import numpy as np
import statsforecast
from statsforecast.models import (
    ADIDA, IMAPA, TSB, AutoARIMA, AutoETS, CrostonClassic, CrostonSBA, SeasonalNaive, Theta,
)

warnings.filterwarnings("ignore")


def models(kind, m):
    if kind == "intermittent":
        return {
            "croston": lambda: CrostonClassic(), "sba": lambda: CrostonSBA(),
            "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1), "adida": lambda: ADIDA(),
            "imapa": lambda: IMAPA(), "snaive": lambda: SeasonalNaive(season_length=m),
        }
    return {
        "arima": lambda: AutoARIMA(season_length=m),
        "ets": lambda: AutoETS(season_length=m), "theta": lambda: Theta(season_length=m),
        "snaive": lambda: SeasonalNaive(season_length=m),
    }


def main():
    src = json.load(open(sys.argv[1]))
    # warm up once so one-time initialisation is not charged to a series
    y0 = np.asarray(src["series"][0]["train"], float)
    AutoETS(season_length=src["series"][0]["m"]).fit(y0).predict(1)
    out = {"version": statsforecast.__version__, "series": []}
    for s in src["series"]:
        y = np.asarray(s["train"], float)
        res = {}
        for name, make in models(s["kind"], s["m"]).items():
            t0 = time.perf_counter()
            try:
                mod = make().fit(y)
                level = [80, 95] if s["kind"] != "intermittent" else None
                fc = mod.predict(s["h"], level=level) if level else mod.predict(s["h"])
                res[name] = {"mean": fc["mean"].tolist(), "seconds": time.perf_counter() - t0}
            except Exception as e:  # reported, never hidden
                res[name] = {"error": str(e), "seconds": time.perf_counter() - t0}
        out["series"].append(res)
    json.dump(out, open(sys.argv[2], "w"))


main()
