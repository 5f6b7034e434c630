/*
 * test_diff - unified diff output, masking, speed, and round trip through
 * the real patch(1).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diff.h"
#include "err.h"
#include "secrecy.h"

/* run_diff - diff_unified on two C strings; returns the malloc'd output. */
static char *run_diff(const char *a, const char *b, int masked)
{
	struct buf out = BUF_INIT;
	struct err e;
	int r;

	err_clear(&e);
	if (masked)
		r = diff_unified_masked(a, strlen(a), b, strlen(b), "a/f", "b/f", 3, &out, &e);
	else
		r = diff_unified(a, strlen(a), b, strlen(b), "a/f", "b/f", 3, &out, &e);
	assert_int_equal(r, 0);
	return buf_steal(&out);
}

/* numbered - "1\n2\n...n\n". */
static char *numbered(int n)
{
	struct buf b = BUF_INIT;

	for (int i = 1; i <= n; i++)
		assert_int_equal(buf_printf(&b, "%d\n", i), 0);
	return buf_steal(&b);
}

static void test_equal_is_empty(void **state)
{
	char *d;

	(void)state;
	d = run_diff("", "", 0);
	assert_string_equal(d, "");
	free(d);
	d = run_diff("a\nb\nc\n", "a\nb\nc\n", 0);
	assert_string_equal(d, "");
	free(d);
	d = run_diff("no newline", "no newline", 0);
	assert_string_equal(d, "");
	free(d);
}

struct case_ {
	const char *name, *a, *b, *want;
};

static void test_edit_cases(void **state)
{
	static const struct case_ cases[] = {
		{ "insert at start", "2\n3\n", "1\n2\n3\n",
		  "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+1\n 2\n 3\n" },
		{ "delete at start", "1\n2\n3\n", "2\n3\n",
		  "--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@\n-1\n 2\n 3\n" },
		{ "replace at start", "1\n2\n3\n", "x\n2\n3\n",
		  "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-1\n+x\n 2\n 3\n" },
		{ "insert at end", "1\n2\n", "1\n2\n3\n",
		  "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n 1\n 2\n+3\n" },
		{ "delete at end", "1\n2\n3\n", "1\n2\n",
		  "--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@\n 1\n 2\n-3\n" },
		{ "replace at end", "1\n2\n3\n", "1\n2\nx\n",
		  "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n 1\n 2\n-3\n+x\n" },
		{ "insert in middle", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nx\n5\n6\n7\n8\n",
		  "--- a/f\n+++ b/f\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+x\n 5\n 6\n 7\n" },
		{ "delete in middle", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n5\n6\n7\n8\n",
		  "--- a/f\n+++ b/f\n@@ -1,7 +1,6 @@\n 1\n 2\n 3\n-4\n 5\n 6\n 7\n" },
		{ "replace in middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nx\n6\n7\n8\n9\n",
		  "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+x\n 6\n 7\n 8\n" },
		{ "create from empty", "", "a\nb\n",
		  "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n" },
		{ "delete everything", "a\n", "", "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n" },
		{ "newline removed at end", "a\nb\n", "a\nb",
		  "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n" },
		{ "newline added at end", "a\nb", "a\nb\n",
		  "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n" },
		{ "context without newline", "x\nb", "y\nb",
		  "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-x\n+y\n b\n\\ No newline at end of file\n" },
		{ "two hunks far apart",
		  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
		  "x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ny\n",
		  "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n"
		  "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n" },
		{ "close changes merge",
		  "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "x\n2\n3\n4\n5\n6\n7\ny\n9\n",
		  "--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n"
		  "-8\n+y\n 9\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = run_diff(cases[i].a, cases[i].b, 0);

		if (strcmp(d, cases[i].want) != 0)
			fail_msg("%s:\n--- got\n%s--- want\n%s", cases[i].name, d, cases[i].want);
		free(d);
	}
}

static void test_default_context(void **state)
{
	struct buf out = BUF_INIT;
	struct err e;
	char *a = numbered(20), *b = numbered(20);

	(void)state;
	b[strlen(b) - 2] = 'x';	/* "20\n" -> "2x\n" */
	assert_int_equal(diff_unified(a, strlen(a), b, strlen(b), "a", "b", -1, &out, &e), 0);
	assert_non_null(strstr(out.data, "@@ -17,4 +17,4 @@\n 17\n 18\n 19\n-20\n+2x\n"));
	buf_free(&out);
	free(a);
	free(b);
}

static void test_large_fast(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;
	struct err e;
	struct timespec t0, t1;
	double secs;

	(void)state;
	for (int i = 1; i <= 50000; i++) {
		assert_int_equal(buf_printf(&a, "param_%d = value %d\n", i, i), 0);
		if (i == 100)
			assert_int_equal(buf_printf(&b, "param_100 = changed\n"), 0);
		else if (i == 25000)
			continue;
		else
			assert_int_equal(buf_printf(&b, "param_%d = value %d\n", i, i), 0);
		if (i == 49990)
			assert_int_equal(buf_printf(&b, "inserted = yes\n"), 0);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	assert_int_equal(diff_unified(a.data, a.len, b.data, b.len, "a/main.cf", "b/main.cf", 3,
				      &out, &e), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 1.0);
	assert_string_equal(out.data,
		"--- a/main.cf\n+++ b/main.cf\n"
		"@@ -97,7 +97,7 @@\n param_97 = value 97\n param_98 = value 98\n"
		" param_99 = value 99\n-param_100 = value 100\n+param_100 = changed\n"
		" param_101 = value 101\n param_102 = value 102\n param_103 = value 103\n"
		"@@ -24997,7 +24997,6 @@\n param_24997 = value 24997\n param_24998 = value 24998\n"
		" param_24999 = value 24999\n-param_25000 = value 25000\n"
		" param_25001 = value 25001\n"
		" param_25002 = value 25002\n param_25003 = value 25003\n"
		"@@ -49988,6 +49987,7 @@\n param_49988 = value 49988\n param_49989 = value 49989\n"
		" param_49990 = value 49990\n+inserted = yes\n param_49991 = value 49991\n"
		" param_49992 = value 49992\n param_49993 = value 49993\n");
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
}

static void test_all_different_fast(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;
	struct err e;
	struct timespec t0, t1;

	(void)state;
	for (int i = 0; i < 50000; i++) {
		assert_int_equal(buf_printf(&a, "a%d\n", i), 0);
		assert_int_equal(buf_printf(&b, "b%d\n", i), 0);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	assert_int_equal(diff_unified(a.data, a.len, b.data, b.len, "a", "b", 3, &out, &e), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_non_null(strstr(out.data, "@@ -1,50000 +1,50000 @@\n-a0\n"));
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
}

static void test_mask_line(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "" },
		{ "   ", "   " },
		{ "[smtp.example.com]:587 user:s3cr3t", "[smtp.example.com]:587 ********" },
		{ "user:s3cr3t", "user:********" },
		{ "s3cr3t", "********" },
		/* a blank-led line continues the entry: all of it is value */
		{ "  key\tvalue", "  ********" },
		{ "    relay-user:pass word", "    ********" },
		{ "key ", "key " },
		/* comments are shown as they are: postmap skips them */
		{ "# relay credentials (mode 0600)", "# relay credentials (mode 0600)" },
		{ "  \t# indented comment", "  \t# indented comment" },
		{ "key #not-a-comment", "key ********" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(diff_mask_line(cases[i].in, strlen(cases[i].in), &out), 0);
		assert_string_equal(out.data ? out.data : "", cases[i].want);
		buf_free(&out);
	}
}

static void test_masked_never_shows_secret(void **state)
{
	const char *a = "# relay credentials\n[smtp.a.example]:587 alice:Old-Pa55\n"
			"[smtp.b.example]:587 bob:Keep-S3cret\n"
			"[smtp.c.example]:587 carol:Gone-S3cret";
	const char *b = "# relay credentials\n[smtp.a.example]:587 alice:New-Pa55\n"
			"[smtp.b.example]:587 bob:Keep-S3cret\n";
	char *d = run_diff(a, b, 1);

	(void)state;
	assert_null(strstr(d, "Old-Pa55"));
	assert_null(strstr(d, "New-Pa55"));
	assert_null(strstr(d, "Keep-S3cret"));
	assert_null(strstr(d, "Gone-S3cret"));
	assert_null(strstr(d, "alice"));
	assert_string_equal(d,
		"--- a/f\n+++ b/f\n@@ -1,4 +1,3 @@\n # relay credentials\n"
		"-[smtp.a.example]:587 ********\n+[smtp.a.example]:587 ********\n"
		" [smtp.b.example]:587 ********\n-[smtp.c.example]:587 ********\n"
		"\\ No newline at end of file\n");
	free(d);
}

/* A multi-line entry in a credentials table: the password is on a
 * continuation line, and contains a blank. */
static void test_masked_continuation(void **state)
{
	const char *a = "[smtp.a.example]:587\n    alice:Old Pa55 word\n"
			"[smtp.b.example]:587 bob:Keep\n    S3cret tail\n";
	const char *b = "[smtp.a.example]:587\n    alice:New Pa55 word\n"
			"[smtp.b.example]:587 bob:Keep\n    S3cret tail\n";
	char *d = run_diff(a, b, 1);

	(void)state;
	assert_null(strstr(d, "Pa55"));
	assert_null(strstr(d, "alice"));
	assert_null(strstr(d, "S3cret"));
	assert_null(strstr(d, "tail"));
	assert_string_equal(d,
		"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n [smtp.a.example]:********\n"
		"-    ********\n+    ********\n [smtp.b.example]:587 ********\n"
		"     ********\n");
	free(d);
}

/* param_diff - the main.cf diff: secret parameters' lines masked. */
static char *param_diff(const char *a, const char *b)
{
	struct buf out = BUF_INIT;
	struct err e;

	err_clear(&e);
	assert_int_equal(diff_unified_param_masked(a, strlen(a), b, strlen(b), "a/main.cf",
						   "b/main.cf", 3, secrecy_maincf_lines, &out,
						   &e), 0);
	return buf_steal(&out);
}

/* main.cf: a secret-bearing value (a literal table in a password
 * parameter, a *_bind_pw / *_password value, a literal reached through
 * $name) masked on its first line and every continuation line, with a
 * comment between them; other parameters print as they are. */
static void test_maincf_secret_lines(void **state)
{
	const char *a = "relayhost = [smtp.example.com]:587\n"
			"smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd,\n"
			"    inline:{ [smtp.example.com]:587=relay:Inl1ne-S3cret,\n"
			"# a comment inside the definition\n"
			"      [smtp2.example.com]:587=relay:Sec0nd-S3cret }\n"
			"lmtp_sasl_password_maps = $lmtp_creds\n"
			"lmtp_creds = static:lmtp:Ref-S3cret\n"
			"ldapx_bind_pw =\n    B1nd-S3cret\n"
			"mysqlx_password = My-S3cret\n"
			"smtp_generic_maps = static:not-a-secret\n"
			"mydomain = example.net\n";
	const char *b = "relayhost = [smtp.example.net]:587\n"
			"smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd,\n"
			"    inline:{ [smtp.example.com]:587=relay:Inl1ne-S3cret,\n"
			"# a comment inside the definition\n"
			"      [smtp2.example.com]:587=relay:Sec0nd-S3cret }\n"
			"lmtp_sasl_password_maps = $lmtp_creds\n"
			"lmtp_creds = static:lmtp:Ref-S3cret\n"
			"ldapx_bind_pw =\n    B1nd-S3cret\n"
			"mysqlx_password = My-S3cret\n"
			"smtp_generic_maps = static:not-a-secret\n"
			"mydomain = example.com\n";
	char *d;

	(void)state;
	/* every line changes: all of them are printed */
	d = param_diff(a, "");
	assert_null(strstr(d, "S3cret"));
	assert_null(strstr(d, "relay:"));
	assert_non_null(strstr(d, "-relayhost = [smtp.example.com]:587\n"));
	assert_non_null(strstr(d, "-smtp_sasl_password_maps = ********\n"));
	assert_non_null(strstr(d, "-    ********\n-********\n-      ********\n"));
	assert_non_null(strstr(d, "-lmtp_creds = ********\n"));
	assert_non_null(strstr(d, "-ldapx_bind_pw =\n-    ********\n"));
	assert_non_null(strstr(d, "-mysqlx_password = ********\n"));
	assert_non_null(strstr(d, "-smtp_generic_maps = static:not-a-secret\n"));
	free(d);
	/* context lines are masked too */
	d = param_diff(a, b);
	assert_null(strstr(d, "S3cret"));
	assert_non_null(strstr(d, "+relayhost = [smtp.example.net]:587\n"));
	assert_non_null(strstr(d, " smtp_sasl_password_maps = ********\n"));
	free(d);
}

/* write_file - whole file from a string. */
static void write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* patch_roundtrip - patch(1) applied to a with our diff must give b. */
static void patch_roundtrip(const char *a, const char *b)
{
	char dir[] = "/tmp/test_diff.XXXXXX", path[300], cmd[700], *d;
	struct buf got = BUF_INIT;
	FILE *f;
	char chunk[4096];
	size_t n;

	assert_non_null(mkdtemp(dir));
	d = run_diff(a, b, 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	write_file(path, a, strlen(a));
	snprintf(path, sizeof(path), "%s/p.diff", dir);
	write_file(path, d, strlen(d));
	snprintf(cmd, sizeof(cmd), "patch -s -f %s/f %s/p.diff", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&got, chunk, n), 0);
	fclose(f);
	assert_int_equal(got.len, strlen(b));
	assert_memory_equal(got.data ? got.data : "", b, got.len);
	buf_free(&got);
	free(d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_patch_accepts(void **state)
{
	char *big = numbered(3000), *big2 = numbered(3000);
	char *p;

	(void)state;
	if (system("command -v patch >/dev/null 2>&1") != 0)
		skip();
	patch_roundtrip("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
			"0\n1\n2\n3\nthree\n5\n6\n7\n9\n10\n11\n");
	patch_roundtrip("a\nb\n", "a\nb");
	patch_roundtrip("a\nb", "a\nc\n");
	patch_roundtrip("x\n", "");
	patch_roundtrip("relayhost =\n",
			"relayhost = [smtp.example.com]:587\nsmtp_tls_security_level = encrypt\n");
	/* scattered edits in a bigger file */
	p = strstr(big2, "\n500\n");
	memcpy(p + 1, "5x0", 3);
	p = strstr(big2, "\n1500\n");
	memcpy(p + 1, "1y00", 4);
	patch_roundtrip(big, big2);
	free(big);
	free(big2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_is_empty),
		cmocka_unit_test(test_edit_cases),
		cmocka_unit_test(test_default_context),
		cmocka_unit_test(test_large_fast),
		cmocka_unit_test(test_all_different_fast),
		cmocka_unit_test(test_mask_line),
		cmocka_unit_test(test_masked_never_shows_secret),
		cmocka_unit_test(test_masked_continuation),
		cmocka_unit_test(test_maincf_secret_lines),
		cmocka_unit_test(test_patch_accepts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
