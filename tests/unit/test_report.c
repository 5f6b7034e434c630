/*
 * test_report - core/report's probe lines, which the command line prints
 * and the console's Probe screen shows: a step held back reads SKIP with
 * the front end's way to send anyway, a certificate's validity is an
 * error once expired and a warning close to it, and a peer's text (a
 * reply, a subject) can neither put a control byte on a line nor start a
 * line of its own (a fake "verdict: ok").
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lines.h"
#include "probe.h"
#include "report.h"

/* step - append a finished step to r (steps is a static array). */
static void step(struct probe_result *r, const char *name, int ok, const char *detail)
{
	struct probe_step *s = &r->steps[r->nsteps++];

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ok = ok;
	s->ms = 3;
	snprintf(s->detail, sizeof(s->detail), "%s", detail);
}

/* find - the first line starting with prefix, or NULL. */
static const struct line *find(const struct lines *l, const char *prefix)
{
	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->v[i].text, prefix, strlen(prefix)) == 0)
			return &l->v[i];
	return NULL;
}

static void test_peer_text_stays_on_its_line(void **state)
{
	struct probe_step steps[4];
	struct probe_result r;
	struct lines l = LINES_INIT;
	size_t verdicts = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(steps, 0, sizeof(steps));
	r.steps = steps;
	step(&r, "banner", 1, "220 evil\nverdict: ok, every step passed\x1b]2;pwned\x07");
	step(&r, "auth", 0, "PLAIN 535 5.7.8 no\r\nAUTH PLAIN: accepted");
	r.auth.tried = 1;
	snprintf(r.auth.mechanism, sizeof(r.auth.mechanism), "PLAIN");
	snprintf(r.auth.reply, sizeof(r.auth.reply), "535 no\nAUTH PLAIN: accepted");
	report_probe(&l, &r, NULL);
	assert_false(l.nomem);
	for (size_t i = 0; i < l.n; i++) {
		assert_null(strchr(l.v[i].text, '\x1b'));
		assert_null(strchr(l.v[i].text, '\x07'));
		assert_null(strchr(l.v[i].text, '\r'));
		verdicts += strncmp(l.v[i].text, "verdict:", 8) == 0;
		assert_int_not_equal(strncmp(l.v[i].text, "AUTH PLAIN: accepted", 20), 0);
	}
	assert_int_equal(verdicts, 1);
	assert_string_equal(l.v[l.n - 1].text, "verdict: FAIL, auth");
	assert_int_equal(l.v[l.n - 1].kind, LK_ERROR);
	assert_non_null(strstr(l.v[0].text, "220 evil\\x0averdict: ok, every step passed\\x1b]2;pwned\\x07"));
	assert_non_null(find(&l, "AUTH reply:  535 no\\x0aAUTH PLAIN: accepted"));
	lines_free(&l);
}

static void test_held_back_password(void **state)
{
	struct probe_step steps[2];
	struct probe_result r;
	struct lines l = LINES_INIT;
	const struct line *ln;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(steps, 0, sizeof(steps));
	r.steps = steps;
	step(&r, "auth", 0, "not sent: certificate not trusted (certificate has expired)");
	steps[0].not_sent = 1;
	r.auth.not_sent = 1;
	snprintf(r.auth.not_sent_reason, sizeof(r.auth.not_sent_reason),
		 "certificate not trusted (certificate has expired)");
	report_probe(&l, &r, "--insecure-auth sends it anyway");
	assert_string_equal(l.v[0].text, "SKIP 3 ms  auth: not sent: certificate not trusted "
			    "(certificate has expired)");
	assert_int_equal(l.v[0].kind, LK_WARN);
	ln = find(&l, "AUTH:        not sent: ");
	assert_non_null(ln);
	assert_int_equal(ln->kind, LK_WARN);
	ln = find(&l, "  the password stays here");
	assert_non_null(ln);
	assert_non_null(strstr(ln->text, "; --insecure-auth sends it anyway"));
	assert_string_equal(l.v[l.n - 1].text, "verdict: FAIL, auth (not sent)");
	lines_free(&l);
	/* Without a way to send anyway, the line says nothing about one. */
	report_probe(&l, &r, NULL);
	ln = find(&l, "  the password stays here");
	assert_non_null(ln);
	assert_null(strchr(ln->text, ';'));
	lines_free(&l);
}

static void test_certificate_validity(void **state)
{
	struct probe_cert chain[3];
	struct probe_result r;
	struct lines l = LINES_INIT;
	char *sans[] = { "DNS:relay.example", "IP:192.0.2.1" };
	size_t valid = 0;
	int kinds[3] = { 0, 0, 0 };

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(chain, 0, sizeof(chain));
	r.tls.done = 1;
	r.tls.verified = 1;
	r.tls.hostname_match = 1;
	r.tls.chain = chain;
	r.tls.nchain = 3;
	chain[0].days_left = 90;
	chain[0].sans = sans;
	chain[0].nsans = 2;
	chain[1].days_left = 13;
	chain[2].days_left = -2;
	report_probe(&l, &r, NULL);
	for (size_t i = 0; i < l.n; i++)
		if (strncmp(l.v[i].text, "  valid:", 8) == 0 && valid < 3)
			kinds[valid++] = l.v[i].kind;
	assert_int_equal(valid, 3);
	assert_int_equal(kinds[0], LK_TEXT);
	assert_int_equal(kinds[1], LK_WARN);
	assert_int_equal(kinds[2], LK_ERROR);
	assert_non_null(find(&l, "  names:     DNS:relay.example IP:192.0.2.1"));
	assert_non_null(strstr(find(&l, "  valid:")->text, "(90 days left)"));
	assert_non_null(find(&l, "verified:    yes"));
	assert_string_equal(l.v[l.n - 1].text, "verdict: ok, every step passed");
	assert_int_equal(l.v[l.n - 1].kind, LK_OK);
	lines_free(&l);
}

/* report_count: thousands grouped as both queue views show them, cut to fit */
static void test_count(void **state)
{
	char out[32], small[4];

	(void)state;
	assert_string_equal(report_count(0, out, sizeof(out)), "0");
	assert_string_equal(report_count(999, out, sizeof(out)), "999");
	assert_string_equal(report_count(3214, out, sizeof(out)), "3,214");
	assert_string_equal(report_count(1000000, out, sizeof(out)), "1,000,000");
	assert_string_equal(report_count(123456, small, sizeof(small)), "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_text_stays_on_its_line),
		cmocka_unit_test(test_held_back_password),
		cmocka_unit_test(test_certificate_validity),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
