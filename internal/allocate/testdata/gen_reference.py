#!/usr/bin/env python3
"""Regenerates reference.json: allocation problems and GLPK's optimal
objective for each (glpsol from Debian's glpk-utils), or "infeasible".

    apt-get install -y glpk-utils
    python3 internal/allocate/testdata/gen_reference.py

Each problem is written as a CPLEX LP file (problems/<name>.lp) with the
same model internal/allocate builds: flows x_i_j >= 0, shortages u_j >= 0
for sinks with a penalty, supply rows <=, demand rows =, route capacities.
"""
import json, os, random, re, subprocess

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "problems"), exist_ok=True)


def random_problem(rng, m, n, penalty=True, capacity=False, scarce=1.0):
    sources = [{"id": f"whs_{i}", "supply": float(rng.randint(20, 200))} for i in range(m)]
    total = sum(s["supply"] for s in sources) * scarce
    weights = [rng.random() + 0.1 for _ in range(n)]
    sinks = []
    for j in range(n):
        s = {"id": f"sto_{j}", "demand": float(round(total * weights[j] / sum(weights)))}
        if penalty:
            s["shortagePenalty"] = float(rng.randint(5, 60))
        sinks.append(s)
    cost = [[float(rng.randint(1, 40)) for _ in range(n)] for _ in range(m)]
    p = {"sources": sources, "sinks": sinks, "cost": cost}
    if capacity:
        p["capacity"] = [[float(rng.choice([-1, 10, 25, 60])) for _ in range(n)] for _ in range(m)]
    return p


def problems():
    rng = random.Random(20261125)
    yield "two_by_three_must_meet", {
        "sources": [{"id": "whs_sh", "supply": 60}, {"id": "whs_bj", "supply": 40}],
        "sinks": [{"id": "sto_jingan", "demand": 30}, {"id": "sto_xuhui", "demand": 25}, {"id": "sto_chaoyang", "demand": 35}],
        "cost": [[2, 3, 9], [8, 7, 1]],
    }
    yield "scarce_with_penalties", {
        "sources": [{"id": "whs_a", "supply": 50}, {"id": "whs_b", "supply": 30}, {"id": "whs_c", "supply": 10}],
        "sinks": [{"id": "sto_1", "demand": 40, "shortagePenalty": 20}, {"id": "sto_2", "demand": 35, "shortagePenalty": 5},
                  {"id": "sto_3", "demand": 30, "shortagePenalty": 50}, {"id": "sto_4", "demand": 10, "shortagePenalty": 3}],
        "cost": [[4, 6, 9, 2], [5, 3, 7, 8], [9, 9, 1, 4]],
    }
    yield "random_5x20_penalties", random_problem(rng, 5, 20, scarce=1.2)
    yield "random_8x15_must_meet", random_problem(rng, 8, 15, penalty=False, scarce=0.9)
    yield "random_4x6_capacities", random_problem(rng, 4, 6, capacity=True, scarce=1.0)
    yield "random_10x30_penalties", random_problem(rng, 10, 30, scarce=1.5)
    yield "infeasible_must_meet", {
        "sources": [{"id": "whs_a", "supply": 10}],
        "sinks": [{"id": "sto_1", "demand": 8}, {"id": "sto_2", "demand": 5}],
        "cost": [[1, 1]],
    }


def lp_file(p):
    m, n = len(p["sources"]), len(p["sinks"])
    terms = []
    for i in range(m):
        for j in range(n):
            terms.append(f"{p['cost'][i][j]} x_{i}_{j}")
    for j, s in enumerate(p["sinks"]):
        if "shortagePenalty" in s:
            terms.append(f"{s['shortagePenalty']} u_{j}")
    out = ["Minimize", " obj: " + " + ".join(terms), "Subject To"]
    for i, s in enumerate(p["sources"]):
        out.append(f" supply_{i}: " + " + ".join(f"x_{i}_{j}" for j in range(n)) + f" <= {s['supply']}")
    for j, s in enumerate(p["sinks"]):
        lhs = " + ".join(f"x_{i}_{j}" for i in range(m))
        if "shortagePenalty" in s:
            lhs += f" + u_{j}"
        out.append(f" demand_{j}: {lhs} = {s['demand']}")
    out.append("Bounds")
    for i in range(m):
        for j in range(n):
            cap = p.get("capacity", [[-1] * n] * m)[i][j]
            out.append(f" 0 <= x_{i}_{j} <= {cap}" if cap >= 0 else f" x_{i}_{j} >= 0")
    out.append("End")
    return "\n".join(out) + "\n"


def solve(name, p):
    path = os.path.join(here, "problems", name + ".lp")
    with open(path, "w") as f:
        f.write(lp_file(p))
    res = subprocess.run(["glpsol", "--lp", path, "-o", "/dev/stdout"], capture_output=True, text=True)
    text = res.stdout
    if re.search(r"PRIMAL INFEASIBLE|NO PRIMAL FEASIBLE", text):
        return "infeasible"
    m = re.search(r"Objective:\s+obj = ([-0-9.eE+]+)", text)
    if not m or "OPTIMAL" not in text:
        raise SystemExit(f"{name}: unexpected glpsol output:\n{text}")
    return float(m.group(1))


refs = []
for name, p in problems():
    refs.append({"name": name, "problem": p, "glpk": solve(name, p)})
version = subprocess.run(["glpsol", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump({"solver": version, "problems": refs}, f, indent=1)
print(version, [(r["name"], r["glpk"]) for r in refs])
