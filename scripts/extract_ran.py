#!/usr/bin/env python3
"""Extracts the RAN PP TPPO 2020-2024 action matrix (seed 000) into a gtsync catalogue.

Run once over the seed text; the output (metadata/ran2020.gtm) was then reviewed by hand
against the seed and is the project's data from then on. This script is kept so that the
review is auditable: every correction made by hand is the OVERRIDES table below, keyed by
the seed's line number, with the reason next to it. It is not run in CI.

    scripts/extract_ran.py ../shared/seeds/000_fe3e0be7774a62bf.txt > metadata/ran2020.gtm

Warnings about rows that need a human look go to stderr. Python 3 standard library only.
"""
import re
import sys

PLAN = "RAN2020"
YEARS = [2020, 2021, 2022, 2023, 2024]
MAXLINE = 4096

# The document's seven blocks, in order, with the code used in the catalogue.
BLOCKS = [
    ("Pencegahan TPPO", "PENCEGAHAN"),
    ("Rehabilitasi Kesehatan", "REHKES"),
    ("Rehabilitasi Sosial, Pemulangan, dan Reintegrasi Sosial", "REHSOS"),
    ("Pengembangan Norma Hukum", "NORMA"),
    ("Penegakan Hukum", "GAKKUM"),
    ("Koordinasi dan Kerja Sama", "KERJASAMA"),
    ("Sekretariat", "SEKRETARIAT"),
]

AGENCY_RE = re.compile(
    r"^(<ul[^>]*>)?\s*(-\s*)?(•\s*)?(Kementerian|Badan|Kepolisian|Kejaksaan|Lembaga|"
    r"Pusat Pelaporan|Tentara)")
# Spelling variants of one agency in the source, mapped to the form used elsewhere in it.
AGENCY_FIX = {
    "Kementerian Koordinator Bidang Politik Hukum dan Keamanan":
        "Kementerian Koordinator Bidang Politik, Hukum, dan Keamanan",
}
IND_RE = re.compile(r"^(\d+)\)\s*")
ACT_RE = re.compile(r"^[a-z][.)]\s+")
CH_RE = re.compile(r"^\d+\.\s")
OBJ_RE = re.compile(r"^[a-z]\.\s")
STUB_RE = re.compile(r"\s?\.\s\.\s\.\s*$")


def clean(text):
    """Drops HTML markup left by the PDF conversion and collapses white space."""
    text = re.sub(r"</?(i|b|em|strong)>", "", text or "")
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def agencies(text):
    """Splits a PENANGGUNG JAWAB cell into agency names (bullets separate them)."""
    out = []
    text = re.sub(r"<[^>]*>", " ", text or "")
    # A page break cuts a list as "• Kejaksaan . . ." or "• Lembaga ..."; the next page
    # repeats the cut name in full, so the stub is dropped here.
    text = re.sub(r"•[^•]*(\.\s\.\s\.|\.\.\.)\s*$", "", text)
    for part in text.split("•"):
        part = clean(part).lstrip("- ").strip()
        part = AGENCY_FIX.get(part, part)
        if part and part not in out:
            out.append(part)
    return out


def split_before(text, marker):
    """Splits a cell holding two items at the start of the second one."""
    i = text.find(marker)
    if i < 0:
        raise SystemExit("override marker %r not found in %r" % (marker, text[:60]))
    return text[:i], text[i:]


# Hand corrections, keyed by seed line. Each entry maps the line's raw cells (0-based list)
# to the rows it really holds. Row keys: ch, obj, ind, act (text of a new item), acts (several
# actions sharing one cell and its values), ch_cont/obj_cont/ind_cont/act_cont (text that
# continues the current item), act_line (the line printing an action's text when its values
# are on another), vals (year cells, left to right), years (explicit year list
# per value), pj (agency cell), pj_prev (agencies that continue the previous row's list),
# note (kept as a comment in the catalogue).
OVERRIDES = {
    # f) and g) share one action cell; f)'s documents are on this row, g)'s "3 kegiatan" on
    # the next: f) is a policy instrument (dokumen), g) a detection activity (kegiatan).
    224: lambda c: [
        dict(ch=c[0], obj=c[1], act=split_before(c[3], "g) ")[0], vals=c[4:9], pj=c[9]),
        dict(act=split_before(c[3], "g) ")[1], vals=[c[4]], pj=c[5],
             note="actions f) and g) share one cell; the row of "
                  "line 225 is read as g)'s"),
    ],
    225: lambda c: [],
    # The page break cut g)'s bullet list; the rest of it and action h) share one cell.
    # h) has no year cells and no agency in the source.
    239: lambda c: [
        dict(obj=c[1], act_cont=split_before(clean(c[3]), "h) ")[0]),
        dict(act=split_before(clean(c[3]), "h) ")[1],
             note="action h) has no targets and no agency in the source"),
    ],
    # Indicator 5) sits one column to the right; four year cells.
    299: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    # b) and c) share one cell; the agencies on this row and the "7 regional" row below are
    # not attributed to one of them in the source, so both actions carry them.
    312: lambda c: [dict(ind=c[2], acts=[split_before(clean(c[3]), "c) ")[0],
                                         split_before(clean(c[3]), "c) ")[1]],
                         pj=c[9],
                         note="actions b) and c) share one cell; "
                              "their agencies and target are not separable")],
    381: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    396: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    # Indicator 9) starts in column 0 with its action in column 2. The agencies on this row
    # are the rest of 8)'s list (page break after "• Kementerian . . ." on line 413). The
    # next line repeats the same five values with no action or agency: dropped.
    424: lambda c: [dict(pj_prev=c[9]),
                    dict(ind=c[0], act=c[2], vals=c[4:9],
                         note="no agency is printed for this action; "
                              "line 425 repeats its values and is dropped")],
    425: lambda c: [],
    # "• Kemendikbudristek" ends a)'s list cut at the page break (line 497); PPATK is b)'s.
    508: lambda c: [dict(pj_prev="Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi"),
                    dict(act=c[3], vals=c[4:6], pj="Pusat Pelaporan dan Analisis Transaksi "
                                                   "Keuangan")],
    # Indicator 17) one column right; its agency column fell off the end of the row.
    537: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:10],
                         note="no agency survives in the source row")],
    567: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    596: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    # The first three agencies end a)'s list cut at the page break ("• Kejaksaan . . .").
    608: lambda c: [dict(pj_prev="• Kejaksaan Republik Indonesia • Badan Intelijen Negara "
                                 "• Badan Keamanan Laut"),
                    dict(act=c[3], vals=[c[4]],
                         pj="• Kementerian Hukum dan Hak Asasi Manusia • Kejaksaan Republik "
                            "Indonesia • Badan Intelijen Negara • Badan Pelindungan Pekerja "
                            "Migran Indonesia")],
    # One column right; the 2024 cell is glued to the agency cell.
    623: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9] + ["1 paket"],
                         pj="Kementerian Kelautan dan Perikanan")],
    # a) and b) share one cell; the two value rows (lines 882, 883) are theirs in order.
    882: lambda c: [dict(ch=c[0], obj=c[1], ind=c[2], act=split_before(c[3], "b) ")[0],
                         vals=[c[4]], pj=c[5]),
                    dict(act=split_before(c[3], "b) ")[1],
                         note="actions a) and b) share one cell; the "
                              "rows of lines 882 and 883 are read as theirs in order")],
    883: lambda c: [dict(ch=c[0], vals=[c[4]], pj=c[5])],
    897: lambda c: [dict(act=c[4], vals=c[5:9], pj=c[9])],
    898: lambda c: [dict(act=c[4], vals=c[5:9], pj=c[9])],
    970: lambda c: [dict(ind=c[2], act=c[4], vals=[c[5]], pj=c[6])],
    1042: lambda c: [dict(ind=c[2], acts=[split_before(c[3], "b) ")[0],
                                          split_before(c[3], "b) ")[1]],
                          vals=c[4:9], pj=c[9],
                          note="actions a) and b) share one cell and one "
                               "row of targets")],
    1055: lambda c: [dict(vals=c[3:8], pj=c[8])],
    1056: lambda c: [dict(vals=c[3:8], pj=c[8])],
    # b) belongs to indicator 15) (its stub "b) Pemberian . . ." is line 1060); 16) starts
    # on the same row without an action of its own.
    1071: lambda c: [dict(act=c[3], vals=[c[4]], pj=c[5]), dict(ind=c[2])],
    1132: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    1178: lambda c: [dict(act=c[4], vals=[c[5]], pj=c[6])],
    # Three agencies per action for c), d) and i): the row that prints d)'s text carries
    # c)'s third agency (Bakamla), as i)'s rows 1226-1228 show the order Polri, Kejaksaan,
    # Bakamla.
    1194: lambda c: [dict(vals=[c[4]], pj=c[5]),
                     dict(act=c[3],
                          note="the row printing d)'s text is read as "
                               "c)'s third agency row (Polri, Kejaksaan, Bakamla, as for i))")],
    1225: lambda c: [dict(obj_cont=c[0], act=c[3], vals=[c[4]], pj=c[5])],
    # j) (indicator 1) and indicator 2) share a cell, 2)'s actions a) and b) another.
    1241: lambda c: [dict(obj=c[0], act=split_before(c[2], "2) ")[0], vals=c[4:9], pj=c[9]),
                     dict(ind=split_before(c[2], "2) ")[1], act=split_before(c[3], "b) ")[0]),
                     ],
    1242: lambda c: [dict(vals=[c[4]], pj=c[5])],
    1243: lambda c: [dict(act=split_before(lines_cache[1241 - 1].split("\t")[3], "b) ")[1],
                          act_line=1241, vals=[c[4]], pj=c[5],
                          note="a) is read as line 1242's row, b) as "
                               "lines 1243 and 1244")],
    1259: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9], pj=c[9])],
    # The indicator text sits in the action column; the source has no separate action.
    1363: lambda c: [dict(ind=c[3], vals=c[4:9], pj=c[9],
                          note="no action text; targets kept on the "
                               "indicator")],
    # One column right; the agency column fell off the end of the row.
    1377: lambda c: [dict(ch=c[0], obj=c[1], ind=c[3], act=c[4], vals=c[5:10],
                          note="no agency survives in the source row")],
    # Two columns right: the 2024 cell and the agency fell off the end of the row.
    1378: lambda c: [dict(ind=c[4], act=c[5], vals=c[6:10], years=[2020, 2021, 2022, 2023],
                          note="the 2024 cell and the agency fell off the "
                               "end of the row")],
    # 6) and 7) share the indicator and action cells; line 1392 holds 7)'s targets.
    1391: lambda c: [dict(obj_cont=split_before(c[1], "c. ")[0]),
                     dict(obj=split_before(c[1], "c. ")[1],
                          ind=split_before(c[2], "7) ")[0],
                          act=split_before(c[3], "Penyusunan MoU kerja sama PPATK")[0],
                          vals=c[4:9], pj=c[9]),
                     dict(ind=split_before(c[2], "7) ")[1],
                          act=split_before(c[3], "Penyusunan MoU kerja sama PPATK")[1])],
    1421: lambda c: [dict(ind=c[3], act=c[4], vals=c[5:9] + ["-"], pj=c[9])],
    1481: lambda c: [dict(obj=c[3], ind=c[4], act=c[5], vals=c[6:10], pj=c[10])],
    1482: lambda c: [dict(act=c[5], vals=c[6:10], pj=c[10])],
    # One column right; the 2024 cell is empty and no agency is printed (a)'s agency cell
    # probably spans both rows).
    1510: lambda c: [dict(act=c[4], vals=c[5:9], years=[2020, 2021, 2022, 2023],
                          note="no 2024 value and no agency printed")],
    1523: lambda c: [dict(obj=c[0], ind=c[1], act=c[2], vals=c[4:9], pj=c[9])],
    1537: lambda c: [dict(act=c[4], vals=c[5:10],
                          note="the agency column fell off the end of the "
                               "row")],
    1538: lambda c: [dict(act=c[4], vals=c[5:9], pj=c[9])],
    1539: lambda c: [dict(act=c[4], vals=c[5:9], pj=c[9])],
}

lines_cache = []


def generic_row(cells):
    """Reads a 10-column row (tantangan, sasaran, indikator, aksi, 2020-2024, penanggung
    jawab) after trimming the empty cells some pages add at either end."""
    cells = [("" if STUB_RE.search(x) and "•" not in x else x) for x in cells]
    while len(cells) > 10 and cells[-1].strip() == "":
        cells.pop()
    while len(cells) > 10 and cells[0].strip() == "":
        cells.pop(0)
    if len(cells) > 10:
        return None
    cells += [""] * (10 - len(cells))
    row = dict(ch=cells[0], obj=cells[1], ind=cells[2], act=cells[3])
    rest = cells[4:10]
    pj_i = None
    for i in range(len(rest) - 1, -1, -1):
        if rest[i].strip():
            if AGENCY_RE.match(rest[i].strip()):
                pj_i = i
            break
    vals = rest[:pj_i] if pj_i is not None else rest
    row["vals"] = [v for v in vals if v.strip()]
    row["pj"] = rest[pj_i] if pj_i is not None else ""
    return row


def assign_years(vals, years, line, warn):
    """Maps the year cells of one row to years. Returns [(year, raw)] and a note."""
    vals = [clean(v).lstrip("• ").strip() for v in vals]
    if years is not None:
        return list(zip(years, vals)), None
    n = len(vals)
    if n == 5:
        return list(zip(YEARS, vals)), None
    if n == 1:
        return [(y, vals[0]) for y in YEARS], "one cell spans 2020-2024"
    if n == 2:
        out = [(2020, vals[0])] + [(y, vals[1]) for y in YEARS[1:]]
        if vals[0] == "-":
            return out, "2020 '-', one cell spans 2021-2024"
        return out, "two cells for five years: read as 2020 and 2021-2024 (uncertain)"
    if n == 4:
        return (list(zip(YEARS[1:], vals)),
                "four cells for five years: read as 2021-2024, no 2020 value (uncertain)")
    warn("line %d: %d year cells, not mapped" % (line, n))
    return [], "year cells not mapped"


NUM_RE = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*(%?)\s*(.*)$")
COMPOUND_RE = re.compile(r"^(\d[\d.]*\s+[^\d\s–]+(?:\s\([^)]*\))?)\s+(\d[\d.]*\s+[^–]+)$")


def quantities(raw):
    """Parses a target cell into [(qty, unit, raw)]; a cell naming two quantities ("34
    provinsi 246 kabupaten/kota", "49.061 orang (PKK) 16.679 orang (PKW)") gives two."""
    m = re.match(r"^(.+?)\s+serta\s+(\d.*)$", raw)
    if m:
        return quantities(m.group(1)) + quantities(m.group(2))
    m = COMPOUND_RE.match(raw)
    if m:
        return quantities(m.group(1)) + quantities(m.group(2))
    m = NUM_RE.match(raw)
    if not m or raw == "-":
        return [("-", "", raw)]
    qty = m.group(1).replace(".", "")
    if m.group(2):
        qty += "." + m.group(2)
    unit = (m.group(3) + " " + m.group(4)).strip() if m.group(3) else m.group(4)
    unit = re.sub(r"\s*/\s*", "/", unit).strip()
    return [(qty, unit, raw)]


def q(text):
    """Quotes a string token."""
    return '"' + clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Catalogue:
    def __init__(self, warn):
        self.warn = warn
        self.blocks = []
        self.block = None
        self.ind = None
        self.group = []
        self.last_set = None
        self.ch = None
        self.obj = None

    def new_block(self, name, code, line):
        self.block = dict(name=name, code=code, lead=None, line=line, inds=[])
        self.blocks.append(self.block)
        self.ind = None
        self.group = []
        self.ch = self.obj = None

    def new_ind(self, text, line):
        m = IND_RE.match(clean(text))
        if self.block["code"] == "SEKRETARIAT":
            num = len(self.block["inds"]) + 1
        elif m:
            num = int(m.group(1))
            if num != len(self.block["inds"]) + 1:
                self.warn("line %d: indicator %d follows %d" % (line, num,
                                                               len(self.block["inds"])))
        else:
            raise SystemExit("line %d: not an indicator: %r" % (line, text[:60]))
        self.ind = dict(num=num, name=IND_RE.sub("", clean(text)), line=line, ch=[],
                        obj=[], acts=[], sets=[], notes=[])
        self.block["inds"].append(self.ind)
        self.group = []

    def new_act(self, text, line):
        act = dict(name=ACT_RE.sub("", clean(text)), line=line, sets=[])
        if re.search(r"\s[b-z]\)\s+[A-Z]", clean(text)):
            self.warn("line %d: action cell may hold two actions" % line)
        self.ind["acts"].append(act)
        return act

    def add_set(self, vals, years, pj, line, note):
        targets, ynote = assign_years(vals, years, line, self.warn) if vals else ([], None)
        s = dict(targets=targets, pj=agencies(pj), line=line, owners=list(self.group))
        if not self.group:
            self.ind["sets"].append(s)
        for a in self.group:
            a["sets"].append(s)
        self.last_set = s
        for n in (ynote, note):
            if n:
                self.ind["notes"].append("line %d: %s" % (line, n))

    def row(self, r, line):
        r = {k: v for k, v in r.items() if v not in (None, "", [])}
        new_ind = False
        if "ind" in r:
            t = clean(r["ind"])
            if self.block["code"] == "SEKRETARIAT" or IND_RE.match(t):
                self.new_ind(t, line)
                new_ind = True
            elif self.ind is not None:
                if not self.ind["name"].endswith(t):
                    self.ind["name"] += " " + t
            else:
                raise SystemExit("line %d: indicator text before any indicator" % line)
        # Tantangan and sasaran are lists printed down the left of each block, not aligned
        # with the indicators: each item is attached to the indicator on whose row it
        # starts, and text continuing an item across a page break is appended to it.
        if "ch" in r:
            t = clean(r["ch"])
            if CH_RE.match(t) or self.ch is None or self.block["code"] == "SEKRETARIAT":
                self.ch = dict(text=t)
                self.ind["ch"].append(self.ch)
            else:
                self.ch["text"] += " " + t
        if "ch_cont" in r:
            self.ch["text"] += " " + clean(r["ch_cont"])
        if "obj_cont" in r:
            self.obj["text"] += " " + clean(r["obj_cont"])
        if "obj" in r:
            t = clean(r["obj"])
            if OBJ_RE.match(t) or self.obj is None:
                self.obj = dict(text=t)
                self.ind["obj"].append(self.obj)
            else:
                self.obj["text"] += " " + t
        if "act_cont" in r:
            self.group[-1]["name"] += " " + clean(r["act_cont"])
        new_act = False
        if "act" in r:
            # act_line: the line printing the action's text, when its values are elsewhere.
            self.group = [self.new_act(r["act"], r.get("act_line", line))]
            new_act = True
        if "acts" in r:
            self.group = [self.new_act(a, line) for a in r["acts"]]
            new_act = True
        if "pj_prev" in r:
            if self.last_set is None:
                raise SystemExit("line %d: agencies continue nothing" % line)
            for a in agencies(r["pj_prev"]):
                if a not in self.last_set["pj"]:
                    self.last_set["pj"].append(a)
        vals = r.get("vals", [])
        vals = [v for v in vals if v.strip()]
        if vals or (new_act and "pj" in r) or (new_ind and "pj" in r):
            if new_ind and not new_act:
                self.group = []
            self.add_set(vals, r.get("years"), r.get("pj", ""), line, r.get("note"))
        elif "pj" in r:
            # An agency-only row continues the agency list of the row above.
            if self.last_set is None:
                raise SystemExit("line %d: agencies continue nothing" % line)
            for a in agencies(r["pj"]):
                if a not in self.last_set["pj"]:
                    self.last_set["pj"].append(a)
            if r.get("note"):
                self.ind["notes"].append("line %d: %s" % (line, r["note"]))
        elif r.get("note"):
            self.ind["notes"].append("line %d: %s" % (line, r["note"]))


def parse(path, warn):
    global lines_cache
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    lines_cache = lines
    start = next(i for i, l in enumerate(lines) if l.startswith("Sub Gugus Tugas : Pencegahan"))
    end = next(i for i, l in enumerate(lines) if i > start and l.startswith("BAB III"))
    cat = Catalogue(warn)
    names = dict(BLOCKS)
    for i in range(start, end):
        ln = i + 1
        raw = lines[i]
        s = raw.strip()
        m = re.match(r"^Sub Gugus Tugas : (.+)$", s)
        if m or s == "Sekretariat":
            name = m.group(1) if m else "Sekretariat"
            if name not in names:
                raise SystemExit("line %d: unknown block %r" % (ln, name))
            full = ("Sub Gugus Tugas " + name) if m else name
            cat.new_block(full, names[name], ln)
            continue
        m = re.match(r"^Koordinator : (.+)$", s)
        if m:
            cat.block["lead"] = clean(m.group(1))
            continue
        if "\t" not in raw:
            continue  # page furniture, stubs ("2. Masih . . ."), headings
        if raw.startswith("TANTANGAN\t") or raw.startswith("\t\t\t\t2020") or \
                raw.startswith("(1)\t"):
            continue
        cells = raw.split("\t")
        if ln in OVERRIDES:
            rows = OVERRIDES[ln](cells)
        else:
            r = generic_row(cells)
            if r is None:
                warn("line %d: %d cells, needs an override" % (ln, len(cells)))
                continue
            rows = [r]
        for r in rows:
            cat.row(r, ln)
    return cat


def code(block, ind=None, act=None):
    c = "%s.%s" % (PLAN, block["code"])
    if ind is not None:
        c += ".%02d" % ind["num"]
    if act is not None:
        c += ".A%d" % act
    return c


def emit(cat, out, seed_name):
    w = []
    w.append("gtsync-metadata 1")
    w.append("# RAN PP TPPO 2020-2024: the action matrix of the annex of Perpres 19/2023")
    w.append("# (seed %s, section 2.3, lines %d-%d)." % (seed_name, cat.blocks[0]["line"],
                                                        cat.blocks[-1]["line"]))
    w.append("# Drafted by scripts/extract_ran.py, then reviewed by hand against the seed;")
    w.append("# see docs/CATALOGUES.md. This file is the data: edit it, do not regenerate it.")
    w.append("# Year columns: the source heads 2020-2022 \"CAPAIAN\" and 2023-2024 \"TARGET\";")
    w.append("# all five are recorded as target lines. Where an indicator has several actions")
    w.append("# (or an action several agencies), each target's raw text starts with the action")
    w.append("# (A1, A2+A3, ...) and, if needed, the agency it belongs to.")
    w.append("")
    w.append("plan %s %s" % (PLAN, q("Rencana Aksi Nasional Pencegahan dan Penanganan Tindak "
                                     "Pidana Perdagangan Orang Tahun 2020-2024")))
    w.append("  years 2020 2024")
    w.append("  scope national")
    w.append("  source %s" % q("Lampiran Peraturan Presiden Nomor 19 Tahun 2023, 2.3 Matriks "
                               "RAN PPTPPO (kolom 2020-2022 capaian, 2023-2024 target)"))
    for b in cat.blocks:
        w.append("")
        w.append("block %s %s" % (code(b), q(b["name"])))
        w.append("  plan %s" % PLAN)
        if b["lead"]:
            w.append("  lead %s" % q(b["lead"]))
        w.append("  line %d" % b["line"])
        for ind in b["inds"]:
            w.append("")
            for n in ind["notes"]:
                w.append("# " + n)
            w.append("indicator %s %s" % (code(b, ind), q(ind["name"])))
            w.append("  block %s" % code(b))
            if ind["ch"]:
                w.append("  challenge %s" % q(" ".join(x["text"] for x in ind["ch"])))
            if ind["obj"]:
                w.append("  objective %s" % q(" ".join(x["text"] for x in ind["obj"])))
            acts = ind["acts"]
            with_targets = [a for a in acts if any(s["targets"] for s in a["sets"])]
            sets = []
            for s in ind["sets"]:
                if s not in sets:
                    sets.append(s)
            for a in acts:
                for s in a["sets"]:
                    if s not in sets:
                        sets.append(s)
            resp = []
            for s in sets:
                for ag in s["pj"]:
                    if ag not in resp:
                        resp.append(ag)
            for y in YEARS:
                for s in sets:
                    prefix = ""
                    multi = any(len([t for t in o["sets"] if t["targets"]]) > 1
                                for o in s["owners"])
                    if s["owners"] and (len(with_targets) > 1 or len(s["owners"]) > 1 or
                                        multi):
                        prefix = "+".join("A%d" % (acts.index(o) + 1) for o in s["owners"])
                    if multi and s["pj"]:
                        prefix += " [" + "; ".join(s["pj"]) + "]"
                    for (yy, raw) in s["targets"]:
                        if yy != y:
                            continue
                        for qty, unit, r in quantities(raw):
                            text = (prefix.strip() + ": " + r) if prefix.strip() else r
                            w.append("  target %d %s %s %s" % (y, qty, q(unit), q(text)))
            if resp:
                w.append("  responsible " + " ".join(q(a) for a in resp))
            w.append("  line %d" % ind["line"])
            for k, a in enumerate(acts, 1):
                w.append("")
                w.append("action %s %s" % (code(b, ind, k), q(a["name"])))
                w.append("  indicator %s" % code(b, ind))
                aresp = []
                for s in a["sets"]:
                    for ag in s["pj"]:
                        if ag not in aresp:
                            aresp.append(ag)
                if aresp:
                    w.append("  responsible " + " ".join(q(x) for x in aresp))
                w.append("  line %d" % a["line"])
    for l in w:
        if len(l.encode("utf-8")) > MAXLINE:
            raise SystemExit("output line over %d bytes: %s" % (MAXLINE, l[:80]))
    out.write("\n".join(w) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: extract_ran.py SEED_000.txt > metadata/ran2020.gtm")
    warnings = []

    def warn(msg):
        warnings.append(msg)
        print("warning: " + msg, file=sys.stderr)

    cat = parse(sys.argv[1], warn)
    emit(cat, sys.stdout, sys.argv[1].rsplit("/", 1)[-1].split("_")[0])
    for b in cat.blocks:
        n_act = sum(len(i["acts"]) for i in b["inds"])
        print("%-12s %3d indicators %3d actions" % (b["code"], len(b["inds"]), n_act),
              file=sys.stderr)
    print("total        %3d indicators %3d actions" % (
        sum(len(b["inds"]) for b in cat.blocks),
        sum(len(i["acts"]) for b in cat.blocks for i in b["inds"])), file=sys.stderr)


if __name__ == "__main__":
    main()
