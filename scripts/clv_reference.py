"""The Python half of scripts/crosscheck-clv and scripts/bench-clv: generates transactions
from the BG/NBD and Gamma-Gamma processes, runs segsh and lifetimes on them, compares.

Generative process (Fader, Hardie & Lee 2005), time in weeks, each customer independently:
  λ ~ Gamma(r, rate α), p ~ Beta(a, b), ν ~ Gamma(q, rate γ);
  the first purchase on a uniform day of the first 39 weeks; after each repeat purchase the
  customer drops out with probability p; the time to the next purchase is Exponential(λ); purchases up to the
  end (asof + 26 weeks, the holdout) are kept, each worth Gamma(p_value, rate ν).
Purchases are written as orders with a date (same-day purchases are then one, on both sides).
"""

import argparse
import csv
import datetime
import math
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRUE = dict(r=0.25, alpha=4.0, a=0.8, b=2.5, p=6.0, q=4.0, gamma=15.0)
START = datetime.date(2023, 1, 2)
CALIBRATION_WEEKS = 78
HOLDOUT_WEEKS = 26
ASOF = START + datetime.timedelta(weeks=CALIBRATION_WEEKS)
UNTIL = ASOF + datetime.timedelta(weeks=HOLDOUT_WEEKS)
HORIZON_WEEKS = 26


def generate(path, customers, seed):
    rng = random.Random(seed)
    t = TRUE
    end = (UNTIL - START).days
    rows = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "order_date", "amount"])
        for c in range(customers):
            lam = rng.gammavariate(t["r"], 1 / t["alpha"])
            p = rng.betavariate(t["a"], t["b"])
            nu = rng.gammavariate(t["q"], 1 / t["gamma"])
            day = rng.randrange(0, 39 * 7)
            cid = "K%07d" % c
            purchases = 0
            while day <= end:
                amount = rng.gammavariate(t["p"], 1 / nu)
                w.writerow([cid, (START + datetime.timedelta(days=int(day))).isoformat(), "%.2f" % amount])
                rows += 1
                purchases += 1
                if purchases > 1 and rng.random() < p:
                    break
                day += rng.expovariate(lam) * 7 if lam > 0 else end + 1
    return rows


def run_segsh(segsh, orders, out_dir):
    clv_csv = os.path.join(out_dir, "clv.csv")
    fit_csv = os.path.join(out_dir, "fit.csv")
    script = (
        f'load orders from "{orders}"\n'
        f'let c = orders | clv customer=customer_id, date=order_date, amount=amount, asof=@{ASOF}, '
        f'horizon={HORIZON_WEEKS}weeks, holdout_until=@{UNTIL}\n'
        f'export c to "{clv_csv}"\n'
        f'export orders | clv_fit customer=customer_id, date=order_date, amount=amount, asof=@{ASOF} to "{fit_csv}"\n'
    )
    started = time.time()
    proc = subprocess.run([segsh, "-c", script], capture_output=True, text=True)
    elapsed = time.time() - started
    if proc.returncode != 0:
        sys.exit("segsh failed:\n" + proc.stdout + proc.stderr)
    with open(clv_csv) as f:
        rows = {r["customer_id"]: r for r in csv.DictReader(f)}
    with open(fit_csv) as f:
        fit = {(r["model"], r["parameter"]): float(r["value"]) for r in csv.DictReader(f)}
    return rows, fit, proc.stderr, elapsed


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segsh", default=os.path.join(ROOT, ".build/debug/segsh"))
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    with tempfile.TemporaryDirectory() as tmp:
        orders = os.path.join(tmp, "orders.csv")
        n_orders = generate(orders, args.customers, args.seed)
        rows, fit, notes, _ = run_segsh(args.segsh, orders, tmp)
        tx = pd.read_csv(orders, parse_dates=["order_date"])

    problems = []
    # The summary, as lifetimes computes it (calibration period only).
    calibration = tx[tx["order_date"] <= pd.Timestamp(ASOF)]
    s = summary_data_from_transaction_data(calibration, "customer_id", "order_date", "amount",
                                           observation_period_end=pd.Timestamp(ASOF), freq="D", freq_multiplier=7)
    if set(s.index) != set(rows):
        problems.append(f"customers differ: lifetimes {len(s)}, segsh {len(rows)}")
    for cid, ref in s.iterrows():
        row = rows.get(cid)
        if row is None:
            continue
        for mine, theirs in (("x", "frequency"), ("t_x", "recency"), ("T", "T")):
            if not close(float(row[mine]), float(ref[theirs]), 1e-12):
                problems.append(f"{cid} {mine}: segsh {row[mine]}, lifetimes {ref[theirs]}")
        if ref["frequency"] > 0 and not close(float(row["avg_value"]), float(ref["monetary_value"]), 1e-9):
            problems.append(f"{cid} avg_value: segsh {row['avg_value']}, lifetimes {ref['monetary_value']}")

    # The fits.
    bg = BetaGeoFitter()
    bg.fit(s["frequency"], s["recency"], s["T"])
    repeat = s[s["frequency"] > 0]
    gg = GammaGammaFitter()
    gg.fit(repeat["frequency"], repeat["monetary_value"])
    theirs = dict(r=bg.params_["r"], alpha=bg.params_["alpha"], a=bg.params_["a"], b=bg.params_["b"],
                  p=gg.params_["p"], q=gg.params_["q"], gamma=gg.params_["v"])
    mine = dict(r=fit[("bgnbd", "r")], alpha=fit[("bgnbd", "alpha")], a=fit[("bgnbd", "a")], b=fit[("bgnbd", "b")],
                p=fit[("gammagamma", "p")], q=fit[("gammagamma", "q")], gamma=fit[("gammagamma", "gamma")])
    print(f"crosscheck-clv: {args.customers} customers, {n_orders} orders (seed {args.seed}), asof {ASOF}, holdout to {UNTIL}")
    print("parameter      true      segsh   lifetimes   rel. diff")
    for k in mine:
        rel = abs(mine[k] - theirs[k]) / abs(theirs[k])
        print(f"{k:9} {TRUE[k]:9.4f} {mine[k]:10.5f} {theirs[k]:11.5f}   {rel:.1e}")
        if rel > 1e-3:
            problems.append(f"parameter {k}: segsh {mine[k]}, lifetimes {theirs[k]} ({rel:.1e} relative)")

    # Predictions at segsh's parameters, by lifetimes' formulas.
    bg.params_ = pd.Series({k: mine[k] for k in ("r", "alpha", "a", "b")})
    gg.params_ = pd.Series({"p": mine["p"], "q": mine["q"], "v": mine["gamma"]})
    ids = [c for c in s.index if c in rows]
    f, rec, T = (s.loc[ids, k].to_numpy() for k in ("frequency", "recency", "T"))
    alive = bg.conditional_probability_alive(f, rec, T)
    expected = bg.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, f, rec, T)
    value = gg.conditional_expected_average_profit(s.loc[ids, "frequency"], s.loc[ids, "monetary_value"]).to_numpy()
    worst = {"p_alive": 0.0, "expected_purchases": 0.0, "expected_value": 0.0}
    for i, cid in enumerate(ids):
        row = rows[cid]
        for col, ref in (("p_alive", alive[i]), ("expected_purchases", expected[i]), ("expected_value", value[i])):
            got = float(row[col])
            d = abs(got - ref) / max(1.0, abs(ref))
            worst[col] = max(worst[col], d)
            if not d <= 1e-6:
                problems.append(f"{cid} {col}: segsh {got!r}, lifetimes {ref!r}")
    print("largest difference at segsh's parameters (relative, absolute below 1): "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    actual = sum(int(r["actual_purchases"]) for r in rows.values())
    print(f"holdout: segsh predicted {sum(float(r['expected_purchases']) for r in rows.values()):.1f} purchases, actual {actual}")
    for line in notes.splitlines():
        if "holdout" in line:
            print("segsh: " + line)
    if problems:
        print(f"crosscheck-clv: {len(problems)} difference(s):")
        for p in problems[:30]:
            print("  " + p)
        sys.exit(1)
    print("crosscheck-clv: summary, parameters and predictions agree with lifetimes")


if __name__ == "__main__":
    main()
