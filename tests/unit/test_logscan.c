/*
 * test_logscan - Postfix log lines in both stamp forms, the trace of one
 * message from its cleanup line to its delivery line (sent, deferred
 * with the SASL 535 reason, bounced), and following a file by offset.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logscan.h"

struct line_case {
	const char *line;
	int rc;
	const char *program;
	long pid;
	const char *qid;
	const char *text;
};

static const struct line_case line_cases[] = {
	{ "", -1, NULL, 0, NULL, NULL },
	{ "garbage", -1, NULL, 0, NULL, NULL },
	{ "Nov 29 08:42:57 host", -1, NULL, 0, NULL, NULL },
	{ "Nov 29 08:42:57 host prog[12", -1, NULL, 0, NULL, NULL },
	{ "Foo 29 08:42:57 host postfix/smtp[1]: x", -1, NULL, 0, NULL, NULL },
	{ "Nov 32 08:42:57 host postfix/smtp[1]: x", -1, NULL, 0, NULL, NULL },
	{ "2026-13-29T08:42:57Z host postfix/smtp[1]: x", -1, NULL, 0, NULL, NULL },
	{ "2026-11-29T08:42:57 host postfix/smtp[1]: x", -1, NULL, 0, NULL, NULL },
	{ "Nov 29 08:42:57 smarthost postfix-smarthost/master[25248]: daemon started -- "
	  "version 3.7.11", 0, "postfix-smarthost/master", 25248, "",
	  "daemon started -- version 3.7.11" },
	{ "Nov  9 08:42:59 relay postfix-rdtest/cleanup[311]: C0C3110A1F4: "
	  "message-id=<a@b>\n", 0, "postfix-rdtest/cleanup", 311, "C0C3110A1F4",
	  "message-id=<a@b>" },
	{ "2026-11-29T08:42:59.123456+01:00 relay postfix/smtp[9]: 4XyZ12bcDfz: to=<r@x>, "
	  "status=sent (ok)", 0, "postfix/smtp", 9, "4XyZ12bcDfz", "to=<r@x>, status=sent (ok)" },
	{ "2026-11-29T08:42:59Z relay postfix/postlog: warning: x", 0, "postfix/postlog", -1, "",
	  "warning: x" },
	/* "warning: " is no queue ID (too short, not alphanumeric up to the colon). */
	{ "Nov 29 08:42:59 relay postfix/smtp[9]: warning: SASL authentication failure", 0,
	  "postfix/smtp", 9, "", "warning: SASL authentication failure" },
	{ "Nov 29 08:42:59 relay postfix/anvil[9]: statistics: max connection rate", 0,
	  "postfix/anvil", 9, "", "statistics: max connection rate" },
	{ "Nov 29 08:42:59 relay postfix/qmgr[9]: ABCDE: short", 0, "postfix/qmgr", 9, "",
	  "ABCDE: short" },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		struct logscan_line l;
		int rc = logscan_parse_line(c->line, strlen(c->line), &l);

		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, want %d", i, c->line, rc, c->rc);
		if (rc < 0)
			continue;
		assert_string_equal(l.program, c->program);
		assert_int_equal(l.pid, c->pid);
		assert_string_equal(l.queue_id, c->qid);
		assert_int_equal(l.textlen, strlen(c->text));
		assert_memory_equal(l.text, c->text, l.textlen);
		assert_true(l.time > 0);
	}
	assert_int_equal(logscan_parse_line(NULL, 0, &(struct logscan_line){ 0 }), -1);
}

static void test_rfc3339_time(void **state)
{
	struct logscan_line a, b;
	const char *la = "2026-11-29T08:00:00+01:00 h p[1]: x";
	const char *lb = "2026-11-29T07:00:00Z h p[1]: x";

	(void)state;
	assert_int_equal(logscan_parse_line(la, strlen(la), &a), 0);
	assert_int_equal(logscan_parse_line(lb, strlen(lb), &b), 0);
	assert_int_equal((long long)a.time, (long long)b.time);
	assert_int_equal((long long)b.time, 1795935600LL);
}

/* feed - every line of text into t; the return of the last feed that ended it. */
static int feed(struct logscan_trace *t, const char *text)
{
	char *copy = strdup(text), *save = NULL;
	int done = 0;

	for (char *l = strtok_r(copy, "\n", &save); l && !done; l = strtok_r(NULL, "\n", &save)) {
		struct logscan_line ll;

		if (logscan_parse_line(l, strlen(l), &ll) == 0)
			done = logscan_trace_feed(t, &ll);
	}
	free(copy);
	return done;
}

static const char *const sent_log =
	"Nov 29 08:42:59 r postfix-x/cleanup[10]: AAAAAA1111: message-id=<other@x>\n"
	"Nov 29 08:42:59 r postfix-x/cleanup[10]: BBBBBB2222: message-id=<probe.1@relaydeck.invalid>\n"
	"Nov 29 08:42:59 r postfix-x/qmgr[11]: BBBBBB2222: from=<s@x>, size=400, nrcpt=1 (queue active)\n"
	"Nov 29 08:42:59 r postfix-x/smtp[12]: Trusted TLS connection established to "
	"127.0.0.1[127.0.0.1]:587: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
	"Nov 29 08:42:59 r postfix-x/smtp[13]: Untrusted TLS connection established to "
	"10.0.0.1[10.0.0.1]:25: TLSv1.2 with cipher X\n"
	"Nov 29 08:42:59 r postfix-x/smtp[13]: AAAAAA1111: to=<o@x>, relay=10.0.0.1[10.0.0.1]:25, "
	"delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n"
	"Nov 29 08:42:59 r postfix-x/smtp[12]: BBBBBB2222: to=<rcpt@lab.test>, "
	"relay=127.0.0.1[127.0.0.1]:587, delay=0.12, delays=0.01/0.02/0.05/0.04, dsn=2.0.0, "
	"status=sent (250 2.0.0 Ok: queued as 4XYZ)\n";

static void test_trace_sent(void **state)
{
	struct logscan_trace t;

	(void)state;
	logscan_trace_init(&t, "<probe.1@relaydeck.invalid>");
	assert_int_equal(feed(&t, sent_log), 1);
	assert_string_equal(t.queue_id, "BBBBBB2222");
	assert_int_equal(t.status, LS_SENT);
	assert_string_equal(logscan_status_name(t.status), "sent");
	assert_string_equal(t.to, "<rcpt@lab.test>");
	assert_string_equal(t.relay, "127.0.0.1[127.0.0.1]:587");
	assert_string_equal(t.delay, "0.12");
	assert_string_equal(t.delays, "0.01/0.02/0.05/0.04");
	assert_string_equal(t.dsn, "2.0.0");
	assert_string_equal(t.reason, "250 2.0.0 Ok: queued as 4XYZ");
	/* The TLS line of the process that delivered it, not of another one. */
	assert_non_null(strstr(t.tls, "Trusted TLS connection established to 127.0.0.1"));
	assert_int_equal(t.sasl_failed, 0);
}

static void test_trace_deferred_bounced(void **state)
{
	struct logscan_trace t;

	(void)state;
	logscan_trace_init(&t, "m@x");
	assert_int_equal(feed(&t,
		"2026-11-29T08:42:59.5Z r postfix/cleanup[1]: CCCCCC3333: message-id=<m@x>\n"
		"2026-11-29T08:43:00.5Z r postfix/smtp[2]: CCCCCC3333: to=<a@b>, "
		"relay=127.0.0.1[127.0.0.1]:587, delay=0.3, delays=0.1/0/0.2/0, dsn=4.7.8, "
		"status=deferred (SASL authentication failed; server 127.0.0.1[127.0.0.1] said: "
		"535 5.7.8 Error: authentication failed: authentication failure)\n"), 1);
	assert_int_equal(t.status, LS_DEFERRED);
	assert_string_equal(t.dsn, "4.7.8");
	assert_int_equal(t.sasl_failed, 1);
	assert_non_null(strstr(t.reason, "said: 535 5.7.8"));
	assert_string_equal(t.tls, "");

	logscan_trace_init(&t, "n@x");
	assert_int_equal(feed(&t, "Nov 29 08:42:59 r postfix/cleanup[1]: DDDDDD4444: "
			      "message-id=<n@x>\n"
			      "Nov 29 08:42:59 r postfix/smtp[2]: DDDDDD4444: to=<a@b>, "
			      "relay=none, delay=0, delays=0/0/0/0, dsn=5.4.4, status=bounced "
			      "(Host or domain name not found)\n"), 1);
	assert_int_equal(t.status, LS_BOUNCED);
	assert_string_equal(t.relay, "none");

	/* Not seen: a prefix of the Message-ID is not a match. */
	logscan_trace_init(&t, "n@");
	assert_int_equal(feed(&t, "Nov 29 08:42:59 r postfix/cleanup[1]: DDDDDD4444: "
			      "message-id=<n@x>\n"), 0);
	assert_string_equal(t.queue_id, "");
}

static void test_follow_file(void **state)
{
	char path[] = "/tmp/test_logscan.XXXXXX";
	struct logscan_file f;
	struct buf out = BUF_INIT;
	struct err e;
	FILE *w;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old line\n", 9), 9);
	assert_int_equal(logscan_file_open(&f, path, 0, &e), 0);
	assert_int_equal(logscan_file_read(&f, &out, &e), 0);
	assert_int_equal(out.len, 0);
	w = fdopen(fd, "a");
	fputs("new 1\nnew 2 part", w);
	fflush(w);
	assert_int_equal(logscan_file_read(&f, &out, &e), 0);
	assert_string_equal(out.data, "new 1\n");
	fputs("ial\n", w);
	fflush(w);
	buf_reset(&out);
	assert_int_equal(logscan_file_read(&f, &out, &e), 0);
	assert_string_equal(out.data, "new 2 partial\n");
	/* Rotated (truncated): read again from the start. */
	assert_int_equal(ftruncate(fd, 0), 0);
	fclose(w);
	w = fopen(path, "w");
	fputs("x\n", w);
	fclose(w);
	buf_reset(&out);
	assert_int_equal(logscan_file_read(&f, &out, &e), 0);
	assert_string_equal(out.data, "x\n");
	logscan_file_close(&f);
	unlink(path);
	buf_free(&out);

	/* A file that does not exist yet is followed from its first byte. */
	assert_int_equal(logscan_file_open(&f, "/nonexistent/relaydeck/maillog", 0, &e), 0);
	assert_int_equal(logscan_file_read(&f, &out, &e), 0);
	logscan_file_close(&f);
	buf_free(&out);
}

/* A log that is a FIFO (or a device, such as maillog_file = /dev/stdout)
 * is refused at once: open(2) of a FIFO without a writer blocks, so probe
 * send would outlive its --timeout. alarm() turns a hang into a failure. */
static void test_follow_fifo_refused(void **state)
{
	char dir[] = "/tmp/test_logscan_fifo.XXXXXX", path[64];
	struct logscan_file f;
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/maillog", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	err_clear(&e);
	assert_int_equal(logscan_file_open(&f, path, 0, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	logscan_file_close(&f);
	/* made a FIFO after the open: the read refuses it too */
	unlink(path);
	assert_int_equal(logscan_file_open(&f, path, 0, &e), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	err_clear(&e);
	assert_int_equal(logscan_file_read(&f, &out, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	alarm(0);
	logscan_file_close(&f);
	buf_free(&out);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_rfc3339_time),
		cmocka_unit_test(test_trace_sent),
		cmocka_unit_test(test_trace_deferred_bounced),
		cmocka_unit_test(test_follow_file),
		cmocka_unit_test(test_follow_fifo_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
