#!/usr/bin/env python3
"""Writes samples/: a whole year (2025) of plausible task-force reports for the demo.

Two real provinces (53 Nusa Tenggara Timur, 36 Banten) with three districts each, and the
centre. Every district and both provinces report the monthly data sets KK (cases and
victims) and LY (services to witnesses and victims) for the twelve months of 2025 (a province
reports the cases its own police, Polda, and its own service centre handle, apart from its
districts'), and everyone, the centre included, reports the six-monthly data set GT (the task
force's institutions) for 2025S1 and 2025S2. One DHIS2-style CSV per unit and data set:
samples/ORG/kasus.csv, layanan.csv, kelembagaan.csv (the centre: samples/ID/kelembagaan.csv).

The figures are invented but plausible: a few victims a month per district, more of them
abroad from Nusa Tenggara Timur (migrant workers to Malaysia) than from Banten, women and
children counted apart, a seasonal rise after Lebaran (April 2025) and at year end, a handful
of police reports and cases moving through investigation, prosecution and verdict. They keep
every validation rule of metadata/: the sex x age breakdown adds up to the total, WNI victims
do not exceed all victims, victims (and child victims) served do not exceed those identified,
no service reaches more persons than were served, at least one plenary and three sub task
force meetings a semester. tests/unit/client/test_samples.c checks all of it.

Deterministic (its own seeded PRNG per unit), so the committed files are reproducible:

    scripts/gen_samples.py [--out DIR]
"""

import argparse
import os
import random

YEAR = 2025
SEXAGE = ["PD", "AP", "LD", "AL"]
# Shares of adult women, girls, adult men and boys among victims (Polri 2015-2019: 77%, 10%,
# 12%, 0.4%), with children a little more visible in the districts' own counts.
SEXAGE_SHARE = [0.66, 0.16, 0.15, 0.03]
SERVICES = ["LY_PENGADUAN", "LY_REHAB_KESEHATAN", "LY_REHAB_SOSIAL", "LY_BANTUAN_HUKUM"]
VICTIM_SERVICES = ["LY_PEMULANGAN", "LY_REINTEGRASI", "LY_RESTITUSI"]

# org: (mean victims a month, share of WNI victims abroad, GT budget in rupiah, note)
UNITS = {
    "53": (3.0, 0.70, 450000000, "Polda NTT dan UPTD PPA provinsi"),
    "53.01": (5.5, 0.65, 120000000, ""),
    "53.02": (8.5, 0.75, 150000000, "Banyak calon pekerja migran nonprosedural"),
    "53.71": (3.5, 0.55, 95000000, ""),
    "36": (2.5, 0.35, 600000000, "Polda Banten dan UPTD PPA provinsi"),
    "36.03": (6.5, 0.40, 210000000, "Termasuk awak kapal perikanan"),
    "36.04": (3.0, 0.30, 90000000, ""),
    "36.71": (4.5, 0.25, 160000000, ""),
}
# Month factors: a rise after Lebaran (30-31 March 2025) and before the year's end.
SEASON = [0.8, 0.8, 0.9, 1.3, 1.4, 1.1, 1.0, 1.0, 0.9, 1.0, 1.1, 1.3]
HEADER = "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"


def poisson(rng, mean):
    """A Poisson draw by counting exponential gaps (means here are small)."""
    n, t = 0, rng.expovariate(1.0)
    while t < mean:
        n += 1
        t += rng.expovariate(1.0)
    return n


def split(rng, total, shares):
    """Spreads total over len(shares) parts at random with the given shares."""
    parts = [0] * len(shares)
    for _ in range(total):
        x, acc = rng.random(), 0.0
        for i, s in enumerate(shares):
            acc += s
            if x < acc or i == len(shares) - 1:
                parts[i] += 1
                break
    return parts


def binom(rng, n, p):
    return sum(1 for _ in range(n) if rng.random() < p)


def csv_field(s):
    if any(c in s for c in ',"\n\r') or s != s.strip():
        return '"' + s.replace('"', '""') + '"'
    return s


def row(de, period, org, coc, value, comment=""):
    return ",".join([de, period, org, coc, str(value), csv_field(comment)]) + "\n"


def unit_year(org):
    """The KK and LY rows of org for the twelve months."""
    mean, abroad, _, note = UNITS[org]
    rng = random.Random("gtsync-samples-%s-%d" % (org, YEAR))
    kk, ly = [], []
    for m in range(1, 13):
        period = "%d%02d" % (YEAR, m)
        total = poisson(rng, mean * SEASON[m - 1])
        korban = split(rng, total, SEXAGE_SHARE)
        for coc, v in zip(SEXAGE, korban):
            kk.append(row("KK_KORBAN", period, org, coc, v))
        # A note goes on the police reports: counts of victims take no comment (issue 14).
        comment = note if (m == 5 and note) else ""
        kk.append(row("KK_KORBAN_TOTAL", period, org, "", total))
        # Nearly all victims are Indonesian; a foreign victim now and then.
        foreign = 1 if total > 0 and rng.random() < 0.08 else 0
        wni = total - foreign
        luar = binom(rng, wni, abroad)
        kk.append(row("KK_KORBAN_WNI", period, org, "LUAR_NEGERI", luar))
        kk.append(row("KK_KORBAN_WNI", period, org, "DALAM_NEGERI", wni - luar))
        lp = (total + rng.randint(0, 2)) // 3
        kk.append(row("KK_LP", period, org, "", lp, comment))
        kk.append(row("KK_PERKARA", period, org, "PENYIDIKAN", lp))
        kk.append(row("KK_PERKARA", period, org, "PENUNTUTAN", binom(rng, lp, 0.6)))
        kk.append(row("KK_PERKARA", period, org, "PUTUSAN", binom(rng, lp, 0.4)))
        kk.append(row("KK_PELAKU", period, org, "PERORANGAN", lp + binom(rng, lp, 0.3)))
        kk.append(row("KK_PELAKU", period, org, "KORPORASI", 1 if lp and rng.random() < 0.1 else 0))

        # Services: most victims identified are served; a few witnesses too.
        served = [binom(rng, k, 0.85) for k in korban]
        saksi = [binom(rng, 1, 0.3) if i in (0, 2) else 0 for i in range(4)]
        for coc, v in zip(SEXAGE, served):
            ly.append(row("LY_KORBAN", period, org, coc, v))
        for coc, v in zip(SEXAGE, saksi):
            ly.append(row("LY_SAKSI", period, org, coc, v))
        persons = [a + b for a, b in zip(served, saksi)]
        for de, p in zip(SERVICES, [0.95, 0.6, 0.7, 0.5]):
            for coc, n in zip(SEXAGE, persons):
                ly.append(row(de, period, org, coc, binom(rng, n, p)))
        for de, p in zip(VICTIM_SERVICES, [abroad * 0.8, 0.6, 0.15]):
            for coc, n in zip(SEXAGE, served):
                v = binom(rng, n, p)
                c = ""
                if de == "LY_PEMULANGAN" and v and coc == "PD" and m == 4:
                    c = "Pemulangan ke daerah asal difasilitasi Dinas Sosial"
                ly.append(row(de, period, org, coc, v, c))
    return kk, ly


def semesters(org):
    """The GT rows of org for 2025S1 and 2025S2."""
    _, _, budget, _ = UNITS.get(org, (0, 0, 2500000000, ""))
    rng = random.Random("gtsync-samples-gt-%s-%d" % (org, YEAR))
    rows = []
    for s in (1, 2):
        period = "%dS%d" % (YEAR, s)
        anggaran = org != "36.04" or s == 2  # Serang's budget came with the budget revision
        rows.append(row("GT_SK", period, org, "", "true"))
        rows.append(row("GT_RENCANA_AKSI", period, org, "", "true" if org != "53.71" or s == 2 else "false"))
        rows.append(row("GT_RAPAT_PLENO", period, org, "", 1 + rng.randint(0, 2)))
        rows.append(row("GT_RAPAT_SUBGT", period, org, "", 3 + rng.randint(0, 4)))
        rows.append(row("GT_SEKRETARIAT", period, org, "", "true"))
        rows.append(row("GT_ANGGARAN", period, org, "", "true" if anggaran else "false"))
        rows.append(row("GT_ANGGARAN_JUMLAH", period, org, "", budget // 2 if anggaran else 0))
        rows.append(row("GT_PPT", period, org, "", "true"))
        rows.append(row("GT_PENCATATAN", period, org, "", "true" if s == 2 or org != "53.02" else "false"))
        notes = {
            ("53.71", 1): "Rencana aksi daerah sedang disusun",
            ("36.04", 1): "Anggaran GT baru tersedia pada APBD perubahan",
            ("53.02", 1): "Pencatatan korban belum terintegrasi dengan UPTD PPA",
            ("ID", 2): "Laporan tahunan 2025 disusun dari laporan provinsi yang diterima",
        }
        if (org, s) in notes:
            rows.append(row("GT_CATATAN", period, org, "", notes[(org, s)]))
    return rows


def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        f.writelines(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "samples"))
    args = ap.parse_args()
    for org in UNITS:
        kk, ly = unit_year(org)
        write(os.path.join(args.out, org, "kasus.csv"), kk)
        write(os.path.join(args.out, org, "layanan.csv"), ly)
        write(os.path.join(args.out, org, "kelembagaan.csv"), semesters(org))
    write(os.path.join(args.out, "ID", "kelembagaan.csv"), semesters("ID"))


if __name__ == "__main__":
    main()
