/*
 * test_pfdiag - Postfix's messages normalized (every dress Postfix puts
 * them in), compared before/after a change (moved lines, extra copies,
 * stamps and pids), the amount of work the comparison does on 20,000
 * warnings (counted, not timed), and the reason picked from a failure.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pfdiag.h"

/* norm - pfdiag_normalize of s as a C string (static buffer). */
static const char *norm(const char *s)
{
	static char out[1024];
	struct buf b = BUF_INIT;

	assert_int_equal(pfdiag_normalize(s, strlen(s), &b), 0);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static void test_normalize_dresses(void **state)
{
	(void)state;
	/* stderr, as postconf prints it */
	assert_string_equal(norm("postconf: warning: x\n"), "postconf: warning: x");
	/* postfix check runs postconf by its path */
	assert_string_equal(norm("/usr/sbin/postconf: warning: x"), "postconf: warning: x");
	/* maillog_file: syslog stamp, host, pid */
	assert_string_equal(norm("Dec  4 16:37:31 relay01 postfix[19428]: Postfix is using "
				 "backwards-compatible default settings"),
			    "postfix: Postfix is using backwards-compatible default settings");
	assert_string_equal(norm("Dec 04 16:37:31 relay01 postfix/postfix-script[7]: warning: y"),
			    "postfix/postfix-script: warning: y");
	/* RFC 3339 stamp */
	assert_string_equal(norm("2026-12-04T16:37:31.123456+00:00 relay01 postfix/postconf[42]: "
				 "warning: z\r\n"),
			    "postfix/postconf: warning: z");
	/* a path with a blank before the colon is text, not a program */
	assert_string_equal(norm("/etc/postfix/main.cf line: x"), "/etc/postfix/main.cf line: x");
	/* control characters never reach a terminal raw */
	assert_string_equal(norm("postconf: warning: a\x1b]2;pwned\x07"),
			    "postconf: warning: a\\x1b]2;pwned\\x07");
}

/* cmp - compare two texts; the counts in *c (caller frees). */
static void cmp(const char *before, const char *after, struct pfdiag_cmp *c)
{
	pfdiag_cmp_init(c);
	assert_int_equal(pfdiag_compare(before, strlen(before), after, strlen(after), c), 0);
}

static void test_compare_stamps_and_pids(void **state)
{
	struct pfdiag_cmp c;

	(void)state;
	/* maillog_file = /dev/stdout and no compatibility_level: the same
	 * three lines, a second and a pid apart */
	cmp("Dec 04 16:37:31 relay01 postfix[19428]: Postfix is using backwards-compatible "
	    "default settings\n"
	    "Dec 04 16:37:31 relay01 postfix[19428]: See http://www.postfix.org/"
	    "COMPATIBILITY_README.html for details\n",
	    "Dec 04 16:37:32 relay01 postfix[19502]: Postfix is using backwards-compatible "
	    "default settings\n"
	    "Dec 04 16:37:32 relay01 postfix[19502]: See http://www.postfix.org/"
	    "COMPATIBILITY_README.html for details\n",
	    &c);
	assert_int_equal(c.nfresh, 0);
	assert_int_equal(c.nkept, 2);
	assert_string_equal(c.kept.data,
			    "postfix: Postfix is using backwards-compatible default settings\n"
			    "postfix: See http://www.postfix.org/COMPATIBILITY_README.html for "
			    "details\n");
	pfdiag_cmp_free(&c);
}

static void test_compare_moved_and_extra(void **state)
{
	struct pfdiag_cmp c;

	(void)state;
	/* an edit above removed a line: the warning moved, it is not new */
	cmp("postconf: warning: /etc/postfix/main.cf, line 86: overriding earlier entry: "
	    "relayhost=[a]:587\n",
	    "postconf: warning: /etc/postfix/main.cf, line 85: overriding earlier entry: "
	    "relayhost=[a]:587\n",
	    &c);
	assert_int_equal(c.nfresh, 0);
	assert_int_equal(c.nkept, 1);
	assert_non_null(strstr(c.kept.data, "line 85"));	/* as it reads now */
	pfdiag_cmp_free(&c);

	/* more copies of a known warning are not new (postfix check repeats
	 * its own a varying number of times); each is listed once */
	cmp("postfix: warning: main.cf, line 3: overriding earlier entry: a=1\n",
	    "postfix: warning: main.cf, line 3: overriding earlier entry: a=1\n"
	    "postfix: warning: main.cf, line 3: overriding earlier entry: a=1\n"
	    "postconf: warning: unused parameter: b=2\n"
	    "postconf: warning: unused parameter: b=2\n",
	    &c);
	assert_int_equal(c.nkept, 1);
	assert_int_equal(c.nfresh, 1);
	assert_string_equal(c.fresh.data, "postconf: warning: unused parameter: b=2\n");
	pfdiag_cmp_free(&c);

	/* postfix check's helpers sometimes read main.cf twice and report the
	 * first definition overriding the last: the defect postconf -n
	 * reported before, from another program and with another old value */
	cmp("postconf: warning: /etc/postfix/main.cf, line 83: overriding earlier entry: "
	    "relayhost=[smtp.example.com]:587\n",
	    "postconf: warning: /etc/postfix/main.cf, line 83: overriding earlier entry: "
	    "relayhost=[smtp.example.com]:587\n"
	    "postfix: warning: /etc/postfix/main.cf, line 36: overriding earlier entry: "
	    "relayhost=[192.0.2.28]:587\n",
	    &c);
	assert_int_equal(c.nfresh, 0);
	pfdiag_cmp_free(&c);
	/* a severity is not taken for a program name */
	cmp("warning: a\n", "fatal: a\n", &c);
	assert_int_equal(c.nfresh, 1);
	pfdiag_cmp_free(&c);

	/* nothing before or after */
	cmp("", "", &c);
	assert_int_equal(c.nfresh + c.nkept, 0);
	pfdiag_cmp_free(&c);
}

/* The comparison must not scan "before" once per line of "after" (that
 * took 45 s to 144 s on a 20,609-line main.cf). Counted in hash slots
 * visited: a pairwise scan would visit 20,000 x 20,000. */
static void test_compare_work_is_linear(void **state)
{
	enum { N = 20000 };
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct pfdiag_cmp c;

	(void)state;
	for (int i = 0; i < N; i++) {
		assert_int_equal(buf_printf(&before, "Dec  4 16:37:30 relay01 postfix/postconf[%d]: "
					    "warning: /etc/postfix/main.cf, line %d: unused "
					    "parameter: relay_host%d=[smtp%d.example.com]:587\n",
					    500 + i, i + 10, i, i), 0);
		/* after: the same warnings a second later, other pids, each one
		 * line further down; and one new */
		assert_int_equal(buf_printf(&after, "Dec  4 16:37:31 relay01 postfix/postconf[%d]: "
					    "warning: /etc/postfix/main.cf, line %d: unused "
					    "parameter: relay_host%d=[smtp%d.example.com]:587\n",
					    1000 + i, i + 11, i, i), 0);
	}
	assert_int_equal(buf_puts(&after, "postconf: warning: unused parameter: x=1\n"), 0);
	pfdiag_cmp_init(&c);
	assert_int_equal(pfdiag_compare(before.data, before.len, after.data, after.len, &c), 0);
	assert_int_equal(c.nkept, N);
	assert_int_equal(c.nfresh, 1);
	assert_string_equal(c.fresh.data, "postconf: warning: unused parameter: x=1\n");
	if (c.probes > 4 * (2 * N + 1))
		fail_msg("%zu hash probes for %d lines: not linear", c.probes, 2 * N + 1);
	pfdiag_cmp_free(&c);
	buf_free(&before);
	buf_free(&after);
}

/* reason - pfdiag_reason of s (static buffer). */
static const char *reason(const char *s)
{
	static char out[400];

	pfdiag_reason(s, strlen(s), out, sizeof(out));
	return out;
}

static void test_reason(void **state)
{
	(void)state;
	/* the fatal line, not the first warning before it */
	assert_string_equal(reason("postconf: warning: main.cf, line 83: overriding earlier "
				   "entry: myorigin=$mydomain\n"
				   "postconf: warning: truncated macro reference: \"${mydomain\"\n"
				   "postconf: fatal: macro processing error\n"),
			    "fatal: macro processing error");
	/* Postfix's trailing blank after an empty value is dropped */
	assert_string_equal(reason("postfix: fatal: bad string length 0 < 1: setgid_group = \n"),
			    "fatal: bad string length 0 < 1: setgid_group =");
	/* logged with a stamp (maillog_file = /dev/stdout) */
	assert_string_equal(reason("Dec 04 16:37:31 relay01 postfix[1]: warning: a\n"
				   "Dec 04 16:37:31 relay01 postfix[1]: fatal: b\n"
				   "Dec 04 16:37:31 relay01 postfix[1]: fatal: c\n"),
			    "fatal: b");
	/* an error counts when there is no fatal; a later fatal wins */
	assert_string_equal(reason("postmap: error: x\npostmap: warning: y\n"), "error: x");
	assert_string_equal(reason("postmap: error: x\npostmap: panic: z\n"), "panic: z");
	/* no severity: the last line */
	assert_string_equal(reason("first\nsecond\n\n"), "second");
	assert_string_equal(reason(""), "");
	/* the same reason at another line number */
	assert_true(pfdiag_same("fatal: main.cf, line 3: bad", "fatal: main.cf, line 4: bad"));
	assert_false(pfdiag_same("fatal: a", "fatal: b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_dresses),
		cmocka_unit_test(test_compare_stamps_and_pids),
		cmocka_unit_test(test_compare_moved_and_extra),
		cmocka_unit_test(test_compare_work_is_linear),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
