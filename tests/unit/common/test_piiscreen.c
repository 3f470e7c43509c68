/* Tests for common/piiscreen.c: what identifies a person is recognized in free text by its
 * form, and realistic text that does not must pass (issue 14, no identity in free text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "i18n.h"
#include "piiscreen.h"

/* Asserts that text holds a detail of kind, starting at the first occurrence of at. */
static void expect_hit(const char *text, enum gt_pii_kind kind, const char *at)
{
	struct gt_pii_hit hit;

	if (!gt_piiscreen_find(text, strlen(text), &hit))
		fail_msg("not recognized: \"%s\"", text);
	if (hit.kind != kind)
		fail_msg("\"%s\": kind %d, want %d", text, (int)hit.kind, (int)kind);
	assert_int_equal(hit.offset, (size_t)(strstr(text, at) - text));
	assert_true(hit.length > 0 && hit.offset + hit.length <= strlen(text));
}

static void expect_pass(const char *text)
{
	struct gt_pii_hit hit;

	if (gt_piiscreen_find(text, strlen(text), &hit))
		fail_msg("\"%s\" refused as kind %d at %zu (+%zu)", text, (int)hit.kind, hit.offset,
		         hit.length);
	assert_int_equal(hit.kind, GT_PII_NONE);
}

static void niks(void **state)
{
	(void)state;
	expect_hit("Korban NIK 3201014507990003 dipulangkan", GT_PII_NIK, "3201");
	expect_hit("nik: 53.71.01.150805.0002", GT_PII_NIK, "53.71");
	expect_hit("identitas 3578 0141 0102 0007", GT_PII_NIK, "3578");
	expect_hit("KTP 737101-650301-0001.", GT_PII_NIK, "737101");
	expect_hit("3201014507990003", GT_PII_NIK, "3201");
	/* Sixteen digits without a NIK's structure: an unknown province, a 13th month, a day
	 * of 35 (neither a man's nor a woman's), a zero serial; and a longer number. */
	expect_pass("rekening 9901014507990003");
	expect_pass("nomor 3201011513990003");
	expect_pass("nomor 3201013507990003");
	expect_pass("nomor 3201014507990000");
	expect_pass("transaksi 32010145079900031");
	expect_pass("seri 3201 0145 0799 0003 0001");
}

static void passports(void **state)
{
	(void)state;
	expect_hit("paspor A1234567 ditahan majikan", GT_PII_PASSPORT, "A1234567");
	expect_hit("Paspor no. B 7654321.", GT_PII_PASSPORT, "B 7654321");
	expect_hit("(XC1234567)", GT_PII_PASSPORT, "XC1234567");
	expect_pass("biaya RP 1500000");
	expect_pass("NO 1234567");
	expect_pass("plat B 1234 XYZ");
	expect_pass("kode KK_R1 dan RAN2020.P.01");
	expect_pass("A12345678 bukan paspor, terlalu panjang");
}

static void phones(void **state)
{
	(void)state;
	expect_hit("hubungi 0812-3456-7890 (ibu korban)", GT_PII_PHONE, "0812");
	expect_hit("WA 081234567890", GT_PII_PHONE, "0812");
	expect_hit("telp +62 812 3456 7890", GT_PII_PHONE, "+62");
	expect_hit("+6281234567890", GT_PII_PHONE, "+62");
	expect_hit("nomor 6281234567890", GT_PII_PHONE, "628");
	expect_hit("kantor (021) 555 1234", GT_PII_PHONE, "(021)");
	expect_hit("kantor 0274-512345", GT_PII_PHONE, "0274");
	expect_hit("hp 0812.3456.789", GT_PII_PHONE, "0812");
	expect_pass("tanggal 08-12-2023");
	expect_pass("pada 2023-08-12 pukul 08.30");
	expect_pass("lihat 02-03-2024 dan 31.12.2024");
	expect_pass("nomor perkara 0123/Pid.Sus/2023/PN Kpg");
}

static void emails(void **state)
{
	(void)state;
	expect_hit("kirim ke budi.santoso@gmail.com segera", GT_PII_EMAIL, "budi");
	expect_hit("<korban_01@yahoo.co.id>", GT_PII_EMAIL, "korban");
	expect_pass("rapat @ kantor gubernur");
	expect_pass("harga 5 @ Rp 10.000");
	expect_pass("user@localhost");
	expect_pass("a@b.1");
}

/* Regulations, years, amounts, dates, counts and codes: what secretariats write. */
static void realistic_text_passes(void **state)
{
	(void)state;
	expect_pass("PP No. 22 Tahun 2021");
	expect_pass("Perpres 49/2023 tentang Gugus Tugas PP TPPO");
	expect_pass("UU No. 21 Tahun 2007 pasal 2 ayat (1)");
	expect_pass("Peraturan Presiden Nomor 19 Tahun 2023");
	expect_pass("2025");
	expect_pass("anggaran Rp 1.500.000 dan Rp 250.000.000,00");
	expect_pass("Rp1.500.000.000.000");
	expect_pass("31 Desember 2024");
	expect_pass("12/03/2025");
	expect_pass("Dua korban anak dipulangkan dari Malaysia melalui Entikong; 3 perkara di "
	            "tahap penyidikan.");
	expect_pass("Data Januari dikoreksi: laporan polisi ganda (LP/B/123/IV/2024/SPKT).");
	expect_pass("Kab. 53.71, provinsi 53, kode KK_KORBAN.PD");
	expect_pass("Korban perempuan, umur 14–17, asal Kupang");
	expect_pass("");
}

static void utf8_and_edges(void **state)
{
	struct gt_pii_hit hit;
	(void)state;

	/* Letters of other scripts join a word: no number starts inside "é0812...". */
	expect_pass("café08123456789");
	expect_hit("Pemulangan — 0812 3456 7890", GT_PII_PHONE, "0812");
	/* Bounded: a length that stops before the number sees none. */
	assert_int_equal(gt_piiscreen_find("abc 081234567890", 4, &hit), 0);
	assert_int_equal(gt_piiscreen_find(NULL, 0, &hit), 0);
	/* The first in text order wins. */
	expect_hit("x@contoh.com atau 081234567890", GT_PII_EMAIL, "x@");
	expect_hit("081234567890 atau x@contoh.com", GT_PII_PHONE, "0812");
}

static void message_names_field_and_why(void **state)
{
	char why[512];
	(void)state;

	gt_i18n_use(GT_LANG_EN);
	assert_int_equal(gt_piiscreen_check("comment", "PP No. 22 Tahun 2021", why, sizeof(why)),
	                 GT_OK);
	assert_string_equal(why, "");
	assert_int_equal(gt_piiscreen_check("comment", NULL, why, sizeof(why)), GT_OK);
	assert_int_equal(gt_piiscreen_check("reason", "Ibu — 0812 3456 7890", why, sizeof(why)),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "reason"));
	assert_non_null(strstr(why, "a phone number"));
	assert_non_null(strstr(why, "character 7"));
	/* The message never repeats the number it refuses. */
	assert_null(strstr(why, "3456"));
	gt_i18n_use(GT_LANG_ID);
	assert_int_equal(gt_piiscreen_check("komentar", "budi@gmail.com", why, sizeof(why)),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "komentar"));
	assert_null(strstr(why, "gmail"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(niks),
	    cmocka_unit_test(passports),
	    cmocka_unit_test(phones),
	    cmocka_unit_test(emails),
	    cmocka_unit_test(realistic_text_passes),
	    cmocka_unit_test(utf8_and_edges),
	    cmocka_unit_test(message_names_field_and_why),
	};
	gt_i18n_setup();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
