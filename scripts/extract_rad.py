#!/usr/bin/env python3
"""Extracts the regional action plans (RAD) of Nusa Tenggara Timur (seed 002) and Banten
(seed 004) into gtsync catalogues.

Run once over the seed texts; the output (metadata/rad-ntt-2020.gtm, rad-banten-2017.gtm)
was then reviewed by hand against the seeds and is the project's data from then on. The
hand corrections are the tables in this file (keyed by the seed's line number), so the
review is auditable. It is not run in CI.

    scripts/extract_rad.py ntt ../shared/seeds/002_5c50fb4b2897c9ac.txt > metadata/rad-ntt-2020.gtm
    scripts/extract_rad.py banten ../shared/seeds/004_861539b47a742229.txt \\
        > metadata/rad-banten-2017.gtm

Python 3 standard library only.
"""
import re
import sys

MAXLINE = 4096


def clean(text):
    """Drops HTML markup left by the PDF conversion and collapses white space."""
    text = re.sub(r"</?(i|b|em|strong)>", "", text or "")
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def q(text):
    """Quotes a string token."""
    return '"' + clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


NUM_RE = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*(x|%)?\s*(.*)$")


def quantity(raw):
    """Parses a target cell: "10 ORANG" gives ("10", "ORANG"), "2x KEGIATAN" gives ("2",
    "x KEGIATAN"), "100 %" gives ("100", "%"); anything else gives ("-", "")."""
    m = NUM_RE.match(raw)
    if not m:
        return "-", ""
    qty = m.group(1).replace(".", "")
    if m.group(2):
        qty += "." + m.group(2)
    unit = ((m.group(3) or "") + " " + m.group(4)).strip()
    return qty, re.sub(r"\s+", " ", unit)


def check_lines(w):
    for l in w:
        if len(l.encode("utf-8")) > MAXLINE:
            raise SystemExit("output line over %d bytes: %s" % (MAXLINE, l[:80]))


# --------------------------------------------------------------------------------------
# Nusa Tenggara Timur, Keputusan Gubernur 354/KEP/HK/2020 (seed 002)
# --------------------------------------------------------------------------------------

NTT_PLAN = "RADNTT2020"
NTT_YEARS = [2020, 2021, 2022, 2023, 2024]
NTT_VALUE_RE = re.compile(r"^(0|\d+x?\s+(MoU|[A-Z][A-Z ]*))$")

# Unit spellings broken by the PDF conversion (the raw text keeps the source's form).
NTT_UNIT_FIX = {"PERUSAHA AN": "PERUSAHAAN"}

# Names that contain commas, protected before a list of agencies is split on commas.
NTT_PROTECT = [
    (r"Koperasi,\s*(Tenaga Kerja|Nakertrans)", r"Koperasi§ \1"),
    (r"Prov,\s*NTT", "Prov. NTT"),
    (r"Prov\.NTT", "Prov. NTT"),
    (r"Intelejant\s*,\s*Pemindahan", "Intelejant§ Pemindahan"),
]


def ntt_agencies(text):
    """Splits a KOORDINATOR or PELAKSANA cell into agency names."""
    text = clean(text)
    for pat, rep in NTT_PROTECT:
        text = re.sub(pat, rep, text)
    # A parenthesised list is one item ("Tokoh Agama (MUI NTT, Sinode GMIT Kupang, ...)").
    text = re.sub(r"\([^)]*\)", lambda m: m.group(0).replace(",", "§"), text)
    # Two coordinators printed without a separator ("... Provinsi NTT Dinas ...").
    text = re.sub(r"(Provinsi NTT)\s+(?=Dinas )", r"\1, ", text)
    out = []
    for part in text.split(","):
        part = part.replace("§", ",").strip().rstrip(".").strip()
        if part and part not in out:
            out.append(part)
    return out


def ntt_split_indicators(text):
    """Splits a cell that holds several numbered indicators ("1. ...; 2. ...")."""
    text = clean(text)
    parts = []
    pos = [(m.start(1), int(m.group(1))) for m in
           re.finditer(r"(?:^|[\s;])(\d{1,2})\.\s+(?=[A-Za-z])", text)]
    keep = []
    for p, n in pos:
        if not keep or n == keep[-1][1] + 1:
            keep.append((p, n))
    if not keep or keep[0][0] != 0:
        return [(None, text)]
    for i, (p, n) in enumerate(keep):
        end = keep[i + 1][0] if i + 1 < len(keep) else len(text)
        body = re.sub(r"^\d{1,2}\.\s+", "", text[p:end]).strip().rstrip(";").strip()
        parts.append((n, body))
    return parts


def ntt_parse(path, warn):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    section = None
    prog = act = None
    last_ind = None
    pending_values_for = []
    for i, raw in enumerate(lines):
        ln = i + 1
        s = raw.strip()
        m = re.match(r"^([AB])\. (PENCEGAHAN|PENANGANAN)$", s)
        if m:
            section = m.group(1)
            continue
        if "\t" not in raw or section is None:
            continue
        cells = [c.strip() for c in raw.split("\t")]
        if cells[0] == "NO" or (len(cells) > 4 and cells[4] == "2020") or \
                cells[:3] == ["1", "2", "3"]:
            continue
        first_val = next((k for k, c in enumerate(cells) if NTT_VALUE_RE.match(c)), None)
        if first_val is None:
            warn("line %d: no target cells" % ln)
            continue
        texts = [(k, c) for k, c in enumerate(cells[:first_val]) if c]
        start = (texts[-1][0] + 1) if texts else first_val
        if not texts:
            # A row of values only: the targets of the next indicator of a cell that held
            # several indicators (line 82 for line 81).
            if not pending_values_for:
                warn("line %d: values without an indicator" % ln)
                continue
            ind = pending_values_for.pop(0)
            ind["targets"] = cells[start:start + 5]
            ind["notes"].append("line %d: targets from line %d" % (ind["line"], ln))
            continue
        years = cells[start:start + 5]
        tail = cells[start + 5:]
        while tail and NTT_VALUE_RE.match(tail[0]):
            tail = tail[1:]  # the same value printed once more (lines 130, 131, 182, 183)
        coord = tail[0] if len(tail) > 0 else ""
        impl = " ".join(t for t in tail[1:] if t)
        # Classify the text cells: program number and name, activity, indicator(s).
        act_letter = None
        act_text = None
        ind_cells = []
        k = 0
        while k < len(texts):
            c = texts[k][1]
            if re.match(r"^[1-9]$", c):
                prog = dict(code="%s%s" % (section, c), name=clean(texts[k + 1][1]),
                            line=ln, inds=[])
                blocks.append(prog)
                k += 2
                continue
            m = re.match(r"^([a-z])\.$", c)
            if m:
                act_letter = m.group(1)
                k += 1
                continue
            m = re.match(r"^([a-z])\.\s+(.+)$", c)
            if m and not ind_cells:
                act_letter, act_text = m.group(1), m.group(2)
                k += 1
                continue
            if act_letter and act_text is None and not re.match(r"^(<p>)?\d+\.\s", c):
                act_text = c
                if k == len(texts) - 1:
                    ind_cells.append(c)  # the activity is its own indicator (128, 130)
                k += 1
                continue
            ind_cells.append(c)
            k += 1
        if act_letter:
            act = dict(letter=act_letter.upper(),
                       name=clean(act_text) if act_text else None, line=ln)
            last_ind = None
        inds = []
        for c in ind_cells:
            inds.extend(ntt_split_indicators(c))
        if not inds:
            warn("line %d: no indicator text" % ln)
            continue
        made = []
        for num, body in inds:
            same_act = [x for x in prog["inds"] if x["act"] is act]
            if num is None:
                num = len(same_act) + 1
            if any(x["num"] == num for x in same_act):
                warn("line %d: indicator %d repeated" % (ln, num))
            ind = dict(num=num, name=body.rstrip(".;").strip(), act=act, line=ln,
                       targets=list(years), coord=None, impl=None, notes=[])
            # Merged KOORDINATOR / PELAKSANA cells are printed once, on the first row of
            # the rows they cover: a row without them inherits the previous row's (same
            # activity). A PELAKSANA list ending in "," continues on the next row.
            prev = last_ind if (last_ind is not None and last_ind["act"] is act) else None
            ind["coord"] = ntt_agencies(coord) if coord else (prev["coord"] if prev else [])
            if impl:
                cont = (prev is not None and prev["impl"]["text"].endswith(",") and
                        (not coord or ntt_agencies(coord) == prev["coord"]))
                if cont:
                    prev["impl"]["text"] += " " + clean(impl)
                    ind["impl"] = prev["impl"]
                else:
                    ind["impl"] = dict(text=clean(impl))
            else:
                ind["impl"] = prev["impl"] if prev else dict(text="")
            prog["inds"].append(ind)
            made.append(ind)
            last_ind = ind
        if len(made) > 1:
            for x in made:
                x["notes"].append("line %d: indicators %s share one cell and its targets" %
                                  (ln, ", ".join(str(y["num"]) for y in made)))
            pending_values_for = made[1:]
        else:
            pending_values_for = []
    return blocks


def ntt_emit(blocks, out):
    w = ["gtsync-metadata 1",
         "# RAD Nusa Tenggara Timur 2020-2023: the matrix of the annex of Keputusan Gubernur",
         "# NTT 354/KEP/HK/2020 (seed 002). Drafted by scripts/extract_rad.py, reviewed by hand;",
         "# see docs/CATALOGUES.md. This file is the data: edit it, do not regenerate it.",
         "# Blocks are the programmes (A = Pencegahan, B = Penanganan); each indicator has one",
         "# action record naming the activity (kegiatan) it belongs to. The matrix has year",
         "# columns 2020-2024 although the plan is titled 2020-2023: all five are kept.",
         "",
         "plan %s %s" % (NTT_PLAN, q("Rencana Aksi Daerah Pencegahan dan Penanganan Korban "
                                     "Perdagangan Orang di Provinsi Nusa Tenggara Timur Tahun "
                                     "2020-2023")),
         "  years 2020 2024",
         "  scope province 53",
         "  source %s" % q("Lampiran Keputusan Gubernur Nusa Tenggara Timur Nomor 354/KEP/HK/2020; "
                           "ditinjau kembali setiap 6 bulan")]
    for b in blocks:
        w += ["", "block %s.%s %s" % (NTT_PLAN, b["code"], q(b["name"])),
              "  plan %s" % NTT_PLAN, "  line %d" % b["line"]]
        for ind in b["inds"]:
            code = "%s.%s.%s.%02d" % (NTT_PLAN, b["code"], ind["act"]["letter"], ind["num"])
            w.append("")
            for n in ind["notes"]:
                w.append("# " + n)
            if ind["act"]["name"] is None and ind["num"] == 1:
                w.append("# activity %s of this programme has no name in the source: no "
                         "action record" % ind["act"]["letter"].lower())
            w.append("indicator %s %s" % (code, q(ind["name"])))
            w.append("  block %s.%s" % (NTT_PLAN, b["code"]))
            for y, raw in zip(NTT_YEARS, ind["targets"]):
                if not raw:
                    continue
                qty, unit = quantity(raw)
                unit = NTT_UNIT_FIX.get(unit, unit)
                w.append("  target %d %s %s %s" % (y, qty, q(unit), q(raw)))
            impl = ntt_agencies(ind["impl"]["text"])
            if ind["coord"]:
                w.append("  coordinator " + " ".join(q(a) for a in ind["coord"]))
            if impl:
                w.append("  implementer " + " ".join(q(a) for a in impl))
            w.append("  line %d" % ind["line"])
            if ind["act"]["name"] is not None:
                w.append("")
                w.append("action %s.A1 %s" % (code, q(ind["act"]["name"])))
                w.append("  indicator %s" % code)
                if ind["coord"]:
                    w.append("  coordinator " + " ".join(q(a) for a in ind["coord"]))
                if impl:
                    w.append("  implementer " + " ".join(q(a) for a in impl))
                w.append("  line %d" % ind["act"]["line"])
    check_lines(w)
    out.write("\n".join(w) + "\n")
    n_ind = sum(len(b["inds"]) for b in blocks)
    print("NTT: %d programmes, %d indicators" % (len(blocks), n_ind), file=sys.stderr)


# --------------------------------------------------------------------------------------
# Banten, Peraturan Gubernur 10/2018, annex (seed 004)
# --------------------------------------------------------------------------------------

BT_PLAN = "RADBANTEN2017"
BT_YEARS = [2017, 2018, 2019, 2020, 2021]
BT_SGT = {
    "REHABILITASI SOSIAL, REINTEGRASI DAN PEMULANGAN": "REHSOS",
    "PENCEGAHAN": "PENCEGAHAN",
    "PENEGAKAN HUKUM": "GAKKUM",
    "PENGEMBANGAN NORMA HUKUM": "NORMA",
    "REHABILITASI KESEHATAN": "REHKES",
}
# Columns of the 14-column table.
AGENCY, PROBLEM, ACTIVITY, PROCESS, RESULT, TARGET = 0, 1, 2, 3, 4, 5
RESP, IMPL, GROUP = 11, 12, 13

# Hand corrections, keyed by the seed line of the row (after the row's continuation lines
# have been appended). The PDF conversion ran words together and split them at line ends
# ("Belummaksimal-<br>nyapenyuluhan"): these texts restore the spaces and the letters lost
# at the breaks, nothing else; the source's own spelling is kept. Lists are agencies.
BT_FIX = {
    17: {RESULT: "Tersedianya tempat terpadu bagi korban kekerasan / perdagangan orang"},
    18: {RESULT: "1. Pulihnya kondisi Psikososial klien 2. Berfungsi sosial secara wajar"},
    34: {RESULT: "Pemahaman Masyarakat dan masyarakatnya penempatan TKI secara prosedural"},
    49: {PROBLEM: "Kurang pemahaman terkait persepsi tentang isu TPPO serta kurangnya "
                  "kepedulian dan kepekaan terhadap isu TPPO",
         ACTIVITY: "Capacity Building unsur Organisasi Perangkat Daerah (OPD) bagi Organisasi "
                   "Perangkat Daerah (OPD) yang tergabung dalam Tim Gugus Tugas",
         PROCESS: "Workshop bagi Organisasi Perangkat Daerah (OPD) yang tergabung dalam Tim "
                  "Gugus Tugas PP TPPO",
         RESULT: "Peningkatan pemahaman dan menyamakan persepsi tentang isu PP TPPO dan "
                 "tersedianya standar operasional prosedur gugus tugas",
         TARGET: "workshop dilakukan setiap tahun & menghasilkan SOP gugus tugas"},
    61: {IMPL: ["Kanwil Hukum dan HAM Banten", "BP3TKI Serang", "DP3AKKB Provinsi Banten",
                "Kantor Kesehatan Pelabuhan Kelas II Merak"]},
    67: {AGENCY: "Dinas Pariwisata Provinsi Banten",
         PROBLEM: "Peningkatan jumlah wisata yang masuk ke Provinsi Banten memungkinkan "
                  "membawa dampak negatif terhadap trafiking perempuan dan anak",
         ACTIVITY: "Bimbingan teknis / Penyuluhan pencegahan trafiking perempuan anak serta "
                   "pencegahan penyakit menular HIV/AIDS di lingkungan dunia usaha sarana "
                   "pariwisata",
         PROCESS: "Memberikan penyuluhan kepada masyarakat mengenai dampak buruk yang terjadi "
                  "dalam dunia pariwisata",
         RESULT: "Pariwisata yang sesuai dengan sapta pesona dan terjaga dari indikasi yang "
                 "tidak baik dalam dunia industri pariwisata",
         TARGET: "bimbingan teknis dilakukan setiap tahun",
         RESP: ["Dinas Pariwisata Provinsi Banten"],
         IMPL: ["Dinas Pariwisata Provinsi Banten"],
         GROUP: "Dunia usaha kepariwisataan, Masyarakat daerah pariwisata"},
    80: {AGENCY: "Kanwil Kementerian Agama Provinsi Banten",
         PROBLEM: "Belum maksimalnya penyuluhan agama di Desa/Kelurahan tentang PPTPPO",
         ACTIVITY: "Pembinaan Penyuluhan agama bagi masyarakat",
         PROCESS: "Memberikan penyuluhan kepada masyarakat tentang Perdagangan Orang "
                  "dikaitkan dengan aspek agama",
         RESULT: "Tumbuhnya kesadaran pemahaman akan akibat TPPO dalam aspek agama",
         TARGET: "penyuluhan agama mengenai TPPO, dilakukan setiap tahun",
         RESP: ["Kanwil Kementerian Agama Provinsi Banten"],
         IMPL: ["Kanwil Kementerian Agama Provinsi Banten", "Tim Gugus Tugas PPTPPO"],
         GROUP: "Masyarakat"},
    81: {PROBLEM: "Belum maksimalnya penyuluhan di Desa/Kelurahan Rawan Perdagangan orang "
                  "tentang PPTPPO aspek hukum",
         ACTIVITY: "Pembinaan Penyuluhan bagi masyarakat",
         PROCESS: "Memberikan penyuluhan kepada masyarakat tentang Perdagangan Orang aspek "
                  "hukum",
         RESULT: "Tumbuhnya kesadaran pemahaman akan akibat TPPO dari aspek hukum",
         TARGET: "penyuluhan TPPO aspek hukum dilakukan setiap tahun",
         GROUP: "Masyarakat"},
    82: {AGENCY: "Kantor Imigrasi Serang",
         PROBLEM: "Masih adanya Calon Korban TPPO yang lolos deteksi dini",
         ACTIVITY: "Verifikasi data melalui system informasi imigrasi",
         PROCESS: "Melakukan verifikasi data melalui system informasi imigrasi",
         TARGET: "Verifikasi data dilakukan setiap tahun",
         RESP: ["Kantor Imigrasi Serang"],
         IMPL: ["Kantor Imigrasi Serang", "Tim Gugus Tugas PPTPPO"],
         GROUP: "Masyarakat"},
    88: {PROBLEM: "Masih ada warga Banten yang mencoba menjadi TKI Unprosedural, sangat "
                  "mungkin menjadi Sumber TPPO di Luar negeri",
         ACTIVITY: "1. Verifikasi melalui system informasi 2. Meminta rekomendasi dari Kantor "
                   "Kemenag bagi yang menjalankan umroh dan haji serta BNP2TKI bagi calon TKI "
                   "dan disnakertrnas bagi TKI mandiri magang",
         RESP: ["Kantor Imigrasi Serang", "BNP2TKI", "Disdukcapil", "Disnakertrans",
                "Kementerian agama"]},
    111: {IMPL: ["Dinas Perhubungan Provinsi Banten", "Polda Banten",
                 "Diskominfo, Statistik & Persandian Prov. Banten"]},
    125: {AGENCY: "Biro Hukum DAN Polda Banten",
          PROBLEM: "Belum meratanya pengetahuan masyarakat tentang TPPO",
          ACTIVITY: "Sosialisasi Pencegahan dan Penanganan TPPO di Daerah Rawan TPPO",
          PROCESS: "Melakukan penyuluhan hokum kepada masyarakat daerah rawan TPPO",
          RESULT: "Masyarakat mendapat pengetahuan masyarakat tentang TPPO",
          IMPL: ["Direktorat Binmas Polda", "Bidang Hukum Polda"]},
    136: {RESP: ["Polda Banten", "Biro Hukum Setda Provinsi Banten"],
          IMPL: ["Direktorat Binmas Polda", "Bidang Hukum Polda"]},
    137: {ACTIVITY: "Mengungkapkan dan mencari para pelaku TPPO guna diproses secara hukum "
                    "lebih lanjut"},
    145: {AGENCY: "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Kependudukan dan Keluarga "
                  "Berencana Provinsi Banten",
          PROBLEM: "Korban banyak berasal dari Provinsi Banten",
          ACTIVITY: "Melakukan Koordinasi dengan OPD kab/kota",
          PROCESS: "Melakukan proses rehabilitasi kesehatan dan rehabilitasi social serta "
                   "Pemulangan Korban ke daerah asal",
          RESULT: "Korban dipulangkan ke daerah asal",
          IMPL: ["DP3AKKB Provinsi Banten", "Biro Hukum Setda Prov. Banten", "Dinas Sosial",
                 "Dinas Kesehatan/RS"],
          GROUP: "Korban TPPO"},
    146: {PROBLEM: "Revisi peraturan yang mengatur mengenai PP TPPO Yang sesuai dengan "
                   "perundang-undangan yang berlaku",
          ACTIVITY: "Menyusun regulasi daerah tentang PP TPPO melalui Peraturan Daerah Yang "
                    "sesuai dengan perundang-undangan yang berlaku",
          PROCESS: "Membuat revisi PERDA PP TPPO / perangkat hukum tingkat daerah Yang sesuai "
                   "dengan perundang-undangan yang berlaku",
          RESULT: "Tersusun Peraturan Daerah Pencegahan & Penanganan PP TPPO",
          RESP: ["Biro Hukum Setda Provinsi Banten"],
          IMPL: ["Biro Hukum Setda Provinsi Banten", "DP3AKKB Provinsi Banten"],
          GROUP: "Legislatif dan eksekutif"},
    161: {AGENCY: "Biro Hukum Setda Provinsi Banten",
          PROBLEM: "Penanganan kasus Trafiking yang masih bersifat sektoral",
          ACTIVITY: "Memfasilitasi penanganan korban secara terpadu",
          PROCESS: "Penanganan korban secara terpadu",
          RESULT: "Terpadunya Penanganan Korban PTPPO",
          TARGET: "kasus yang ditangani secara terpadu semakin meningkat",
          IMPL: ["P2TP2A Provinsi Banten", "Gugus Tugas"]},
    168: {AGENCY: "Kanwil Hukum dan HAM Banten",
          PROBLEM: "Kurangnya pengetahuan masyarakat bahwa tindak pidana perdagangan orang "
                   "melanggar hak asasi manusia",
          ACTIVITY: "Sosialisasi UU No. 39 Tahun 1999 tentang hak asasi manusia UU No. 21 tahun "
                    "2007 tentang TPPO",
          PROCESS: "Adanya Sosialisasi PP TPPO berkaitan dengan HAM",
          RESULT: "Mengetahui dan tanggapnya masyarakat terhadap hak asasi manusia",
          TARGET: "sosialisasi dilakukan setiap tahun",
          RESP: ["Kanwil Hukum dan HAM Banten"],
          IMPL: ["Kanwil Hukum dan HAM Banten"]},
    174: {AGENCY: "Dinas Tenaga kerja dan Transmigrasi Provinsi Banten",
          PROBLEM: "Kurang Pemahaman masyarakat tentang undang-Undang Ketenagakerjaan",
          ACTIVITY: "Sosialisasi tentang undang-Undang Ketenagakerjaan",
          PROCESS: "Menumbuhkan kesadaran pekerja dan keamanan pekerja",
          RESULT: "Pemahaman terhadap Undang-Undang tenagakerja",
          TARGET: "Sosialisasi dilaksanakan setiap tahun",
          RESP: ["Disnakertrans Provinsi Banten"],
          IMPL: ["Disnakertrans Provinsi Banten", "Instansi terkait"],
          GROUP: "Perusahaan dan Kontraktor yang mempekerjakan tenaga kerja luar daerah"},
    175: {AGENCY: "Kantor Imigrasi Serang",
          PROBLEM: "Masih ada warga Banten yang mencoba menjadi TKI Unprocedural baik tujuan "
                   "um atau tujuan menjalankan ibadah umroh",
          ACTIVITY: "1. Verifikasi data melalui system 2. Meminta rekomendasi dari: a. Kantor "
                    "kemenag bagi yang akan menjalankan umroh b. BNP2TKI bagi calon TKI c. "
                    "Disnakertrans bagi TKI Mandiri /Magang",
          PROCESS: "Melakukan sosialisasi melalui media sosialisasi peraturan keimigrasian di "
                   "wilayah kerja kantor Imigrasi Serang",
          RESULT: "Meningkatnya pemahaman masyarakat tentang TKI unprosedural yang berpotensi "
                  "jadi korban TPPO",
          RESP: ["Kantor Imigrasi", "BNP2TKI", "Disdukcapil", "Disnakertrans", "kemenag"],
          IMPL: ["Kantor Imigrasi Serang"],
          GROUP: "Masyarakat kabupaten Serang, Kota Serang, kabupaten pandeglang dan "
                 "Kabupaten Lebak"},
    188: {AGENCY: "DP3AKKB, Dinas Kesehatan, Rumah Sakit",
          PROBLEM: "Belum adanya anggaran bidang kesehatan untuk menangani kasus korban TPPO",
          ACTIVITY: "Penyediaan Anggaran",
          PROCESS: "Penanganan Korban TPPO",
          RESULT: "Tersedia anggaran untuk penanganan korban TPPO",
          RESP: ["DP3AKKB", "Dinas Kesehatan"],
          IMPL: ["Rumah Sakit"]},
    # The TARGET column holds an "x" here, a shifted schedule flag: no target text.
    195: {TARGET: ""},
    197: {RESP: ["Dinas Kesehatan Provinsi Banten", "DP3AKKB"],
          IMPL: ["Dinas Kesehatan Provinsi Banten", "DP3AKKB Provinsi Banten"]},
}

# Targets whose quantity the text states without leading with it.
BT_QTY = {
    34: ("1", "kali tingkat Provinsi sampai tingkat kecamatan"),  # "I kali" is "1 kali"
    88: ("4", "kali sosialisasi keimigrasian"),
    175: ("4", "kali setiap tahun"),
}

BT_NOTES = {
    34: "TARGET reads \"I kali\": the quantity is read as 1",
    48: "the problem text \"Kurang nyata masyarakat\" is kept as printed",
    125: "texts restored from hyphenated fragments (\"merata-n pengetaha-n\")",
    161: "the source's \"seкто\" (Cyrillic letters) + \"ral\" is read as \"sektoral\"",
    188: "texts restored from fragments that lost letters at line breaks "
         "(\"Belumadanya anbidangke sehatan\", \"Tersediaan garantuk\")",
    195: "the TARGET column holds a stray schedule flag; no target text",
}


def bt_join(cell):
    """Joins the <br>-separated fragments of a cell; a fragment ending in "-" is a split
    word."""
    parts = cell.split("<br>")
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            out += "\n"
            continue
        if out.endswith("-") and not out.endswith(" -"):
            out = out[:-1] + p
        else:
            out = (out + " " + p) if out and not out.endswith("\n") else out + p
    return out


def bt_list(cell):
    """Splits a PENANGGUNG JAWAB or PELAKSANA cell into agencies."""
    text = bt_join(cell)
    items = []
    for chunk in text.split("\n"):
        chunk = chunk.strip()
        if not chunk:
            continue
        if re.match(r"^\d+\.\s", chunk):
            parts = re.split(r"\s*\d+\.\s+", chunk)
        elif chunk.startswith("- "):
            parts = re.split(r"(?:^|\s)-\s+", chunk)
        else:
            parts = [chunk]
        for p in parts:
            p = clean(p).strip(" ,;")
            if re.match(r"^[A-Z0-9]+(, [A-Z0-9]+)+$", p):
                items.extend(x.strip() for x in p.split(","))
            elif p:
                items.append(p)
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def bt_text(cell):
    return clean(bt_join(cell).replace("\n", " "))


def banten_parse(path, warn):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rows = []
    sgt = None
    for i, raw in enumerate(lines):
        ln = i + 1
        s = raw.strip()
        if not s.startswith("|"):
            continue
        cells = [c.strip() for c in s.strip("|").split("|")]
        if all(re.match(r"^-*$", c) for c in cells):
            continue
        m = re.match(r"^SUB GUGUS TUGAS (.+)$", cells[0])
        if m:
            sgt = BT_SGT[m.group(1).strip()]
            continue
        if cells[0].startswith("INSTANSI") or cells[0] == "OPD" or "PROSES" in cells or \
                [c for c in cells if c][:3] == ["1", "2", "3"]:
            continue
        if not any(cells):
            continue
        flags = cells[6:11]
        has_flag = any(re.match(r"^[xX]$", f) for f in flags)
        if not has_flag and not cells[RESP]:
            # A row continuing the cells of the row above across a page break.
            if not rows:
                warn("line %d: continuation before any row" % ln)
                continue
            prev = rows[-1]
            for k in range(min(len(cells), 14)):
                if cells[k]:
                    prev["cells"][k] = (prev["cells"][k] + "<br>" + cells[k]).strip()
            prev["cont"].append(ln)
            continue
        cells = (cells + [""] * 14)[:14]
        inherited = not cells[AGENCY]
        rows.append(dict(line=ln, sgt=sgt, cells=cells, cont=[], inherited=inherited))
    out = []
    last_agency = ""
    for r in rows:
        c = r["cells"]
        fix = BT_FIX.get(r["line"], {})

        def text(col):
            return fix[col] if col in fix else bt_text(c[col])

        def lst(col):
            return fix[col] if col in fix else bt_list(c[col])

        years = [y for y, f in zip(BT_YEARS, c[6:11]) if re.match(r"^[xX]$", f)]
        # A merged INSTANSI cell is printed on its first row only.
        agency = last_agency if r["inherited"] and AGENCY not in fix else text(AGENCY)
        last_agency = agency
        out.append(dict(line=r["line"], cont=r["cont"], sgt=r["sgt"], agency=agency,
                        problem=text(PROBLEM), activity=text(ACTIVITY),
                        process=text(PROCESS), result=text(RESULT), target=text(TARGET),
                        years=years, resp=lst(RESP), impl=lst(IMPL), group=text(GROUP),
                        fixed=set(fix), inherited=r["inherited"]))
    return out


def banten_emit(rows, out):
    w = ["gtsync-metadata 1",
         "# RAD Banten 2017-2021: the matrix of the annex of Peraturan Gubernur Banten",
         "# 10/2018 (seed 004). Drafted by scripts/extract_rad.py, reviewed by hand; see",
         "# docs/CATALOGUES.md. This file is the data: edit it, do not regenerate it.",
         "# One block per row of the matrix (agency and problem; the code names the sub task",
         "# force), a process and a result indicator, and the activity as the action. The",
         "# source schedules years with flags; the TARGET column is one text for all of",
         "# them and is repeated as the result indicator's target for each flagged year.",
         "",
         "plan %s %s" % (BT_PLAN, q("Rencana Aksi Daerah Pencegahan dan Penanganan Tindak "
                                    "Pidana Perdagangan Orang Provinsi Banten Tahun 2017-2021")),
         "  years 2017 2021",
         "  scope province 36",
         "  source %s" % q("Lampiran Peraturan Gubernur Banten Nomor 10 Tahun 2018")]
    counters = {}
    for r in rows:
        counters[r["sgt"]] = counters.get(r["sgt"], 0) + 1
        bcode = "%s.%s.%02d" % (BT_PLAN, r["sgt"], counters[r["sgt"]])
        w.append("")
        if r["cont"]:
            w.append("# line %d continues on line %s" % (r["line"],
                                                          ", ".join(map(str, r["cont"]))))
        if r["fixed"] & {AGENCY, PROBLEM, ACTIVITY, PROCESS, RESULT, TARGET, GROUP}:
            w.append("# line %d: text restored by hand (words run together or split in the "
                     "source)" % r["line"])
        if r["fixed"] & {RESP, IMPL}:
            w.append("# line %d: agency lists split by hand" % r["line"])
        if r["inherited"]:
            w.append("# line %d: the agency cell is empty; the agency of the row above is "
                     "used" % r["line"])
        if BT_NOTES.get(r["line"]):
            w.append("# line %d: %s" % (r["line"], BT_NOTES[r["line"]]))
        w.append("block %s %s" % (bcode, q(r["problem"])))
        w.append("  plan %s" % BT_PLAN)
        w.append("  lead %s" % q(r["agency"]))
        w.append("  line %d" % r["line"])
        common = []
        if r["years"]:
            common.append("  schedule " + " ".join(str(y) for y in r["years"]))
        if r["resp"]:
            common.append("  responsible " + " ".join(q(a) for a in r["resp"]))
        if r["impl"]:
            common.append("  implementer " + " ".join(q(a) for a in r["impl"]))
        if r["group"]:
            common.append("  group %s" % q(r["group"]))
        w.append("")
        w.append("indicator %s.P %s" % (bcode, q(r["process"])))
        w.append("  block %s" % bcode)
        w.append("  kind process")
        w += common
        w.append("  line %d" % r["line"])
        w.append("")
        w.append("indicator %s.H %s" % (bcode, q(r["result"])))
        w.append("  block %s" % bcode)
        w.append("  kind result")
        if r["target"]:
            qty, unit = BT_QTY.get(r["line"]) or quantity(r["target"])
            for y in r["years"]:
                w.append("  target %d %s %s %s" % (y, qty, q(unit), q(r["target"])))
        w += common
        w.append("  line %d" % r["line"])
        w.append("")
        w.append("action %s.A1 %s" % (bcode, q(r["activity"])))
        w.append("  indicator %s.P" % bcode)
        w += common
        w.append("  line %d" % r["line"])
    check_lines(w)
    out.write("\n".join(w) + "\n")
    per = {}
    for r in rows:
        per[r["sgt"]] = per.get(r["sgt"], 0) + 1
    print("Banten: %d rows %s" % (len(rows), per), file=sys.stderr)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ntt", "banten"):
        sys.exit("usage: extract_rad.py ntt|banten SEED.txt > metadata/rad-....gtm")

    def warn(msg):
        print("warning: " + msg, file=sys.stderr)

    if sys.argv[1] == "ntt":
        ntt_emit(ntt_parse(sys.argv[2], warn), sys.stdout)
    else:
        banten_emit(banten_parse(sys.argv[2], warn), sys.stdout)


if __name__ == "__main__":
    main()
