/*
 * test_logsum - the split of a line in place, the year of classic stamps
 * across New Year, and the summary's counting rules on hand-made lines:
 * a message deferred twice is one deferred message, lines of messages
 * interleaved in any order give the same counts, "delivery temporarily
 * suspended" is not an attempt, relays group by name, a delivery line cut
 * before its status is unparsed, and the window leaves lines out; pieces
 * merged (logsum_merge) give the single reader's summary wherever cut.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logscan.h"
#include "logsum.h"

static void test_split(void **state)
{
	static const char line[] =
		"2026-12-05T06:17:44.123+01:00 relay postfix-out/smtp[4711]: 2E60A10265D: "
		"to=<a@b>, status=sent (ok)";
	struct logscan_clock c;
	struct logscan_view v;

	(void)state;
	logscan_clock_init(&c, time(NULL));
	assert_int_equal(logscan_split(line, strlen(line), &c, &v), 0);
	assert_int_equal((long long)v.time, 1796451464LL - 3600);
	assert_int_equal(v.proglen, 16);
	assert_memory_equal(v.service, "smtp", 4);
	assert_int_equal(v.servlen, 4);
	assert_int_equal(v.pid, 4711);
	assert_int_equal(v.qidlen, 11);
	assert_memory_equal(v.text, "to=<a@b>", 8);
	/* journalctl -o short-iso writes the offset without a colon */
	assert_int_equal(logscan_split("2026-12-05T06:17:44+0000 h postfix/smtpd[1]: x", 46, &c, &v),
			 0);
	assert_int_equal((long long)v.time, 1796451464LL);
	/* a multi-level syslog_name keeps its last part as the service */
	assert_int_equal(logscan_split("Dec  5 06:17:44 h postfix-sh/untrusted/smtpd[9]: connect", 56,
				       &c, &v), 0);
	assert_int_equal(v.servlen, 5);
	assert_memory_equal(v.service, "smtpd", 5);
	/* the service after the last '/' before the end, past 8-byte words */
	assert_int_equal(logscan_split("Dec  5 06:17:44 h a/b.c/d.e/f-gh/ijk/smtp: x", 44, &c, &v), 0);
	assert_int_equal(v.proglen, 23);
	assert_int_equal(v.servlen, 4);
	assert_memory_equal(v.service, "smtp", 4);
	assert_int_equal(logscan_split("Dec  5 06:17:44 h postfix1[9]: x/y", 34, &c, &v), 0);
	assert_int_equal(v.servlen, 8);
	assert_int_equal(logscan_split("Dec 32 06:17:44 h postfix/smtpd[9]: x", 37, &c, &v), -1);
	assert_int_equal(logscan_split("Dec  5 06:17:44 h postfix/smtpd[9", 33, &c, &v), -1);
	assert_int_equal(logscan_split("no stamp at all", 15, &c, &v), -1);
}

/* year_of - the year of a classic stamp read by clock c. */
static int year_of(struct logscan_clock *c, const char *stamp)
{
	char line[128];
	struct logscan_view v;
	struct tm tm;
	time_t t;

	snprintf(line, sizeof(line), "%s h postfix/qmgr[1]: x", stamp);
	assert_int_equal(logscan_split(line, strlen(line), c, &v), 0);
	t = v.time;
	localtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static void test_new_year(void **state)
{
	struct logscan_clock c;
	struct tm tm;
	time_t ref;

	(void)state;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 0;
	tm.tm_mday = 2;
	tm.tm_isdst = -1;
	ref = mktime(&tm);	/* the file was last written on 2 January 2026 */
	logscan_clock_init(&c, ref);
	assert_int_equal(year_of(&c, "Dec 31 23:59:58"), 2025);
	assert_int_equal(year_of(&c, "Dec 31 23:59:59"), 2025);
	assert_int_equal(year_of(&c, "Jan  1 00:00:00"), 2026);
	/* a late line from December after January's: still last year */
	assert_int_equal(year_of(&c, "Dec 31 23:59:59"), 2025);
	assert_int_equal(year_of(&c, "Jan  1 00:00:01"), 2026);
	/* a file of this year only */
	logscan_clock_init(&c, ref);
	assert_int_equal(year_of(&c, "Jan  1 10:00:00"), 2026);
}

#define QMGR(q) "Dec  5 06:00:00 h postfix/qmgr[1]: " q ": from=<s@x.example>, size=1, nrcpt=1 (queue active)"
#define SMTP(q, to, relay, st) "Dec  5 06:00:01 h postfix/smtp[2]: " q ": to=<" to ">, relay=" relay \
	", delay=1.5, delays=0.1/0.2/0.3/0.9, dsn=4.0.0, status=" st

static const char *const msg_a[] = {
	"Dec  5 06:00:00 h postfix/pickup[3]: AAAAAA1: uid=0 from=<s@x.example>",
	QMGR("AAAAAA1"),
	SMTP("AAAAAA1", "r@d.example", "mx.example[192.0.2.1]:25", "deferred (host mx.example[192.0.2.1] said: 451 4.7.1 slow down in 17 s)"),
	SMTP("AAAAAA1", "r@d.example", "none", "deferred (delivery temporarily suspended: host mx.example[192.0.2.1] said: 451 4.7.1 slow down in 17 s)"),
	SMTP("AAAAAA1", "r@d.example", "mx.example[192.0.2.2]:25", "sent (250 ok)"),
	"Dec  5 06:00:02 h postfix/qmgr[1]: AAAAAA1: removed",
};
static const char *const msg_b[] = {
	"Dec  5 06:00:00 h postfix/smtpd[4]: BBBBBB2: client=x[192.0.2.9]",
	QMGR("BBBBBB2"),
	SMTP("BBBBBB2", "q@D.Example", "mx.example[192.0.2.1]:25", "deferred (SASL authentication failed; server mx.example[192.0.2.1] said: 535 5.7.8 no)"),
	SMTP("BBBBBB2", "q@D.Example", "mx.example[192.0.2.1]:25", "bounced (host mx.example[192.0.2.1] said: 550 5.1.1 no such user)"),
	"Dec  5 06:00:02 h postfix/bounce[5]: BBBBBB2: sender non-delivery notification: CCCCCC3",
	"Dec  5 06:00:02 h postfix/qmgr[1]: BBBBBB2: removed",
};

static void feed_all(struct logsum *s, const char *const *a, size_t na, const char *const *b,
		     size_t nb, unsigned seed)
{
	size_t i = 0, k = 0;

	while (i < na || k < nb) {
		seed = seed * 1103515245 + 12345;
		if (k >= nb || (i < na && (seed >> 16) & 1)) {
			logsum_feed(s, a[i], strlen(a[i]));
			i++;
		} else {
			logsum_feed(s, b[k], strlen(b[k]));
			k++;
		}
	}
}

static void test_counts_interleaved(void **state)
{
	(void)state;
	for (unsigned seed = 0; seed < 64; seed++) {
		struct logsum *s = logsum_new(-1, -1);
		struct logsum_pct p;

		assert_non_null(s);
		feed_all(s, msg_a, 6, msg_b, 6, seed);
		logsum_finish(s);
		assert_int_equal(s->received, 3);	/* pickup, smtpd and the notice */
		assert_int_equal(s->delivered, 1);
		assert_int_equal(s->deferred, 2);	/* messages, each once */
		assert_int_equal(s->deferrals, 3);	/* lines */
		assert_int_equal(s->bounced, 1);
		assert_int_equal(s->sasl_ours, 1);
		assert_int_equal(s->unparsed, 0);
		assert_int_equal(logsum_in_flight(s), 0);
		assert_int_equal(s->relays.n, 1);	/* two addresses, one name */
		assert_string_equal(s->relays.rows[0].name, "mx.example");
		assert_int_equal(s->relays.rows[0].delivered, 1);
		assert_int_equal(s->relays.rows[0].deferred, 2);	/* "none" is no relay */
		assert_int_equal(s->domains.n, 1);	/* domains fold case */
		assert_int_equal(s->senders.n, 1);
		assert_int_equal(s->senders.rows[0].deferred, 3);
		/* the two 451s (17 s vs the same) are one reason once normalised */
		assert_int_equal(s->defer_reasons.n, 2);
		logsum_percentiles(s, 0, &p);
		assert_int_equal(p.count, 1);
		assert_true(p.p50 > 1.49 && p.p50 < 1.51);
		logsum_percentiles(s, 4, &p);
		assert_true(p.max > 0.89 && p.max < 0.91);
		logsum_free(s);
	}
}

static void test_cut_and_window(void **state)
{
	struct logsum *s;
	static const char cut[] = "Dec  5 06:00:01 h postfix/smtp[2]: AAAAAA1: to=<r@d.example>, "
				  "relay=mx.example[192.0.2.1]:25, delay=1.5, del";
	struct tm tm;
	time_t t;

	(void)state;
	s = logsum_new(-1, -1);
	logsum_begin_file(s, "f.log", time(NULL));
	logsum_feed(s, cut, strlen(cut));
	logsum_feed(s, "not a line\n", 11);
	assert_int_equal(s->unparsed, 2);
	assert_string_equal(s->bad[0].where, "f.log:1");
	assert_string_equal(s->bad[1].where, "f.log:2");
	assert_int_equal(s->delivered, 0);
	logsum_free(s);

	/* window: only the sent line at 06:00:01 is outside [06:00:02, ...) */
	memset(&tm, 0, sizeof(tm));
	localtime_r(&(time_t){ time(NULL) }, &tm);
	tm.tm_mon = 11;
	tm.tm_mday = 5;
	tm.tm_hour = 6;
	tm.tm_min = 0;
	tm.tm_sec = 2;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	s = logsum_new((long long)t, -1);
	logsum_begin_file(s, "f.log", t + 60);
	for (size_t i = 0; i < 6; i++)
		logsum_feed(s, msg_a[i], strlen(msg_a[i]));
	assert_int_equal(s->delivered, 0);
	assert_int_equal(s->received, 0);
	assert_int_equal(s->outside, 5);
	assert_int_equal(logsum_in_flight(s), 0);	/* removed is state, not a count */
	logsum_free(s);
}

/* dump - the counts, the messages in flight and every sender row. */
static void dump(struct logsum *s, char *out, size_t n)
{
	size_t k;

	logsum_finish(s);
	k = (size_t)snprintf(out, n, "d%ld f%ld fs%ld b%ld r%ld fl%zu |", s->delivered, s->deferred,
			     s->deferrals, s->bounced, s->received, logsum_in_flight(s));
	for (size_t i = 0; i < s->senders.n && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, " %s:%ld/%ld/%ld", s->senders.rows[i].name,
				      s->senders.rows[i].delivered, s->senders.rows[i].deferred,
				      s->senders.rows[i].bounced);
}

/* One file read in three pieces, cut anywhere: merged, the summary is the
 * single reader's (messages deferred on both sides of a cut, senders
 * learnt before it, removals after it, a queue ID used again). */
static void test_merge_any_cut(void **state)
{
#define T "2026-12-05T06:17:44+00:00 relay postfix/"
	static const char *const lines[] = {
		T "pickup[1]: 4A1B2C3D4E: uid=0 from=<root>",
		T "cleanup[2]: 4A1B2C3D4E: message-id=<1@x>",
		T "qmgr[3]: 4A1B2C3D4E: from=<s1@x>, size=1, nrcpt=1 (queue active)",
		T "smtp[4]: 4A1B2C3D4E: to=<a@d1>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
		T "qmgr[3]: 5B1B2C3D4E: from=<s2@x>, size=1, nrcpt=1 (queue active)",
		T "smtp[4]: 4A1B2C3D4E: to=<a@d1>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
		T "smtp[4]: 5B1B2C3D4E: to=<b@d2>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (ok)",
		T "qmgr[3]: 4A1B2C3D4E: from=<s1@x>, size=1, nrcpt=1 (queue active)",
		T "smtp[4]: 4A1B2C3D4E: to=<a@d1>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (ok)",
		T "qmgr[3]: 4A1B2C3D4E: removed",
		T "smtp[4]: 6C1B2C3D4E: to=<c@d3>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (ok)",
		T "smtp[4]: 5B1B2C3D4E: to=<b2@d2>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
		T "qmgr[3]: 5B1B2C3D4E: removed",
		T "cleanup[2]: 4A1B2C3D4E: message-id=<2@x>",
		T "qmgr[3]: 4A1B2C3D4E: from=<s3@x>, size=1, nrcpt=1 (queue active)",
		T "smtp[4]: 4A1B2C3D4E: to=<a@d1>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (no)",
		T "postsuper[5]: 7D1B2C3D4E: removed",
		T "qmgr[3]: 4A1B2C3D4E: removed",
		T "qmgr[3]: 8E1B2C3D4E: from=<s1@x>, size=1, nrcpt=1 (queue active)",
		T "smtp[4]: 8E1B2C3D4E: to=<e@d1>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
		T "smtp[4]: 6C1B2C3D4E: to=<c@d3>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
		T "smtp[4]: 6C1B2C3D4E: to=<c@d3>, relay=r[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=4.0.0, status=deferred (busy)",
	};
#undef T
	const size_t n = sizeof(lines) / sizeof(lines[0]);
	char want[2048], got[2048];
	struct logsum *s = logsum_new(-1, -1);

	(void)state;
	for (size_t i = 0; i < n; i++)
		logsum_feed(s, lines[i], strlen(lines[i]));
	dump(s, want, sizeof(want));
	logsum_free(s);
	assert_string_equal(want, "d3 f4 fs6 b1 r1 fl2 | s1@x:1/3/0 (unknown):1/2/0 s2@x:1/1/0 "
			    "s3@x:0/0/1");
	for (size_t a = 0; a <= n; a++)
		for (size_t b = a; b <= n; b++) {
			struct logsum *p[3];
			size_t from[4] = { 0, a, b, n };

			for (int k = 0; k < 3; k++) {
				assert_non_null(p[k] = logsum_new(-1, -1));
				if (k)
					logsum_continue(p[k]);
				for (size_t i = from[k]; i < from[k + 1]; i++)
					logsum_feed(p[k], lines[i], strlen(lines[i]));
			}
			assert_int_equal(logsum_merge(p[0], p[1]), 0);
			assert_int_equal(logsum_merge(p[0], p[2]), 0);
			dump(p[0], got, sizeof(got));
			if (strcmp(got, want) != 0)
				fail_msg("cut at %zu and %zu:\n got  %s\n want %s", a, b, got, want);
			for (int k = 0; k < 3; k++)
				logsum_free(p[k]);
		}
}

static void test_time_parse(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(logsum_time_parse("@1700000000", 0, &t), 0);
	assert_int_equal(t, 1700000000LL);
	assert_int_equal(logsum_time_parse("24h", 1700000000LL, &t), 0);
	assert_int_equal(t, 1700000000LL - 86400);
	assert_int_equal(logsum_time_parse("2026-12-05T06:00:00Z", 0, &t), 0);
	assert_int_equal(t, 1796450400LL);
	assert_int_equal(logsum_time_parse("2026-12-05T07:00:00+01:00", 0, &t), 0);
	assert_int_equal(t, 1796450400LL);
	assert_int_equal(logsum_time_parse("yesterday", 0, &t), -1);
	assert_int_equal(logsum_time_parse("2026-13-01", 0, &t), -1);
	assert_int_equal(logsum_time_parse("", 0, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_new_year),
		cmocka_unit_test(test_counts_interleaved),
		cmocka_unit_test(test_cut_and_window),
		cmocka_unit_test(test_merge_any_cut),
		cmocka_unit_test(test_time_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
