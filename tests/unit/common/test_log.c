/* Tests for common/log.c: line format, escaping of user data, limits, levels, write errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <cmocka.h>

#include "error.h"
#include "log.h"

/* 2026-11-23T15:51:51.123Z in Unix milliseconds. */
#define FIXED_MS (20780LL * 86400000LL + (15 * 3600 + 51 * 60 + 51) * 1000LL + 123)

static int64_t fixed_clock(void *arg)
{
	return *(const int64_t *)arg;
}

struct capture {
	FILE *f;
	struct gt_log log;
	int64_t now;
	char text[65536];
};

static void cap_open(struct capture *c, enum gt_log_level level)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	gt_log_init(&c->log, c->f, level);
	c->now = FIXED_MS;
	c->log.now_ms = fixed_clock;
	c->log.now_arg = &c->now;
}

/* Returns everything written so far, NUL-terminated, and closes the file. */
static const char *cap_close(struct capture *c)
{
	size_t n;
	rewind(c->f);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->f);
	c->text[n] = '\0';
	fclose(c->f);
	return c->text;
}

/* A parsed line: the three header words, then key/value pairs with escapes undone. */
struct field {
	char key[64];
	char value[8192];
	size_t len;
};

struct parsed {
	char time[32], level[16], event[300];
	struct field f[64];
	int n;
};

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses one line (without its newline) as a log consumer would; fails the test on any
 * syntax the writer must never produce. */
static void parse(const char *line, struct parsed *p)
{
	const char *s = line;
	memset(p, 0, sizeof(*p));
	assert_int_equal(sscanf(s, "%31s %15s %299s", p->time, p->level, p->event), 3);
	s += strlen(p->time) + 1 + strlen(p->level) + 1 + strlen(p->event);
	while (*s != '\0') {
		assert_int_equal(*s, ' ');
		s++;
		assert_true(p->n < 64);
		struct field *f = &p->f[p->n++];
		const char *eq = strchr(s, '=');
		const char *sp = strchr(s, ' ');
		const char *q = strchr(s, '"');
		/* "key=" precedes the value unless the field is a bare or quoted value. */
		if (eq != NULL && (sp == NULL || eq < sp) && (q == NULL || eq < q)) {
			assert_true((size_t)(eq - s) < sizeof(f->key));
			memcpy(f->key, s, (size_t)(eq - s));
			s = eq + 1;
		}
		if (*s != '"') {
			while (*s != '\0' && *s != ' ') {
				assert_true(*s != '"' && *s != '\\' && *s != '=');
				assert_true((unsigned char)*s > 0x20 && *s != 0x7f);
				f->value[f->len++] = *s++;
			}
			assert_true(f->len > 0);
			continue;
		}
		s++;
		for (;;) {
			unsigned char c = (unsigned char)*s++;
			assert_true(c != '\0');
			assert_true(c >= 0x20 && c != 0x7f);
			if (c == '"')
				break;
			if (c == '\\') {
				char e = *s++;
				switch (e) {
				case '"':
				case '\\':
					c = (unsigned char)e;
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				case 'x':
					assert_true(unhex(s[0]) >= 0 && unhex(s[1]) >= 0);
					c = (unsigned char)(unhex(s[0]) * 16 + unhex(s[1]));
					s += 2;
					break;
				default:
					fail_msg("bad escape \\%c", e);
				}
			}
			assert_true(f->len < sizeof(f->value));
			f->value[f->len++] = (char)c;
		}
	}
}

/* Checks text is exactly one line and parses it. */
static void parse_one(const char *text, struct parsed *p)
{
	static char line[65536];
	size_t n = strlen(text);
	assert_true(n > 0 && n < sizeof(line));
	assert_int_equal(text[n - 1], '\n');
	assert_null(memchr(text, '\n', n - 1));
	memcpy(line, text, n - 1);
	line[n - 1] = '\0';
	parse(line, p);
}

static void exact_line(void **state)
{
	(void)state;
	struct capture c;
	cap_open(&c, GT_LOG_INFO);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_INFO, "batch",
	                              "key=%s org=%s outcome=ok values=%d ms=%lld", "ab12", "53.71",
	                              120, 3LL),
	                 GT_OK);
	assert_string_equal(cap_close(&c), "2026-11-23T15:51:51.123Z info batch key=ab12 org=53.71 "
	                                   "outcome=ok values=120 ms=3\n");

	cap_open(&c, GT_LOG_DEBUG);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_ERROR, "listen", NULL), GT_OK);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_DEBUG, "tick", NULL), GT_OK);
	assert_string_equal(cap_close(&c), "2026-11-23T15:51:51.123Z error listen\n"
	                                   "2026-11-23T15:51:51.123Z debug tick\n");
}

static void escaping_round_trip(void **state)
{
	(void)state;
	static const char *const values[] = {
	    "plain",
	    "two words",
	    "say \"hi\"",
	    "back\\slash",
	    "line1\nline2",
	    "cr\rlf\n",
	    "tab\there",
	    "ctl\x01\x1f\x7f",
	    "a=b",
	    "",
	    "Kota Kupang",
	    "Nusa Tenggara Timur – NTT",
	    "\"",
	    "\\",
	    "=",
	    " ",
	    "\n",
	    "x\" injected=1 \"",
	    "fake\n2026-01-01T00:00:00.000Z error forged",
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct capture c;
		struct parsed p;
		cap_open(&c, GT_LOG_INFO);
		assert_int_equal(gt_log_event(&c.log, GT_LOG_WARN, "refuse",
		                              "org=53.71 why=%s n=%d tail=%s", values[i], (int)i,
		                              values[i]),
		                 GT_OK);
		parse_one(cap_close(&c), &p);
		assert_string_equal(p.time, "2026-11-23T15:51:51.123Z");
		assert_string_equal(p.level, "warn");
		assert_string_equal(p.event, "refuse");
		assert_int_equal(p.n, 4);
		assert_string_equal(p.f[0].key, "org");
		assert_string_equal(p.f[0].value, "53.71");
		assert_string_equal(p.f[1].key, "why");
		assert_int_equal(p.f[1].len, strlen(values[i]));
		assert_memory_equal(p.f[1].value, values[i], p.f[1].len);
		assert_string_equal(p.f[2].key, "n");
		assert_int_equal(atoi(p.f[2].value), (int)i);
		assert_string_equal(p.f[3].key, "tail");
		assert_string_equal(p.f[3].value, values[i]);
	}
	/* The quoting rule itself: bare when safe, quoted otherwise. */
	struct capture c;
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e", "a=%s b=%s c=%s d=%s", "x y", "", "q\"", "ok");
	assert_string_equal(cap_close(&c),
	                    "2026-11-23T15:51:51.123Z info e a=\"x y\" b=\"\" c=\"q\\\"\" d=ok\n");
}

static void names_are_sanitized(void **state)
{
	(void)state;
	struct capture c;
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "bad event\nname", "k\"ey=%d", 1);
	assert_string_equal(cap_close(&c), "2026-11-23T15:51:51.123Z info bad_event_name k_ey=1\n");
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, NULL, "=%d %s", 5, "bare value");
	assert_string_equal(cap_close(&c), "2026-11-23T15:51:51.123Z info _ _=5 \"bare value\"\n");
}

/* A NULL string the compiler cannot see through. */
static const char *no_string(void)
{
	static const char *volatile none = NULL;
	return none;
}

static void conversions(void **state)
{
	(void)state;
	struct capture c;
	char big[5000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e",
	             "d=%d u=%u ld=%ld lu=%lu lld=%lld llu=%llu zu=%zu zd=%zd jd=%jd x=%x X=%#X "
	             "o=%o pad=%05d left=%-4d| c=%c hh=%hhd h=%hu f=%.2f e=%.1e g=%g pct=100%% "
	             "star=%*d prec=%.*s s5=%.3s null=%s neg=%+d",
	             -7, 4000000000u, -9000000000L, 9000000000UL, -1LL, 18446744073709551615ULL,
	             (size_t)42, (ssize_t)-42, (intmax_t)-5, 255u, 255u, 8u, 42, 7, 'Z',
	             (signed char)-3, (unsigned short)65535, 3.14159, 12345.0, 0.5, 6, 9, 2,
	             "abcdef", "abcdef", no_string(), 5);
	struct parsed p;
	parse_one(cap_close(&c), &p);
	static const char *const want[][2] = {
	    {"d", "-7"},          {"u", "4000000000"}, {"ld", "-9000000000"},
	    {"lu", "9000000000"}, {"lld", "-1"},       {"llu", "18446744073709551615"},
	    {"zu", "42"},         {"zd", "-42"},       {"jd", "-5"},
	    {"x", "ff"},          {"X", "0XFF"},       {"o", "10"},
	    {"pad", "00042"},     {"left", "7   |"},   {"c", "Z"},
	    {"hh", "-3"},         {"h", "65535"},      {"f", "3.14"},
	    {"e", "1.2e+04"},     {"g", "0.5"},        {"pct", "100%"},
	    {"star", "     9"},   {"prec", "ab"},      {"s5", "abc"},
	    {"null", "(null)"},   {"neg", "+5"},
	};
	assert_int_equal(p.n, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < p.n; i++) {
		assert_string_equal(p.f[i].key, want[i][0]);
		assert_string_equal(p.f[i].value, want[i][1]);
	}

	/* A negative '*' width left-justifies numbers and strings alike. */
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e", "n=%*d| s=%*s| w=%-3s|", -4, 7, -3, "ab", "x");
	assert_string_equal(cap_close(&c),
	                    "2026-11-23T15:51:51.123Z info e n=\"7   |\" s=\"ab |\" w=\"x  |\"\n");

	/* %p gives something, bare. */
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e", "p=%p", (void *)&c);
	parse_one(cap_close(&c), &p);
	assert_int_equal(p.n, 1);
	assert_true(p.f[0].len > 0);
}

static void value_and_line_limits(void **state)
{
	(void)state;
	struct capture c;
	struct parsed p;
	static char big[GT_LOG_MAX_VALUE * 3];
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e", "a=%s b=%d", big, 1);
	parse_one(cap_close(&c), &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.f[0].len, GT_LOG_MAX_VALUE + 3);
	assert_memory_equal(p.f[0].value + GT_LOG_MAX_VALUE, "...", 3);
	assert_string_equal(p.f[1].value, "1");

	/* Control bytes quadruple when escaped: the line limit then drops whole fields. */
	static char ctl[GT_LOG_MAX_VALUE];
	memset(ctl, 0x01, sizeof(ctl) - 1);
	ctl[sizeof(ctl) - 1] = '\0';
	cap_open(&c, GT_LOG_INFO);
	gt_log_event(&c.log, GT_LOG_INFO, "e", "a=%s b=%s c=%s d=%s e=%s f=%s last=%d", ctl, ctl,
	             ctl, ctl, ctl, ctl, 9);
	const char *text = cap_close(&c);
	assert_true(strlen(text) <= GT_LOG_MAX_LINE);
	parse_one(text, &p);
	assert_true(p.n >= 2 && p.n < 8);
	assert_string_equal(p.f[p.n - 1].key, "truncated");
	assert_string_equal(p.f[p.n - 1].value, "1");
	for (int i = 0; i < p.n - 1; i++)
		assert_int_equal(p.f[i].len, sizeof(ctl) - 1);
}

static void timestamps(void **state)
{
	(void)state;
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
	    {0, "1970-01-01T00:00:00.000Z"},
	    {-1, "1969-12-31T23:59:59.999Z"},
	    {951782400000LL, "2000-02-29T00:00:00.000Z"},
	    {FIXED_MS, "2026-11-23T15:51:51.123Z"},
	    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
	    {253402300800000LL, "0000-00-00T00:00:00.000Z"},
	    {INT64_MIN, "0000-00-00T00:00:00.000Z"},
	    {INT64_MAX, "0000-00-00T00:00:00.000Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		struct parsed p;
		cap_open(&c, GT_LOG_INFO);
		c.now = cases[i].ms;
		gt_log_event(&c.log, GT_LOG_INFO, "t", NULL);
		parse_one(cap_close(&c), &p);
		assert_string_equal(p.time, cases[i].text);
	}

	/* The real clock gives a plausible present. */
	struct capture c;
	struct parsed p;
	cap_open(&c, GT_LOG_INFO);
	c.log.now_ms = NULL;
	gt_log_event(&c.log, GT_LOG_INFO, "t", NULL);
	parse_one(cap_close(&c), &p);
	int y, mo, d, h, mi, s, ms;
	char z;
	assert_int_equal(
	    sscanf(p.time, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z), 8);
	assert_true(y >= 2024 && y < 2200);
	assert_int_equal(z, 'Z');
	assert_int_equal(strlen(p.time), 24);
}

static void levels(void **state)
{
	(void)state;
	struct capture c;
	cap_open(&c, GT_LOG_WARN);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_DEBUG, "d", NULL), GT_OK);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_INFO, "i", NULL), GT_OK);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_WARN, "w", NULL), GT_OK);
	assert_int_equal(gt_log_event(&c.log, GT_LOG_ERROR, "e", NULL), GT_OK);
	assert_string_equal(cap_close(&c), "2026-11-23T15:51:51.123Z warn w\n"
	                                   "2026-11-23T15:51:51.123Z error e\n");

	/* No log, no file, a zeroed log: nothing happens. */
	struct gt_log zero = {0};
	assert_int_equal(gt_log_event(NULL, GT_LOG_ERROR, "e", "a=%d", 1), GT_OK);
	assert_int_equal(gt_log_event(&zero, GT_LOG_ERROR, "e", "a=%d", 1), GT_OK);

	static const char *const names[] = {"debug", "info", "warn", "error"};
	enum gt_log_level l;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(gt_log_level_parse(names[i], &l), GT_OK);
		assert_int_equal(l, i);
		assert_string_equal(gt_log_level_name(l), names[i]);
	}
	assert_int_equal(gt_log_level_parse("INFO", &l), GT_EINVAL);
	assert_int_equal(gt_log_level_parse("warning", &l), GT_EINVAL);
	assert_int_equal(gt_log_level_parse("", &l), GT_EINVAL);
	assert_int_equal(gt_log_level_parse(NULL, &l), GT_EINVAL);
	assert_string_equal(gt_log_level_name((enum gt_log_level)9), "unknown");
	assert_string_equal(gt_log_level_name((enum gt_log_level) - 1), "unknown");
}

/* Passes a format the compiler cannot see, as a caller's own wrapper would. */
static int log_with(struct gt_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int log_with(struct gt_log *log, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = gt_log_eventv(log, GT_LOG_INFO, "e", fmt, ap);
	va_end(ap);
	return rc;
}

static void unsupported_conversions(void **state)
{
	(void)state;
	static const char *const bad[] = {"a=%n",  "a=%5$d",     "a=%lls", "a=%Ld", "a=%zzd",
	                                  "a=%hf", "a=%123456d", "a=%",    "a=%lc", "a=%k"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct capture c;
		struct parsed p;
		int dummy = 0;
		cap_open(&c, GT_LOG_INFO);
		/* No conversion is formatted, so no argument is read. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		assert_int_equal(log_with(&c.log, bad[i], &dummy), GT_EINVAL);
#pragma GCC diagnostic pop
		parse_one(cap_close(&c), &p);
		assert_int_equal(p.n, 1);
		assert_string_equal(p.f[0].key, "a");
		assert_string_equal(p.f[0].value, bad[i] + 2);
		assert_int_equal(dummy, 0);
	}
}

static void write_errors(void **state)
{
	(void)state;
	FILE *full = fopen("/dev/full", "w");
	if (full == NULL)
		skip();
	struct gt_log log;
	gt_log_init(&log, full, GT_LOG_INFO);
	assert_int_equal(gt_log_event(&log, GT_LOG_INFO, "e", "a=%d", 1), GT_EIO);
	fclose(full);
}

/* Issue 13: under systemd, stderr is the journal (JOURNAL_STREAM names its device and inode):
 * lines then start with the syslog priority instead of a second timestamp; any other stream
 * (or a JOURNAL_STREAM naming another file) keeps the timestamp. */
static void journal_priorities(void **state)
{
	struct capture c;
	struct stat sb;
	char env[64];
	(void)state;

	c.f = tmpfile();
	assert_non_null(c.f);
	assert_int_equal(fstat(fileno(c.f), &sb), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
	         (unsigned long long)sb.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	gt_log_init(&c.log, c.f, GT_LOG_DEBUG);
	assert_int_equal(c.log.journal, 1);
	gt_log_event(&c.log, GT_LOG_INFO, "listening", "addr=%s", "127.0.0.1:7443");
	gt_log_event(&c.log, GT_LOG_WARN, "slow", NULL);
	gt_log_event(&c.log, GT_LOG_ERROR, "open_failed", "what=%s", "store");
	gt_log_event(&c.log, GT_LOG_DEBUG, "frame", "len=%d", 12);

	/* Another file, open at the same time (so not the same inode): timestamps as usual. */
	struct capture other;
	cap_open(&other, GT_LOG_INFO);
	assert_int_equal(other.log.journal, 0);
	gt_log_event(&other.log, GT_LOG_INFO, "listening", NULL);
	assert_string_equal(cap_close(&other), "2026-11-23T15:51:51.123Z info listening\n");
	assert_string_equal(cap_close(&c), "<6>info listening addr=127.0.0.1:7443\n"
	                                   "<4>warn slow\n"
	                                   "<3>error open_failed what=store\n"
	                                   "<7>debug frame len=12\n");
	setenv("JOURNAL_STREAM", "garbage", 1);
	cap_open(&c, GT_LOG_INFO);
	assert_int_equal(c.log.journal, 0);
	cap_close(&c);
	unsetenv("JOURNAL_STREAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact_line),
	    cmocka_unit_test(escaping_round_trip),
	    cmocka_unit_test(names_are_sanitized),
	    cmocka_unit_test(conversions),
	    cmocka_unit_test(value_and_line_limits),
	    cmocka_unit_test(timestamps),
	    cmocka_unit_test(levels),
	    cmocka_unit_test(unsupported_conversions),
	    cmocka_unit_test(write_errors),
	    cmocka_unit_test(journal_priorities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
