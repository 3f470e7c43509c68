#!/usr/bin/env python3
"""Writes tests/data/fixture-seed000/: Polri's 2015-2019 TPPO figures spread over districts.

RAN PP TPPO 2020-2024 (Lampiran Perpres 19/2023, section 1.2; seed 000 line 55) states that
Polri received 554 reports in 2015-2019 with 2,648 victims: 2,047 adult women, 272 girls,
318 adult men and 11 boys; and (line 66) that prosecutors handled 413 cases: 69 in 2015, 147
in 2016, 77 in 2017, 98 in 2018 and 22 in 2019. This script spreads those totals over a fixed
set of real districts and the 60 months of 2015-2019, so that the national sums are exactly
the document's, and writes one DHIS2-style CSV per district with the columns
dataelement,period,orgunit,categoryoptioncombo,value,comment using the KK data set's elements
(metadata/kasus.gtm). Each (district, month) with victims also gets KK_KORBAN_TOTAL, the sum
of its four options, so rule KK_R_TOTAL holds everywhere.

The output is deterministic (its own PRNG, no network) and committed, so the tests do not
need ../shared. Run it again only to change the fixture:

    scripts/gen_fixture_seed000.py [--shared DIR] [--out DIR]
"""

import argparse
import bisect
import csv
import os
import sys

# The document's figures (seed 000 lines 55 and 66).
VICTIMS = {"PD": 2047, "AP": 272, "LD": 318, "AL": 11}
VICTIMS_TOTAL = 2648
REPORTS = 554
PROSECUTIONS = {2015: 69, 2016: 147, 2017: 77, 2018: 98, 2019: 22}
PROSECUTIONS_TOTAL = 413

# How the seed writes them, to check against the text when ../shared is present.
SEED_LINE_VICTIMS = 55
SEED_STRINGS_VICTIMS = ["554", "2.648", "2.047", "272", "318", "11"]
SEED_LINE_PROSECUTIONS = 66
SEED_STRINGS_PROSECUTIONS = ["413", "69", "147", "77", "98", "22"]

# Provinces that are frequent origins of TPPO victims; the first two districts of each (by
# code) in the Kemendagri list are used.
PROVINCES = ["12", "18", "21", "32", "33", "35", "52", "53", "61", "73"]
DISTRICTS_PER_PROVINCE = 2

YEARS = range(2015, 2020)
MONTHS = [f"{y}{m:02d}" for y in YEARS for m in range(1, 13)]


class Rng:
    """xorshift64*: small, fixed, identical on every Python version."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        x = self.s
        x ^= (x >> 12)
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= (x >> 27)
        self.s = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return self.next() % n


def spread(rng, total, weights):
    """Splits total into len(weights) non-negative integers summing to total."""
    cum = []
    acc = 0
    for w in weights:
        acc += w
        cum.append(acc)
    out = [0] * len(weights)
    for _ in range(total):
        r = rng.below(acc)
        out[bisect.bisect_right(cum, r)] += 1
    assert sum(out) == total
    return out


def pick_districts(shared):
    path = os.path.join(shared, "data", "wilayah-kemendagri-2025.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    chosen = []
    for prov in PROVINCES:
        ds = sorted(r["code"] for r in rows
                    if r["level"] == "district" and r["code"].startswith(prov + "."))
        if len(ds) < DISTRICTS_PER_PROVINCE:
            sys.exit(f"province {prov}: fewer than {DISTRICTS_PER_PROVINCE} districts")
        chosen.extend(ds[:DISTRICTS_PER_PROVINCE])
    return chosen


def check_seed(shared):
    seed = os.path.join(shared, "seeds", "000_fe3e0be7774a62bf.txt")
    with open(seed, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for lineno, strings in ((SEED_LINE_VICTIMS, SEED_STRINGS_VICTIMS),
                            (SEED_LINE_PROSECUTIONS, SEED_STRINGS_PROSECUTIONS)):
        text = lines[lineno - 1]
        for s in strings:
            if f"{s} (" not in text:
                sys.exit(f"seed 000 line {lineno} no longer says {s}")
    assert sum(VICTIMS.values()) == VICTIMS_TOTAL
    assert sum(PROSECUTIONS.values()) == PROSECUTIONS_TOTAL


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(repo, "tests", "data", "fixture-seed000"))
    args = ap.parse_args()

    check_seed(args.shared)
    districts = pick_districts(args.shared)
    rng = Rng(0x2648_2047_0272_0318)

    # Some districts report more than others: fixed weights 1..4 per district.
    dweight = [1 + rng.below(4) for _ in districts]
    cells = [(d, p) for d in range(len(districts)) for p in range(len(MONTHS))]
    cweight = [dweight[d] for d, _ in cells]

    values = {}  # (district index, month index, element, option) -> int

    def add(d, p, element, option, v):
        if v:
            key = (d, p, element, option)
            values[key] = values.get(key, 0) + v

    for option, total in VICTIMS.items():
        for (d, p), v in zip(cells, spread(rng, total, cweight)):
            add(d, p, "KK_KORBAN", option, v)
    for (d, p), v in zip(cells, spread(rng, REPORTS, cweight)):
        add(d, p, "KK_LP", "", v)
    for year, total in PROSECUTIONS.items():
        ycells = [(d, p) for d, p in cells if MONTHS[p].startswith(str(year))]
        for (d, p), v in zip(ycells, spread(rng, total, [dweight[d] for d, _ in ycells])):
            add(d, p, "KK_PERKARA", "PENUNTUTAN", v)
    # Each (district, month) with victims also reports their total.
    for (d, p, element, option), v in list(values.items()):
        if element == "KK_KORBAN":
            add(d, p, "KK_KORBAN_TOTAL", "", v)

    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.endswith(".csv"):
            os.remove(os.path.join(args.out, name))
    order = {"KK_KORBAN": 0, "KK_KORBAN_TOTAL": 1, "KK_LP": 2, "KK_PERKARA": 3}
    opt_order = {"PD": 0, "AP": 1, "LD": 2, "AL": 3}
    for d, code in enumerate(districts):
        rows = sorted(((p, order[e], opt_order.get(o, 0), e, o, v)
                       for (dd, p, e, o), v in values.items() if dd == d))
        with open(os.path.join(args.out, f"{code}.csv"), "w", newline="",
                  encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["dataelement", "period", "orgunit", "categoryoptioncombo", "value",
                        "comment"])
            for p, _, _, e, o, v in rows:
                w.writerow([e, MONTHS[p], code, o, v, ""])

    # Self-check: the document's national totals.
    sums = {}
    for (_, p, e, o), v in values.items():
        sums[(e, o)] = sums.get((e, o), 0) + v
    for o, t in VICTIMS.items():
        assert sums[("KK_KORBAN", o)] == t
    assert sums[("KK_KORBAN_TOTAL", "")] == VICTIMS_TOTAL
    assert sums[("KK_LP", "")] == REPORTS
    assert sums[("KK_PERKARA", "PENUNTUTAN")] == PROSECUTIONS_TOTAL
    print(f"wrote {len(districts)} files, {len(values)} values, to {args.out}")


if __name__ == "__main__":
    main()
