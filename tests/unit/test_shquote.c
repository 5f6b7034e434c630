/*
 * test_shquote - quoting argv for a remote shell, checked against a real
 * /bin/sh: what the shell parses back must equal the original argv.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "shquote.h"
#include "target.h"

/* roundtrip - quote argv, let sh print each word on its own NUL-terminated field. */
static void roundtrip(const char *const *argv)
{
	struct buf cmd = BUF_INIT, script = BUF_INIT;
	struct run_out o;
	struct err e;
	struct target *t;
	const char *sh[] = { "/bin/sh", "-c", NULL, NULL };
	size_t off = 0;

	err_clear(&e);
	assert_int_equal(shquote_argv(&cmd, argv, &e), 0);
	buf_printf(&script, "printf '%%s\\0' %s", cmd.data);
	sh[2] = script.data;
	t = target_local_new("/", "/tmp/relaydeck-test-shquote-state", &e);
	assert_non_null(t);
	run_out_init(&o);
	assert_int_equal(target_run_ok(t, sh, NULL, &o, 5000, &e), 0);
	for (size_t i = 0; argv[i]; i++) {
		assert_true(off < o.out.len);
		assert_string_equal(o.out.data + off, argv[i]);
		off += strlen(argv[i]) + 1;
	}
	assert_int_equal(off, o.out.len);
	run_out_free(&o);
	target_free(t);
	buf_free(&cmd);
	buf_free(&script);
}

static void test_plain_words(void **state)
{
	const char *argv[] = { "postconf", "-c", "/etc/postfix", "-n", NULL };

	(void)state;
	roundtrip(argv);
}

static void test_metacharacters(void **state)
{
	const char *argv[] = { "echo", "it's", "$HOME", "`id`", "a;b", "x|y", "*", "\"q\"",
			       "", " spaced ", "back\\slash", "'", "''", NULL };

	(void)state;
	roundtrip(argv);
}

static void test_quote_form(void **state)
{
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	assert_int_equal(shquote_arg(&b, "it's", &e), 0);
	assert_string_equal(b.data, "'it'\\''s'");
	buf_free(&b);
}

/* Inside single quotes a line break is data: the script fed to /bin/sh -s
 * keeps "x\nrm -rf /" as one word, never a second command line. */
static void test_line_breaks_are_data(void **state)
{
	const char *argv[] = { "postconf", "-e", "relayhost=x\nrm -rf /", NULL };
	const char *argv_cr[] = { "a\rb", "\n", "'\n'", NULL };

	(void)state;
	roundtrip(argv);
	roundtrip(argv_cr);
}

static void test_empty_and_null(void **state)
{
	const char *none[] = { NULL };
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	assert_int_equal(shquote_argv(&b, none, &e), -1);
	assert_int_equal(shquote_argv(&b, NULL, &e), -1);
	assert_int_equal(shquote_arg(&b, NULL, &e), -1);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_plain_words),
		cmocka_unit_test(test_metacharacters),
		cmocka_unit_test(test_quote_form),
		cmocka_unit_test(test_line_breaks_are_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
