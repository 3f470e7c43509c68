// The dashboard in a real browser (issue 11, item 3): Debian's chromium driven by
// playwright-core. Usage: node dashboard.mjs MODE BASE_URL OUT_DIR ID.json 53.json MONTHS.json
//   MODE online:  every page loads without console errors or failed requests; the overview's
//                 and the province's figures equal `gtsync report --format json`; tile ->
//                 province -> district by clicks and back by the breadcrumb; the language
//                 switch is remembered; hostile names stay text; screenshots are not blank;
//                 the trend page over a period range equals each month's report (MONTHS.json,
//                 {"202501": report, ...}), its range form works and a bad range says so; the
//                 action-plan page shows NTT's 2022 targets as the catalogue has them
//                 (metadata/rad-ntt-2020.gtm), the achievement entered and the gap, filtered
//                 by block and sorted by gap by clicks.
//   MODE actions: (an aggregator's dashboard) a district's report returned from its page, with
//                 a hostile reason shown as text.
//   MODE export:  (BASE_URL a file:// directory written by `gtsync dashboard --export`) the
//                 province's pages open from the files, their figures equal the reports, no
//                 form or language switch is left, and every link names a file written.
//   MODE offline: (the server stopped) the cached pages still show their figures and age.
//   MODE provenance: (an aggregator's dashboard) from a drill-down cell and a headline figure by
//                 clicks to the provenance page: the verdict, the batches with verified
//                 signatures and inclusion, the figure recomputed, the CSV, print, English.
//   MODE prov-offline: (the server stopped) the last verification with its time; checking
//                 again says it cannot be done offline.
//   MODE tampered: (a value changed in the server's sqlite) checking again shows the cell.
//   MODE reader:  (a reader's dashboard; 53.json the reader's report) the provenance page says
//                 a reader cannot verify; withheld parts show as "*" in cards and charts.
// Exits 0 when every check held, 1 with the failures listed otherwise.
import { readFileSync, mkdirSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(join(here, 'node_modules', 'playwright-core', 'index.mjs'));

const [mode, base, outDir, idJson, provJson, monthsJson] = process.argv.slice(2);
const national = JSON.parse(readFileSync(idJson, 'utf8'));
const province = JSON.parse(readFileSync(provJson, 'utf8'));
const months = monthsJson ? JSON.parse(readFileSync(monthsJson, 'utf8')) : {};
mkdirSync(outDir, { recursive: true });

const failures = [];
const fail = (msg) => { failures.push(msg); console.error('FAIL: ' + msg); };
const check = (cond, msg) => { if (!cond) fail(msg); };

const browser = await chromium.launch({
  executablePath: process.env.GT_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(60000);
const t0 = Date.now();
page.on('load', () => console.log('loaded', page.url(), Date.now() - t0, 'ms'));
let expectProblem = false;
page.on('console', (m) => { if (m.type() === 'error' && !expectProblem) fail('console error on ' + page.url() + ': ' + m.text()); });
page.on('pageerror', (e) => fail('page error on ' + page.url() + ': ' + e.message));
page.on('requestfailed', (r) => fail('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
page.on('response', (r) => { if (r.status() >= 400 && !expectProblem) fail('HTTP ' + r.status() + ' for ' + r.url()); });
page.on('dialog', async (d) => { fail('a dialog opened (script ran): ' + d.message()); await d.dismiss(); });

// Sums of every value of each element among vals.
function elementTotals(vals) {
  const t = {};
  for (const v of vals) if (typeof v.value === 'number') t[v.dataElement] = (t[v.dataElement] || 0) + v.value;
  return t;
}

// A screenshot that shows more than one colour in quantity (not blank).
async function shot(name) {
  const file = join(outDir, name + '.png');
  const png = await page.screenshot({ path: file, fullPage: true });
  const probe = await context.newPage();
  const colours = await probe.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Map();
    for (let i = 0; i < d.length; i += 4 * 7) {
      const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      seen.set(k, (seen.get(k) || 0) + 1);
    }
    const total = d.length / (4 * 7);
    let dominant = 0;
    for (const n of seen.values()) dominant = Math.max(dominant, n);
    return { distinct: seen.size, dominantShare: dominant / total };
  }, png.toString('base64'));
  await probe.close();
  check(colours.distinct > 8 && colours.dominantShare < 0.995, `screenshot ${name} looks blank (${JSON.stringify(colours)})`);
}

async function go(path) {
  const resp = await page.goto(base + path);
  check(resp && resp.status() === 200, `GET ${path}: status ${resp && resp.status()}`);
}

// The figures table of a region page against a report's totals.
async function checkFigures(rep, where) {
  const cells = await page.$$eval('#figures td[data-de]', (tds) => tds.map((td) => ({
    de: td.dataset.de, coc: td.dataset.coc, v: td.dataset.v })));
  const byKey = new Map(cells.map((c) => [c.de + '|' + c.coc, c.v]));
  check(rep.totals.length > 0, `${where}: the report has no totals to compare`);
  for (const t of rep.totals) {
    const got = byKey.get(t.dataElement + '|' + t.categoryOptionCombo);
    check(got !== undefined && Number(got) === t.value,
          `${where}: ${t.dataElement}/${t.categoryOptionCombo} shows ${got}, report says ${t.value}`);
  }
  check(cells.length === rep.totals.length, `${where}: ${cells.length} figures shown, ${rep.totals.length} in the report`);
  for (const c of rep.children) {
    const row = await page.$(`#children tr[data-org="${c.orgUnit}"]`);
    check(row !== null, `${where}: no row for ${c.orgUnit}`);
    if (row === null) continue;
    const totals = elementTotals(c.values);
    const shown = await row.$$eval('td[data-de]', (tds) => tds.map((td) => [td.dataset.de, td.dataset.v]));
    for (const [de, v] of shown) {
      const want = totals[de];
      check(want === undefined ? v === '' : Number(v) === want, `${where}: ${c.orgUnit} ${de} shows '${v}', report says ${want}`);
    }
  }
}

if (mode === 'online') {
  // The overview of the centre: headline figures equal the national report's element totals.
  await go('/ringkasan');
  const totals = elementTotals(national.totals);
  const cards = await page.$$eval('.card b[data-de]', (bs) => bs.map((b) => [b.dataset.de, b.dataset.v]));
  check(cards.length > 0, 'the overview shows no headline figures');
  for (const [de, v] of cards)
    check(totals[de] === undefined ? v === '' : Number(v) === totals[de], `overview: ${de} shows '${v}', report says ${totals[de]}`);
  const tiles = await page.$$eval('#tiles a', (as) => as.map((a) => a.dataset.org));
  check(JSON.stringify(tiles.sort()) === JSON.stringify(national.children.map((c) => c.orgUnit).sort()),
        `overview tiles ${tiles} differ from the report's children`);
  check((await page.textContent('#age')).includes('WITA'), 'the overview does not say how old its data is');
  await shot('overview');

  // Tile -> province -> district by clicks, and back by the breadcrumb.
  await Promise.all([page.waitForURL(/\/wilayah\?org=53&/), page.click('#tiles a[data-org="53"]')]);
  check((await page.textContent('#title')).trim() === province.orgUnitName, 'the province page has the wrong title');
  await checkFigures(province, 'province 53');
  // Hostile names are text: no element was made from them, and the text reads as written.
  check(await page.$$eval('img', (i) => i.length) === 0, 'an <img> element was made from a name');
  check(await page.$$eval('script', (s) => s.length) === 0, 'a <script> element is on the page');
  const hostile = await page.textContent('#children tr[data-org="53.73"] a');
  check(hostile === '<script>alert(1)</script>"><img src=x onerror=alert(2)>', `the hostile name reads '${hostile}'`);
  await shot('province');
  await Promise.all([page.waitForURL(/\/wilayah\?org=53\.71&/), page.click('#children tr[data-org="53.71"] a')]);
  check((await page.textContent('#title')).trim() === 'Kota Kupang', 'the district page has the wrong title');
  await shot('district');
  await Promise.all([page.waitForURL(/\/wilayah\?org=53&/), page.click('.crumbs a >> text=Nusa Tenggara Timur')]);

  // The completeness matrix.
  await go('/kelengkapan?org=53&ds=KK&pe=2025');
  check(await page.$$eval('#matrix tbody tr', (r) => r.length) === province.children.length, 'the matrix has a row per unit');
  // Issue 11 item 4: a cell tells, on focus (and hover), when the unit's first value of the
  // month arrived, in the office's zone (WITA); hidden until then.
  // The months are fetched in the background: reload until January's cell is in.
  const cellSel = '#matrix tbody tr:has(th a:text-is("Kota Kupang")) td.cell >> nth=0';
  const tip = page.locator(cellSel).locator('.tip');
  for (let i = 0; i < 60 && await tip.count() === 0; i++) {
    await page.waitForTimeout(500);
    await go('/kelengkapan?org=53&ds=KK&pe=2025');
  }
  check(!(await tip.isVisible()), 'the first-arrival tooltip shows before focus');
  await page.locator(cellSel).focus();
  check(await tip.isVisible(), 'the first-arrival tooltip does not show on focus');
  const tipText = await tip.textContent();
  check(/(pertama tiba|first arrived) .*\d{4}.* WITA/.test(tipText), `the first-arrival tooltip reads '${tipText}'`);
  const described = await page.locator(cellSel).getAttribute('aria-describedby');
  check(described && await page.locator('#' + described).count() === 1, 'the cell is not described by its tooltip');
  await shot('completeness');

  // The trend page (item 1 of what remained): the province's months from December 2024 to
  // March 2025. Months not cached yet are fetched in the background: reload until all are in.
  const trendPath = '/tren?org=53&ds=KK&pe=2025&from=202412&to=202503';
  await go(trendPath);
  for (let i = 0; i < 60 && await page.$('#pending') !== null; i++) {
    await page.waitForTimeout(500);
    await go(trendPath);
  }
  check(await page.$('#pending') === null, 'the trend page still waits for months: ' + await page.textContent('main'));
  const trendKeys = await page.$$eval('#chart-trend tbody tr', (rs) => rs.map((r) => r.dataset.k));
  check(JSON.stringify(trendKeys) === JSON.stringify(['202412', '202501', '202502', '202503']),
        `the trend line's periods are ${trendKeys}`);
  check(await page.$$eval('#chart-trend svg polyline', (l) => l.length) > 0, 'the trend line draws no line');
  // December 2024 has no figures: a gap in the line, not a point at 0 (one point per value
  // the data table shows).
  const points = await page.$$eval('#chart-trend svg circle', (c) => c.length);
  const valued = await page.$$eval('#chart-trend td[data-s]', (tds) => tds.filter((td) => td.dataset.v !== '').length);
  const blank = await page.$$eval('#chart-trend tr[data-k="202412"] td[data-s]', (tds) => tds.filter((td) => td.dataset.v === '').length);
  check(blank > 0 && points === valued, `the trend line has ${points} points for ${valued} values (December 2024 empty in ${blank} series)`);
  check(await page.$$eval('#chart-KK-KORBAN svg rect', (r) => r.length) > 0, 'the sex and age chart draws no bars');
  check(await page.$('#chart-KK-KORBAN-WNI') !== null, 'no chart of victims abroad against at home');
  check(await page.$('#chart-KK-PERKARA svg.funnel') !== null, 'no funnel of the law-enforcement stages');
  check(await page.$('#chart-KK-PELAKU') !== null, 'no chart of the perpetrators');
  check(/Desember 2024.Maret 2025/.test(await page.textContent('#range-human')),
        `the range reads '${await page.textContent('#range-human')}'`);
  let trendChecked = 0;
  for (const k of Object.keys(months)) {
    const rep = months[k];
    const totals = elementTotals(rep.totals);
    const line = await page.$$eval(`#chart-trend tr[data-k="${k}"] td[data-s]`, (tds) => tds.map((td) => [td.dataset.s, td.dataset.v]));
    check(line.length > 0, `the trend line has no row for ${k}`);
    for (const [de, v] of line) {
      check(totals[de] === undefined ? v === '' : Number(v) === totals[de], `trend ${k}: ${de} shows '${v}', report says ${totals[de]}`);
      trendChecked += totals[de] !== undefined;
    }
    const bars = await page.$$eval(`#chart-KK-KORBAN tr[data-k="${k}"] td[data-s]`, (tds) => tds.map((td) => [td.dataset.s, td.dataset.v]));
    check(bars.length === 4, `the sex and age bars of ${k} have ${bars.length} parts`);
    for (const [coc, v] of bars) {
      const t = rep.totals.find((x) => x.dataElement === 'KK_KORBAN' && x.categoryOptionCombo === coc);
      check(t === undefined ? v === '' : Number(v) === t.value, `trend ${k}: KK_KORBAN/${coc} shows '${v}', report says ${t && t.value}`);
      trendChecked += t !== undefined;
    }
  }
  check(trendChecked >= 6, `only ${trendChecked} trend figures could be compared with the reports`);
  await shot('trends');
  // The range form narrows the page, and the URL carries the range.
  await page.fill('#range input[name="from"]', '202501');
  await page.fill('#range input[name="to"]', '202502');
  await Promise.all([page.waitForURL(/from=202501&to=202502/), page.click('#range button')]);
  check(await page.$$eval('#chart-trend tbody tr', (r) => r.length) === 2, 'the narrowed range does not show two months');
  // A range whose end comes before its start: a page that says so.
  expectProblem = true;
  const bad = await page.goto(base + '/tren?org=53&ds=KK&pe=2025&from=202503&to=202501');
  check(bad.status() === 404 && await page.$('#problem') !== null, 'a backwards range is not refused with a page');
  expectProblem = false;

  // The action-plan page (item 2 of what remained): NTT's plan in 2022 for the province, the
  // targets read here from the catalogue itself, the achievement the fixture entered (53.71:
  // A1.A.01 = 1, A1.A.02 = 3), the gap their difference.
  const cat = readFileSync(join(here, '..', '..', 'metadata', 'rad-ntt-2020.gtm'), 'utf8');
  const want = new Map();
  let ind = null;
  for (const line of cat.split('\n')) {
    let mt = line.match(/^indicator (\S+) /);
    if (mt) { ind = { code: mt[1], target: null, block: null }; want.set(ind.code, ind); continue; }
    if (/^\S/.test(line)) { ind = null; continue; }
    if (ind === null) continue;
    mt = line.match(/^\s+block (\S+)/);
    if (mt) ind.block = mt[1];
    mt = line.match(/^\s+target 2022 ([0-9.]+) /);
    if (mt) ind.target = (ind.target || 0) + Number(mt[1]);
  }
  const achieved = { 'RADNTT2020.A1.A.01': 1, 'RADNTT2020.A1.A.02': 3 };
  await go('/ringkasan');
  await Promise.all([page.waitForURL(/\/rencana\?/), page.click('header nav a[href^="/rencana"]')]);
  await Promise.all([page.waitForURL(/ds=ACH_RADNTT2020/), page.click('#plans a[data-ds="ACH_RADNTT2020"]')]);
  await Promise.all([page.waitForURL(/pe=2022/), page.click('#years a >> text=2022')]);
  const planRows = async () => page.$$eval('#plan tbody tr[data-ind]', (rs) => rs.map((r) => {
    const v = (c) => r.querySelector(`td[data-c="${c}"]`).dataset.v;
    return { code: r.dataset.ind, target: v('target'), achieved: v('achieved'), gap: v('gap') };
  }));
  let rows = await planRows();
  check(rows.length === want.size, `the plan page shows ${rows.length} indicators, the catalogue has ${want.size}`);
  for (const r of rows) {
    const w = want.get(r.code);
    check(w !== undefined, `the plan page shows ${r.code}, which the catalogue lacks`);
    if (w === undefined) continue;
    const a = achieved[r.code] || 0;
    check(w.target === null ? r.target === '' : Number(r.target) === w.target, `plan ${r.code}: target '${r.target}', catalogue ${w.target}`);
    check(Number(r.achieved) === a, `plan ${r.code}: achievement '${r.achieved}', entered ${a}`);
    check(w.target === null ? r.gap === '' : Number(r.gap) === w.target - a, `plan ${r.code}: gap '${r.gap}', want ${w.target - a}`);
  }
  await shot('action-plan');
  // Sorted by gap, largest first (those without a target after them).
  await Promise.all([page.waitForURL(/urut=selisih/), page.click('#sort-gap')]);
  rows = await planRows();
  const gaps = rows.filter((r) => r.gap !== '').map((r) => Number(r.gap));
  check(gaps.length > 1 && gaps.every((g, i) => i === 0 || gaps[i - 1] >= g), `the gaps are not in order: ${gaps}`);
  check(rows.findIndex((r) => r.gap === '') === -1 || rows.slice(rows.findIndex((r) => r.gap === '')).every((r) => r.gap === ''),
        'an indicator without a target sorts among those with one');
  // One block only, the sort kept.
  const blockCode = 'RADNTT2020.A1';
  await Promise.all([page.waitForURL(/blok=RADNTT2020\.A1/), page.click(`#blocks a[data-block="${blockCode}"]`)]);
  check(/urut=selisih/.test(page.url()), 'the block filter dropped the sort');
  rows = await planRows();
  const inBlock = [...want.values()].filter((w) => w.block === blockCode).length;
  check(rows.length === inBlock && rows.every((r) => want.get(r.code).block === blockCode),
        `the block filter shows ${rows.length} indicators, the block has ${inBlock}`);

  // The language switch, remembered across pages.
  await go('/ringkasan');
  check(await page.getAttribute('html', 'lang') === 'id', 'the default language is not Indonesian');
  await Promise.all([page.waitForEvent('load'), page.click('a[lang="en"]')]);
  check(await page.getAttribute('html', 'lang') === 'en', 'the switch to English did not take');
  await go('/wilayah?org=53&ds=KK&pe=2025');
  check(await page.getAttribute('html', 'lang') === 'en', 'English was not remembered');
  await Promise.all([page.waitForEvent('load'), page.click('a[lang="id"]')]);
  check(await page.getAttribute('html', 'lang') === 'id', 'the switch back to Indonesian did not take');

  // An unknown org unit: a page that says so, with a link back that works.
  expectProblem = true;
  const resp = await page.goto(base + '/wilayah?org=99.99&ds=KK&pe=2025');
  check(resp.status() === 404, 'an unknown org unit is not a 404 page');
  check(await page.$('#problem') !== null, 'the unknown org unit page does not say what is wrong');
  expectProblem = false;
  await Promise.all([page.waitForURL(/\/ringkasan/), page.click('a[href="/"]')]);
} else if (mode === 'actions') {
  // A province's aggregator returns a district's approved report from the page, with a
  // hostile reason that stays text; the page then shows the new state.
  await go('/wilayah?org=53&ds=KK&pe=2025');
  const row = '#children tr[data-org="53.71"]';
  check(await page.$(`${row} button[data-kind="accept"]`) !== null, 'no accept button for the approved district');
  await page.fill(`${row} form:has(button[data-kind="return"]) input[name="reason"]`,
                  '<script>alert(4)</script>"><img src=x onerror=alert(5)> angka Maret salah');
  await Promise.all([page.waitForEvent('load'), page.click(`${row} button[data-kind="return"]`)]);
  check(await page.getAttribute('#outcome', 'data-status') === '200', 'the return was not applied: ' + await page.textContent('main'));
  check((await page.textContent('#reason')).startsWith('<script>alert(4)</script>'), 'the reason is not shown as text');
  check(await page.$$eval('img', (i) => i.length) === 0, 'an <img> element was made from the reason');
  await shot('action-returned');
  await Promise.all([page.waitForEvent('load'), page.click('#back')]);
  check(await page.$(`${row} button[data-kind="accept"]`) === null, 'the returned district can still be accepted');
  check(await page.$(`${row} button[data-kind="return"]`) === null, 'the returned district can still be returned');
} else if (mode === 'export') {
  const dir = fileURLToPath(base);
  await page.goto(base + 'index.html');
  const totals = elementTotals(province.totals);
  const cards = await page.$$eval('.card b[data-de]', (bs) => bs.map((b) => [b.dataset.de, b.dataset.v]));
  check(cards.length > 0, 'the exported overview shows no headline figures');
  for (const [de, v] of cards)
    check(totals[de] === undefined ? v === '' : Number(v) === totals[de], `export overview: ${de} shows '${v}', report says ${totals[de]}`);
  check(/WITA/.test(await page.textContent('#age')), 'the exported overview does not say how old its data is');
  check(await page.$$eval('form', (f) => f.length) === 0, 'a form is left in the exported overview');
  check(await page.$('a[lang="en"]') === null, 'the language switch is left in the export');
  await shot('export-overview');
  // By clicks from file to file: the regions page of the province, then a district.
  await Promise.all([page.waitForURL(/wilayah_53_KK_2025\.html$/), page.click('header nav a >> nth=1')]);
  await checkFigures(province, 'export province 53');
  await Promise.all([page.waitForURL(/wilayah_53\.71_KK_2025\.html$/), page.click('#children tr[data-org="53.71"] a')]);
  check((await page.textContent('#title')).trim() === 'Kota Kupang', 'the exported district page has the wrong title');
  await Promise.all([page.waitForURL(/tren_53\.71_KK_2025\.html$/), page.click('header nav a >> nth=2')]);
  check(await page.$('#chart-trend') !== null, 'the exported trend page has no chart');
  // Every link of every page names a file of the export.
  const files = readdirSync(dir);
  const pages = files.filter((f) => f.endsWith('.html'));
  check(pages.length > 10 && files.includes('style.css'), `the export wrote ${pages.length} pages`);
  let links = 0;
  for (const f of pages) {
    const html = readFileSync(join(dir, f), 'utf8');
    for (const m of html.matchAll(/href="([^"]*)"/g)) {
      const h = m[1].replace(/&amp;/g, '&');
      if (h.startsWith('data:')) continue;
      links++;
      check(!h.startsWith('/') && !h.includes('?') && existsSync(join(dir, h)), `${f} links to '${h}', which is not in the export`);
    }
  }
  check(links > pages.length, `only ${links} links among ${pages.length} pages`);
} else if (mode === 'offline') {
  await go('/wilayah?org=53&ds=KK&pe=2025');
  await checkFigures(province, 'offline province 53');
  const age = await page.textContent('#age');
  check(/WITA/.test(age), `offline: the page does not say how old its data is ('${age}')`);
  await shot('offline');
} else if (mode === 'provenance') {
  // Asal angka (issue 11 item 6, issue 14): from a figure of the drill-down table, by a click,
  // the signed batches it comes from, checked by the dashboard itself.
  await go('/wilayah?org=53&ds=KK&pe=2025');
  const cellSel = '#children tr[data-org="53.71"] td[data-de="KK_KORBAN_TOTAL"]';
  const cellV = await page.getAttribute(cellSel, 'data-v');
  check(cellV !== null && cellV !== '', `no figure of KK_KORBAN_TOTAL for 53.71 ('${cellV}')`);
  await Promise.all([page.waitForURL(/\/asal\?org=53&.*de=KK_KORBAN_TOTAL.*unit=53\.71/), page.click(`${cellSel} a.prov`)]);
  // The page reloads itself while it checks; it says so meanwhile.
  await page.waitForSelector('#verdict[data-state]', { timeout: 120000 });
  check(await page.getAttribute('#verdict', 'data-state') === 'verified', 'the figure is not verified: ' + await page.textContent('main'));
  const verdict = await page.textContent('#verdict');
  check(/terverifikasi: \d+ korban = \d+ batch bertanda tangan dari \d+ unit, kepala pohon \d+/.test(verdict), `the verdict reads '${verdict}'`);
  check(await page.getAttribute('#figure-verdict', 'data-v') === cellV, `the figure recomputed is ${await page.getAttribute('#figure-verdict', 'data-v')}, the table shows ${cellV}`);
  const rows = await page.$$eval('#batches tbody tr[data-leaf]', (rs) => rs.map((r) => ({
    leaf: r.dataset.leaf, org: r.dataset.org, sig: r.dataset.sig, incl: r.dataset.incl, key: r.cells[2].textContent })));
  check(rows.length > 0, 'no signed batch is listed');
  check(rows.length >= Number(await page.getAttribute('#figure-verdict', 'data-batches')), 'fewer batches listed than counted');
  for (const r of rows) {
    check(r.org === '53.71', `batch ${r.leaf} comes from ${r.org}, not from the cell's unit`);
    check(r.sig === '1' && r.incl === '1', `batch ${r.leaf}: signature ${r.sig}, inclusion ${r.incl}`);
    check(/\S.* · operator/.test(r.key) && !/^\s*[0-9a-f]{16}\s*$/.test(r.key), `batch ${r.leaf}'s key reads '${r.key}' (label and role wanted)`);
    // The label set with `gtsync-server key label`, logged as a record of its own.
    check(r.key.includes('Kota Kupang, operator baru'), `batch ${r.leaf}'s key reads '${r.key}', not its new label`);
  }
  // The table as CSV: one line per batch listed.
  const csvHref = await page.getAttribute('.csv a', 'href');
  const csv = await page.request.get(base + csvHref);
  check(csv.status() === 200 && /text\/csv/.test(csv.headers()['content-type']), `the CSV answers ${csv.status()}`);
  const lines = (await csv.text()).trim().split('\r\n');
  check(lines[0].startsWith('leaf,org_unit,') && lines.length === rows.length + 1, `the CSV has ${lines.length} lines for ${rows.length} batches`);
  check(lines.slice(1).every((l) => /,1,1,\d+,\d+$/.test(l)), 'a CSV line does not say the signature verified and included');
  await shot('provenance');
  // Printed: no header, navigation nor form.
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({ print: matchMedia('print').matches,
    header: getComputedStyle(document.querySelector('header')).display,
    form: getComputedStyle(document.querySelector('#verify-again').form).display }));
  check(printed.print && printed.header === 'none' && printed.form === 'none', 'the form or the header prints: ' + JSON.stringify(printed));
  await page.emulateMedia({ media: 'screen' });
  // In English, through the switch.
  await Promise.all([page.waitForEvent('load'), page.click('a[lang="en"]')]);
  check(/verified: \d+ victims = \d+ signed batches from \d+ units, tree head \d+/.test(await page.textContent('#verdict')), 'the English verdict reads ' + await page.textContent('#verdict'));
  await Promise.all([page.waitForEvent('load'), page.click('a[lang="id"]')]);
  // From a headline figure of the overview: the whole province's figure.
  await go('/ringkasan?org=53&ds=KK&pe=2025');
  const card = await page.$eval('.card b[data-de] a.prov', (a) => ({ de: a.parentElement.dataset.de, v: a.parentElement.dataset.v }));
  await Promise.all([page.waitForURL(/\/asal\?/), page.click('.card b[data-de] a.prov')]);
  await page.waitForSelector('#verdict[data-state]', { timeout: 120000 });
  check(await page.getAttribute('#verdict', 'data-state') === 'verified', 'the headline figure is not verified');
  check(await page.getAttribute('#figure-verdict', 'data-v') === card.v, `the headline ${card.de} recomputed is ${await page.getAttribute('#figure-verdict', 'data-v')}, the card shows ${card.v}`);
  const orgs = new Set(await page.$$eval('#batches tbody tr[data-leaf]', (rs) => rs.map((r) => r.dataset.org)));
  check(orgs.has('53.71') && orgs.has('53.72'), `the province's figure lists batches of ${[...orgs]}`);
  await shot('provenance-province');
} else if (mode === 'prov-offline') {
  // The server stopped: the last verification stays, with its time; checking again says
  // that the dashboard cannot verify offline.
  await go('/asal?org=53&ds=KK&pe=2025&de=KK_KORBAN_TOTAL&unit=53.71');
  check(await page.getAttribute('#verdict', 'data-state') === 'verified', 'the last verification is not shown offline');
  await Promise.all([page.waitForEvent('load'), page.click('#verify-again')]);
  await page.waitForSelector('#verdict[data-state="unreachable"]', { timeout: 120000 });
  check(await page.$('#last') !== null && /\d{4}/.test(await page.textContent('#last')), 'the time of the last verification is not said');
  check(await page.$$eval('#batches tbody tr[data-leaf]', (r) => r.length) > 0, 'the last verification\'s batches are gone');
} else if (mode === 'tampered') {
  // A value changed in the server's store behind its back: checking again shows the cell.
  await go('/asal?org=53&ds=KK&pe=2025&de=KK_KORBAN_TOTAL&unit=53.71');
  await Promise.all([page.waitForEvent('load'), page.click('#verify-again')]);
  await page.waitForSelector('#verdict[data-state="differs"]', { timeout: 120000 });
  check(/TIDAK terverifikasi/.test(await page.textContent('#verdict')), 'the verdict does not say NOT verified');
  const diff = await page.$$eval('#diffs tr.this', (rs) => rs.map((r) => ({ de: r.dataset.de, scope: r.dataset.scope,
    server: r.cells[3].dataset.v, signed: r.cells[4].dataset.v })));
  check(diff.length === 1 && diff[0].de === 'KK_KORBAN_TOTAL' && diff[0].scope === '53.71', 'the differing cell is not shown: ' + JSON.stringify(diff));
  if (diff.length === 1)
    check(Number(diff[0].server) === Number(diff[0].signed) + 90, `the cell differs by ${diff[0].server} - ${diff[0].signed}, 90 was added`);
  await shot('provenance-tampered');
} else if (mode === 'reader') {
  // A reader's key: the page says politely that it cannot check, and runs nothing.
  await go('/asal?org=53&ds=KK&pe=2025');
  check(await page.getAttribute('#verdict', 'data-state') === 'refused', 'the reader is not told it cannot verify');
  // Withheld parts (issue 14): the month chart's table marks them as the tables do, never a dash.
  const path = '/ringkasan?org=53&ds=KK&pe=2025';
  await go(path);
  const marks = async () => page.$$eval('#chart-months td[data-withheld="1"]', (tds) => tds.map((td) => td.textContent));
  for (let i = 0; i < 60 && (await marks()).length === 0; i++) {
    await page.waitForTimeout(500);
    await go(path);
  }
  const m = await marks();
  check(m.length > 0 && m.every((t) => t === '*'), `the month chart marks ${JSON.stringify(m)}`);
  const cards = await page.$$eval('.card b[data-de]', (bs) => bs.map((b) => ({ de: b.dataset.de, w: b.dataset.withheld, t: b.textContent })));
  // A card is marked exactly when the reader's report withholds a part of its total, and then
  // reads "*"; otherwise it shows the total (a dash only for an element with no value at all).
  const withheldTotals = new Set(province.totals.filter((t) => t.value === null).map((t) => t.dataElement));
  const shownTotals = new Set(province.totals.filter((t) => typeof t.value === 'number').map((t) => t.dataElement));
  for (const c of cards) {
    check(withheldTotals.has(c.de) === (c.w === '1'), `the card ${c.de} (withheld ${c.w}) against the reader's report`);
    check(c.w === '1' ? c.t === '*' : !shownTotals.has(c.de) || /\d/.test(c.t), `the card ${c.de} reads '${c.t}'`);
  }
  // A month's overview: one victim (AP) a month per district is a small cell, so a part of
  // the victims' total is withheld and its card reads "*".
  const month = '/ringkasan?org=53&ds=KK&pe=202501';
  await go(month);
  for (let i = 0; i < 60 && await page.$('.card b[data-de]') === null; i++) {
    await page.waitForTimeout(500);
    await go(month);
  }
  const mcards = await page.$$eval('.card b[data-de]', (bs) => bs.map((b) => ({ de: b.dataset.de, w: b.dataset.withheld, t: b.textContent })));
  check(mcards.some((c) => c.de === 'KK_KORBAN' && c.w === '1' && c.t === '*'), 'the month\'s victims card is not marked withheld: ' + JSON.stringify(mcards));
  check(mcards.every((c) => c.w !== '1' || c.t === '*'), 'a withheld card reads other than "*": ' + JSON.stringify(mcards));
  await shot('reader-month');
} else {
  fail('unknown mode ' + mode);
}

await browser.close();
writeFileSync(join(outDir, mode + '.result'), failures.length ? failures.join('\n') + '\n' : 'ok\n');
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`browser ${mode}: every check held`);
