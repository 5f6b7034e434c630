/*
 * test_maincf - the main.cf model against the real Postfix: byte-identical
 * round trips on the Debian package's files and tests/data/maincf,
 * maincf_show equal to `postconf -c DIR -n`, edits checked with
 * `postconf -h`, bad input with the right error and line, and speed.
 *
 * postconf -c DIR -n adds "config_directory = DIR" unless main.cf sets it;
 * that one line is removed before comparing (see maincf.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maincf.h"
#include "postfix.h"
#include "target.h"
#include "testutil.h"

static char tmpdir[64];

/* setup - a private config dir with master.cf; postconf needs /etc/postfix/main.cf. */
static int setup(void **state)
{
	struct buf b = BUF_INIT;
	char path[128];

	(void)state;
	if (access("/etc/postfix/main.cf", F_OK) != 0) {
		FILE *f = fopen("/etc/postfix/main.cf", "a");

		if (f)
			fclose(f);
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rd-maincf-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* master.cf defines the services whose per-service names postconf knows. */
	if (tu_read_all("/usr/share/postfix/master.cf.dist", &b) == 0) {
		snprintf(path, sizeof(path), "%s/master.cf", tmpdir);
		tu_write_all(path, b.data, b.len);
	}
	buf_free(&b);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/master.cf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* postconf - run the real postconf on tmpdir with extra args; stdout into out. */
static void postconf(const char *a1, const char *a2, struct buf *out)
{
	const char *argv[] = { "postconf", "-c", tmpdir, a1, a2, NULL };
	struct target *t;
	struct run_out o;
	struct err e;

	err_clear(&e);
	t = target_local_new(tmpdir, tmpdir, &e);
	assert_non_null(t);
	run_out_init(&o);
	assert_int_equal(target_run(t, argv, NULL, &o, 120000, &e), 0);
	if (o.exit_code != 0)
		fail_msg("postconf %s failed: %s", a1, o.err.data ? o.err.data : "");
	assert_int_equal(buf_append(out, o.out.data ? o.out.data : "", o.out.len), 0);
	run_out_free(&o);
	target_free(t);
}

/* install - write data as tmpdir/main.cf. */
static void install(const char *data, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	tu_write_all(path, data, len);
}

/* expected_show - postconf -n for data, without the config_directory line -c adds. */
static void expected_show(const struct maincf *m, struct buf *out)
{
	struct buf raw = BUF_INIT;
	char cd[128];
	char *p;

	postconf("-n", NULL, &raw);
	snprintf(cd, sizeof(cd), "config_directory = %s\n", tmpdir);
	if (maincf_get(m, "config_directory") == NULL &&
	    (p = strstr(raw.data ? raw.data : "", cd)) != NULL &&
	    (p == raw.data || p[-1] == '\n')) {
		assert_int_equal(buf_append(out, raw.data, (size_t)(p - raw.data)), 0);
		assert_int_equal(buf_puts(out, p + strlen(cd)), 0);
	} else {
		assert_int_equal(buf_append(out, raw.data ? raw.data : "", raw.len), 0);
	}
	buf_free(&raw);
}

/* check_file - round trip is byte-identical and show equals postconf -n. */
static void check_file(const char *path, const char *data, size_t len)
{
	struct buf ser = BUF_INIT, show = BUF_INIT, want = BUF_INIT;
	struct maincf *m;
	struct err e;

	err_clear(&e);
	m = maincf_parse(path, data, len, &e);
	if (m == NULL)
		fail_msg("%s: parse failed: line %d: %s", path, e.line, e.msg);
	assert_int_equal(maincf_serialize(m, &ser), 0);
	assert_int_equal(ser.len, len);
	if (len && memcmp(ser.data, data, len) != 0)
		fail_msg("%s: round trip differs", path);

	install(data, len);
	expected_show(m, &want);
	assert_int_equal(maincf_show(m, &show), 0);
	if (strcmp(show.data ? show.data : "", want.data ? want.data : "") != 0)
		fail_msg("%s: maincf_show differs from postconf -n\n--- ours\n%.2000s\n--- postconf\n%.2000s",
			 path, show.data ? show.data : "", want.data ? want.data : "");
	buf_free(&ser);
	buf_free(&show);
	buf_free(&want);
	maincf_free(m);
}

/* The main.cf files the Debian postfix package installs, read at test time. */
static void test_system_corpus(void **state)
{
	static const char *const paths[] = {
		"/usr/share/postfix/main.cf.dist", "/usr/share/postfix/main.cf.debian",
		"/usr/share/postfix/main.cf.tls", "/etc/postfix/main.cf.proto",
	};
	size_t i, found = 0;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct buf b = BUF_INIT;

		if (tu_read_all(paths[i], &b) < 0) {
			print_message("# skip %s: not installed\n", paths[i]);
			continue;
		}
		found++;
		check_file(paths[i], b.data ? b.data : "", b.len);
		buf_free(&b);
	}
	assert_true(found > 0);
}

/* Every file in tests/data/maincf: each layout Postfix accepts. */
static void test_data_corpus(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[1024], path[2048];
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/data/maincf", top ? top : ".");
	d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open %s (set top_srcdir)", dir);
	while ((de = readdir(d)) != NULL) {
		struct buf b = BUF_INIT;
		size_t n = strlen(de->d_name);

		if (n < 4 || strcmp(de->d_name + n - 3, ".cf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(tu_read_all(path, &b), 0);
		check_file(path, b.data ? b.data : "", b.len);
		buf_free(&b);
		count++;
	}
	closedir(d);
	assert_true(count >= 15);
}

/* A synthetic file of 30,000 distinct parameters; a known parameter
 * references them all, or postconf -n would omit them as unused. */
static void test_synthetic_30000(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(buf_puts(&b, "mydestination ="), 0);
	for (i = 0; i < 30000; i++)
		assert_int_equal(buf_printf(&b, " $p%05d", i), 0);
	assert_int_equal(buf_puts(&b, "\n"), 0);
	for (i = 29999; i >= 0; i--)
		assert_int_equal(buf_printf(&b, "p%05d = v%d,\n    w%d\n", i, i, i), 0);
	check_file("synthetic", b.data, b.len);
	buf_free(&b);
}

/* ms_since - CPU time of this process since t0 (taken with the same
 * clock): what other processes do to the machine does not count. */
static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* 50,000 lines parse, edit and show fast (no quadratic paths). */
static void test_speed_50000(void **state)
{
	struct buf b = BUF_INIT, out = BUF_INIT;
	struct timespec t0;
	struct maincf *m;
	struct err e;
	double ms;
	int i;

	(void)state;
	for (i = 0; i < 25000; i++)
		assert_int_equal(buf_printf(&b, "# comment %d\nparam_%d = value %d\n", i, i, i), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	m = maincf_parse("big", b.data, b.len, &e);
	assert_non_null(m);
	for (i = 0; i < 1000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "param_%d", i * 25);
		assert_int_equal(maincf_set(m, name, "changed", &e), 0);
		snprintf(name, sizeof(name), "new_%d", i);
		assert_int_equal(maincf_set(m, name, "added", &e), 0);
		assert_true(maincf_line(m, name) > 50000);
		assert_int_equal(maincf_unset(m, name, &e), 0);
	}
	assert_int_equal(maincf_show(m, &out), 0);
	assert_int_equal(maincf_serialize(m, &out), 0);
	ms = ms_since(&t0);
	print_message("# 50,000 lines: parse, 3000 edits, show, serialize in %.1f ms\n", ms);
	/* ASan/UBSan builds are several times slower than the 100 ms target. */
	assert_true(ms < 1000.0);
	assert_string_equal(maincf_get(m, "param_25"), "changed");
	assert_int_equal(maincf_line(m, "param_24999"), 50000);
	maincf_free(m);
	buf_free(&b);
	buf_free(&out);
}

/* split_lines - count lines and point at each; returns line count. */
static size_t split_lines(const char *s, size_t len, const char **starts, size_t *lens, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) + 1 : len - i;

		assert_true(n < max);
		starts[n] = s + i;
		lens[n++] = l;
		i += l;
	}
	return n;
}

/* assert_only_changed - all lines outside before[bf..bt) and after[af..at)
 * (0-based, half open) are byte-identical and in the same order. */
static void assert_only_changed(const struct buf *before, const struct buf *after,
				size_t bf, size_t bt, size_t af, size_t at)
{
	const char *bs[256], *as[256];
	size_t bl[256], al[256], nb, na, i, j;

	nb = split_lines(before->data, before->len, bs, bl, 256);
	na = split_lines(after->data, after->len, as, al, 256);
	assert_int_equal(nb - (bt - bf), na - (at - af));
	for (i = 0, j = 0; i < nb; i++) {
		if (i >= bf && i < bt)
			continue;
		if (j == af)
			j = at;
		assert_int_equal(bl[i], al[j]);
		assert_memory_equal(bs[i], as[j], bl[i]);
		j++;
	}
}

/* postconf_h - the value the real postconf reports for name after writing m. */
static void postconf_h(const struct maincf *m, const char *name, struct buf *ser, struct buf *val)
{
	buf_reset(ser);
	assert_int_equal(maincf_serialize(m, ser), 0);
	install(ser->data, ser->len);
	postconf("-h", name, val);
}

static const char edit_base[] =
	"# relay settings\n"				/* 1 */
	"relayhost = [old.example.com]:587\n"		/* 2 */
	"smtpd_recipient_restrictions =\n"		/* 3 */
	"    permit_mynetworks,\n"			/* 4 */
	"# reject_rbl_client zen.spamhaus.org,\n"	/* 5 */
	"    reject_unauth_destination\n"		/* 6 */
	"smtp_tls_security_level = may\n"		/* 7 */
	"\n"						/* 8 */
	"smtp_tls_security_level = encrypt\n"		/* 9 */
	"# end\n";					/* 10 */

/* edit_model - parse edit_base and return its bytes in before. */
static struct maincf *edit_model(struct buf *before)
{
	struct err e;
	struct maincf *m = maincf_parse("main.cf", edit_base, strlen(edit_base), &e);

	assert_non_null(m);
	assert_int_equal(maincf_serialize(m, before), 0);
	return m;
}

static void test_set_existing(void **state)
{
	struct buf before = BUF_INIT, after = BUF_INIT, val = BUF_INIT;
	struct maincf *m = edit_model(&before);
	struct err e;

	(void)state;
	assert_string_equal(maincf_get(m, "smtpd_recipient_restrictions"),
			    "permit_mynetworks, reject_unauth_destination");
	assert_int_equal(maincf_line(m, "smtpd_recipient_restrictions"), 3);
	assert_int_equal(maincf_set(m, "relayhost", "[new.example.com]:2525", &e), 0);
	postconf_h(m, "relayhost", &after, &val);
	assert_string_equal(val.data, "[new.example.com]:2525\n");
	assert_string_equal(maincf_get(m, "relayhost"), "[new.example.com]:2525");
	assert_only_changed(&before, &after, 1, 2, 1, 2);
	assert_non_null(strstr(after.data, "\nrelayhost = [new.example.com]:2525\n"));

	/* Editing a continued definition: the line whose word changed is
	 * rewritten in place; the comment between the lines stays there. */
	buf_reset(&val);
	assert_int_equal(maincf_set(m, "smtpd_recipient_restrictions", "permit_mynetworks, reject", &e), 0);
	postconf_h(m, "smtpd_recipient_restrictions", &after, &val);
	assert_string_equal(val.data, "permit_mynetworks, reject\n");
	assert_non_null(strstr(after.data, "smtpd_recipient_restrictions =\n"
				"    permit_mynetworks,\n"
				"# reject_rbl_client zen.spamhaus.org,\n"
				"    reject\n"
				"smtp_tls_security_level = may\n"));
	assert_int_equal(maincf_line(m, "smtp_tls_security_level"), 9);
	buf_free(&before);
	buf_free(&after);
	buf_free(&val);
	maincf_free(m);
}

static void test_set_new(void **state)
{
	struct buf before = BUF_INIT, after = BUF_INIT, val = BUF_INIT;
	struct maincf *m = edit_model(&before);
	struct err e;

	(void)state;
	assert_null(maincf_get(m, "smtp_sasl_auth_enable"));
	assert_int_equal(maincf_set(m, "smtp_sasl_auth_enable", "yes", &e), 0);
	postconf_h(m, "smtp_sasl_auth_enable", &after, &val);
	assert_string_equal(val.data, "yes\n");
	assert_only_changed(&before, &after, 10, 10, 10, 11);
	assert_int_equal(maincf_line(m, "smtp_sasl_auth_enable"), 11);
	assert_string_equal(after.data + before.len, "smtp_sasl_auth_enable = yes\n");
	buf_free(&before);
	buf_free(&after);
	buf_free(&val);
	maincf_free(m);
}

static void test_set_new_no_trailing_newline(void **state)
{
	static const char in[] = "relayhost = a\r\n# last line without newline";
	struct buf out = BUF_INIT, val = BUF_INIT;
	struct maincf *m;
	struct err e;

	(void)state;
	m = maincf_parse("main.cf", in, strlen(in), &e);
	assert_non_null(m);
	assert_int_equal(maincf_set(m, "myhostname", "relay.example.com", &e), 0);
	postconf_h(m, "myhostname", &out, &val);
	assert_string_equal(val.data, "relay.example.com\n");
	/* the CRLF style of the file is kept for the new lines */
	assert_string_equal(out.data, "relayhost = a\r\n# last line without newline\r\n"
			    "myhostname = relay.example.com\r\n");
	assert_int_equal(maincf_line(m, "myhostname"), 3);
	/* replacing the last definition keeps "no newline at end of file" */
	maincf_free(m);
	m = maincf_parse("main.cf", "a = 1\nrelayhost = x", 19, &e);
	assert_non_null(m);
	assert_int_equal(maincf_set(m, "relayhost", "y", &e), 0);
	buf_reset(&out);
	assert_int_equal(maincf_serialize(m, &out), 0);
	assert_string_equal(out.data, "a = 1\nrelayhost = y");
	buf_free(&out);
	buf_free(&val);
	maincf_free(m);
}

static void test_set_duplicate(void **state)
{
	struct buf before = BUF_INIT, after = BUF_INIT, val = BUF_INIT;
	struct maincf *m = edit_model(&before);
	struct err e;

	(void)state;
	assert_string_equal(maincf_get(m, "smtp_tls_security_level"), "encrypt");
	assert_int_equal(maincf_line(m, "smtp_tls_security_level"), 9);
	assert_int_equal(maincf_set(m, "smtp_tls_security_level", "dane", &e), 0);
	postconf_h(m, "smtp_tls_security_level", &after, &val);
	assert_string_equal(val.data, "dane\n");
	/* only the effective (last) definition changes; line 7 stays */
	assert_only_changed(&before, &after, 8, 9, 8, 9);
	assert_non_null(strstr(after.data, "smtp_tls_security_level = may\n"));
	buf_free(&before);
	buf_free(&after);
	buf_free(&val);
	maincf_free(m);
}

/* A copy holds the edits made so far; editing it leaves the original be. */
static void test_copy(void **state)
{
	static const char text[] = "relayhost = [a]:587\nmyhostname = h\n";
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct maincf *m, *copy;
	struct err e;

	(void)state;
	m = maincf_parse("main.cf", text, strlen(text), &e);
	assert_non_null(m);
	assert_int_equal(maincf_set(m, "relayhost", "[b]:587", &e), 0);
	copy = maincf_copy(m, "main.cf", &e);
	assert_non_null(copy);
	assert_string_equal(maincf_get(copy, "relayhost"), "[b]:587");
	assert_int_equal(maincf_set(copy, "myhostname", "other", &e), 0);
	assert_string_equal(maincf_get(m, "myhostname"), "h");
	assert_int_equal(maincf_serialize(m, &a), 0);
	assert_int_equal(maincf_serialize(copy, &b), 0);
	assert_string_equal(a.data, "relayhost = [b]:587\nmyhostname = h\n");
	assert_string_equal(b.data, "relayhost = [b]:587\nmyhostname = other\n");
	buf_free(&a);
	buf_free(&b);
	maincf_free(copy);
	maincf_free(m);
}

/* relayhost_of - postfix_relayhost on text written as tmpdir/main.cf. */
static char *relayhost_of(const char *text)
{
	struct target *t;
	struct maincf *m;
	struct err e;
	char *relay;

	install(text, strlen(text));
	t = target_local_new(tmpdir, tmpdir, &e);
	assert_non_null(t);
	m = postfix_read_maincf(t, &e);
	assert_non_null(m);
	relay = postfix_relayhost(t, m);
	assert_non_null(relay);
	maincf_free(m);
	target_free(t);
	return relay;
}

/* test_relayhost_expanded - "$name" in relayhost is what postconf makes of
 * it; plain text is kept as written; unset is "". */
static void test_relayhost_expanded(void **state)
{
	char *r;

	(void)state;
	r = relayhost_of("relay_base = [smtp.example.net]\nrelayhost = ${relay_base}:587\n");
	assert_string_equal(r, "[smtp.example.net]:587");
	free(r);
	r = relayhost_of("relayhost = [plain.example.net]:25\n");
	assert_string_equal(r, "[plain.example.net]:25");
	free(r);
	r = relayhost_of("myhostname = h.example.net\n");
	assert_string_equal(r, "");
	free(r);
}

static void test_unset(void **state)
{
	struct buf before = BUF_INIT, after = BUF_INIT, val = BUF_INIT;
	struct maincf *m = edit_model(&before);
	struct err e;

	(void)state;
	/* every definition of a duplicated name goes; the blank line between stays */
	assert_int_equal(maincf_unset(m, "smtp_tls_security_level", &e), 0);
	assert_null(maincf_get(m, "smtp_tls_security_level"));
	assert_int_equal(maincf_line(m, "smtp_tls_security_level"), 0);
	buf_reset(&after);
	assert_int_equal(maincf_serialize(m, &after), 0);
	assert_only_changed(&before, &after, 6, 9, 6, 7);
	assert_string_equal(after.data + 0, "# relay settings\n"
			    "relayhost = [old.example.com]:587\n"
			    "smtpd_recipient_restrictions =\n"
			    "    permit_mynetworks,\n"
			    "# reject_rbl_client zen.spamhaus.org,\n"
			    "    reject_unauth_destination\n"
			    "\n"
			    "# end\n");
	/* a continued definition: its lines go, the comment between them stays */
	assert_int_equal(maincf_unset(m, "smtpd_recipient_restrictions", &e), 0);
	assert_int_equal(maincf_unset(m, "never_set", &e), 0);
	postconf_h(m, "smtp_tls_security_level", &after, &val);
	assert_string_equal(after.data, "# relay settings\n"
			    "relayhost = [old.example.com]:587\n"
			    "# reject_rbl_client zen.spamhaus.org,\n"
			    "\n"
			    "# end\n");
	/* postconf falls back to the default */
	buf_reset(&val);
	postconf("-n", NULL, &val);
	assert_null(strstr(val.data, "smtp_tls_security_level"));
	assert_null(strstr(val.data, "smtpd_recipient_restrictions"));
	assert_non_null(strstr(val.data, "relayhost = [old.example.com]:587\n"));
	assert_int_equal(maincf_line(m, "relayhost"), 2);
	buf_free(&before);
	buf_free(&after);
	buf_free(&val);
	maincf_free(m);
}

static void test_fold_long_list(void **state)
{
	static const char list[] =
		"permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, "
		"check_policy_service { inet:127.0.0.1:10023, timeout=10s }, reject_rbl_client #x";
	static const char words[] =
		"127.0.0.0/8 [::1]/128 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 fd00::/8";
	struct buf before = BUF_INIT, after = BUF_INIT, val = BUF_INIT;
	struct maincf *m = edit_model(&before);
	struct err e;

	(void)state;
	assert_int_equal(maincf_set(m, "smtpd_recipient_restrictions", list, &e), 0);
	postconf_h(m, "smtpd_recipient_restrictions", &after, &val);
	/* the definition's own layout: one item per line, four spaces; the
	 * kept line stays, the comment stays where it was */
	assert_non_null(strstr(after.data, "smtpd_recipient_restrictions =\n"
			       "    permit_mynetworks,\n"
			       "# reject_rbl_client zen.spamhaus.org,\n"
			       "    permit_sasl_authenticated,\n"
			       "    reject_unauth_destination,\n"
			       "    check_policy_service { inet:127.0.0.1:10023, timeout=10s },\n"
			       "    reject_rbl_client #x\n"
			       "smtp_tls_security_level = may\n"));
	/* postconf reports exactly the value set (it joins words with one space) */
	assert_int_equal(val.len, strlen(list) + 1);
	assert_memory_equal(val.data, list, strlen(list));
	assert_string_equal(maincf_get(m, "smtpd_recipient_restrictions"), list);
	/* line 6 became 4 lines; the rest is unchanged */
	assert_only_changed(&before, &after, 5, 6, 5, 9);

	/* a list without commas keeps its spaces as separators */
	buf_reset(&val);
	assert_int_equal(maincf_set(m, "mynetworks", words, &e), 0);
	postconf_h(m, "mynetworks", &after, &val);
	assert_non_null(strstr(after.data, "mynetworks =\n    127.0.0.0/8\n    [::1]/128\n"));
	assert_int_equal(val.len, strlen(words) + 1);
	assert_memory_equal(val.data, words, strlen(words));
	/* a new long list: one comma-ended item per line */
	buf_reset(&val);
	assert_int_equal(maincf_set(m, "smtpd_sender_restrictions",
				    "check_sender_access hash:/etc/postfix/sender_access, "
				    "reject_non_fqdn_sender, reject_unknown_sender_domain", &e), 0);
	postconf_h(m, "smtpd_sender_restrictions", &after, &val);
	assert_non_null(strstr(after.data, "\nsmtpd_sender_restrictions =\n"
			       "    check_sender_access hash:/etc/postfix/sender_access,\n"
			       "    reject_non_fqdn_sender,\n"
			       "    reject_unknown_sender_domain\n"));
	assert_string_equal(val.data, "check_sender_access hash:/etc/postfix/sender_access, "
			    "reject_non_fqdn_sender, reject_unknown_sender_domain\n");

	/* a folded definition keeps its layout when it shrinks; an empty
	 * value is "name =" */
	assert_int_equal(maincf_set(m, "mynetworks", "  127.0.0.0/8  ", &e), 0);
	assert_int_equal(maincf_set(m, "relayhost", "", &e), 0);
	buf_reset(&val);
	postconf_h(m, "mynetworks", &after, &val);
	assert_string_equal(val.data, "127.0.0.0/8\n");
	assert_non_null(strstr(after.data, "\nmynetworks =\n    127.0.0.0/8\n"));
	assert_non_null(strstr(after.data, "\nrelayhost =\n"));
	buf_free(&before);
	buf_free(&after);
	buf_free(&val);
	maincf_free(m);
}

/* Edits and their exact bytes: set name = value on in gives out. */
struct layout_case {
	const char *what, *in, *name, *value, *out;
};

static const struct layout_case layout_cases[] = {
	/* the name alone on its line, '=' on the continuation line (found by
	 * fuzz_maincf): the new line needs an '=' of its own */
	{ "name alone, '=' continued", "relayhost   \n  = [old]:587\nx = 1\n", "relayhost",
	  "[new]:587", "relayhost = [new]:587\nx = 1\n" },
	{ "name alone, '=' continued, emptied", "relayhost\n  = [old]:587\n", "relayhost", "",
	  "relayhost =\n" },
	/* the value it already has: not a byte changes */
	{ "no-op, trailing blank after '='", "relayhost = \nx = 1\n", "relayhost", "",
	  "relayhost = \nx = 1\n" },
	{ "no-op, aligned", "relayhost            = [a]:587\n", "relayhost", "[a]:587",
	  "relayhost            = [a]:587\n" },
	{ "no-op, spacing inside the value", "mynetworks = 127.0.0.0/8,   10.0.0.0/8 \t\n",
	  "mynetworks", " 127.0.0.0/8, 10.0.0.0/8", "mynetworks = 127.0.0.0/8,   10.0.0.0/8 \t\n" },
	{ "no-op, continued with a comment, CRLF",
	  "mydestination =\r\n\tb,\r\n# c\r\n\td\r\n", "mydestination", "b, d",
	  "mydestination =\r\n\tb,\r\n# c\r\n\td\r\n" },
	{ "no-op, last line without newline", "relayhost =  x", "relayhost", "x",
	  "relayhost =  x" },
	/* one line: the spacing around '=' and the trailing blanks stay */
	{ "aligned", "relayhost            = x\nmyhostname           = h\n", "relayhost", "[y]:25",
	  "relayhost            = [y]:25\nmyhostname           = h\n" },
	{ "trailing blanks", "relayhost = x  \t\n", "relayhost", "y", "relayhost = y  \t\n" },
	{ "tabs", "relayhost\t=\tx\n", "relayhost", "y", "relayhost\t=\ty\n" },
	{ "no blanks", "relayhost=x\r\n", "relayhost", "y", "relayhost=y\r\n" },
	{ "empty, blank after '='", "relayhost = \n", "relayhost", "y", "relayhost = y\n" },
	{ "empty, no blank", "relayhost =\n", "relayhost", "y", "relayhost = y\n" },
	{ "empty, no blanks at all", "relayhost=\n", "relayhost", "y", "relayhost=y\n" },
	{ "to empty", "relayhost = x  \n", "relayhost", "", "relayhost =\n" },
	{ "a long value stays on its line", "smtpd_relay_restrictions = permit_mynetworks\n",
	  "smtpd_relay_restrictions",
	  "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, reject_unknown_recipient_domain",
	  "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
	  "reject_unauth_destination, reject_unknown_recipient_domain\n" },
	{ "one line, no final newline", "a = 1\nrelayhost =  x", "relayhost", "y",
	  "a = 1\nrelayhost =  y" },
	/* continued: changed lines only, in the definition's own indentation */
	{ "item dropped, comments stay",
	  "mydestination =\n    a,\n    # spam\n    b,\n#   c,\n    d\nx = 1\n", "mydestination", "a, d",
	  "mydestination =\n    a,\n    # spam\n#   c,\n    d\nx = 1\n" },
	{ "item added at the end, tabs",
	  "mydestination = a,\n\tb\nx = 1\n", "mydestination", "a, b, c",
	  "mydestination = a,\n\tb,\n\tc\nx = 1\n" },
	{ "item added first: the first line takes it",
	  "mydestination = a,\n  b,\n  c\n", "mydestination", "z, a, b, c", "mydestination = z,\n  a,\n  b,\n  c\n" },
	{ "first item dropped", "mydestination = a,\n  b,\n  c\n", "mydestination", "b, c", "mydestination =\n  b,\n  c\n" },
	{ "item changed in the middle, words without commas",
	  "mynetworks =\n\t127.0.0.0/8\n\t10.0.0.0/8\n\t192.168.0.0/16\n", "mynetworks",
	  "127.0.0.0/8 172.16.0.0/12 192.168.0.0/16",
	  "mynetworks =\n\t127.0.0.0/8\n\t172.16.0.0/12\n\t192.168.0.0/16\n" },
	{ "several items a line: a changed line stays one line",
	  "mynetworks = 127.0.0.0/8 [::1]/128\n    10.0.0.0/8 10.1.0.0/16\n    10.2.0.0/16\n",
	  "mynetworks", "127.0.0.0/8 [::1]/128 10.0.0.0/8 10.9.0.0/16 10.2.0.0/16 10.3.0.0/16",
	  "mynetworks = 127.0.0.0/8 [::1]/128\n    10.0.0.0/8 10.9.0.0/16\n    10.2.0.0/16\n"
	  "    10.3.0.0/16\n" },
	{ "aligned continuation", "virtual_alias_maps = hash:/a,\n                     hash:/b\n",
	  "virtual_alias_maps", "hash:/a, hash:/c, hash:/b",
	  "virtual_alias_maps = hash:/a,\n                     hash:/c,\n                     hash:/b\n" },
	{ "CRLF, new lines too", "mydestination =\r\n  a,\r\n  b\r\n", "mydestination", "a, b, c",
	  "mydestination =\r\n  a,\r\n  b,\r\n  c\r\n" },
	{ "no final newline, continued", "mydestination = a,\n  b", "mydestination", "a, c, d",
	  "mydestination = a,\n  c,\n  d" },
	{ "to empty, continued", "mydestination =\n  a\n  # note\n  b\nx = 1\n", "mydestination", "",
	  "mydestination =\n  # note\nx = 1\n" },
	{ "a { } group stays whole", "mydestination =\n  a,\n  b\n", "mydestination", "a, check_policy_service { inet:x, timeout=1s }, b",
	  "mydestination =\n  a,\n  check_policy_service { inet:x, timeout=1s },\n  b\n" },
	/* a word starting with '#' would start a line (a comment): one line */
	{ "'#' word", "mydestination =\n  a\n  b\n", "mydestination", "a #x b", "mydestination = a #x b\n" },
	/* a continuation indented with \f only joins words: one line */
	{ "\\f continuation", "mydestination = a\n\fb\n", "mydestination", "c", "mydestination = c\n" },
	/* a \f or \v after a line's last word is no separator: kept at the
	 * end of the value, dropped when more of the value follows (found by
	 * fuzz_maincf: the trailing \f glued "i," to the next item) */
	{ "\\f after a changed line, item added", "mydestination =\n  a,\n  b\f\f\n", "mydestination",
	  "a, b, c", "mydestination =\n  a,\n  b,\n  c\n" },
	{ "\\v after a kept line, word added", "mynetworks =\n  a\n  b\v\n", "mynetworks", "a b c",
	  "mynetworks =\n  a\n  b\n  c\n" },
	{ "\\f after the last line, it stays last", "mynetworks =\n  a\n  b\f\n", "mynetworks", "z b",
	  "mynetworks =\n  z\n  b\f\n" },
	{ "\\f after the first line: one word with the next line's, one line",
	  "mydestination = a,\f\n  b\n", "mydestination", "x, a, b", "mydestination = x, a, b\f\n" },
	/* a kept line indented with \f after a new word would glue to it
	 * (fuzz_maincf): the value goes on the first line */
	{ "\\f-indented line after a new word: one line", "mydestination =\n\fa\n", "mydestination",
	  "z a", "mydestination = z a\n" },
	{ "\\f-indented line after a new word, blank lines between",
	  "mynetworks=\t\n\n\n\f\f b\n", "mynetworks", "a b", "mynetworks=\ta b\n\n\n" },
};

static void test_set_layout(void **state)
{
	struct buf out = BUF_INIT, val = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(layout_cases) / sizeof(layout_cases[0]); i++) {
		const struct layout_case *c = &layout_cases[i];
		struct maincf *m;
		struct err e;
		char *want_value;

		err_clear(&e);
		m = maincf_parse("main.cf", c->in, strlen(c->in), &e);
		assert_non_null(m);
		if (maincf_set(m, c->name, c->value, &e) != 0)
			fail_msg("%s: maincf_set: %s", c->what, e.msg);
		buf_reset(&val);
		postconf_h(m, c->name, &out, &val);
		if (strcmp(out.data, c->out) != 0)
			fail_msg("%s:\n--- got\n%s\n--- want\n%s", c->what, out.data, c->out);
		/* postconf reads the value set, and so does the model */
		want_value = strdup(maincf_get(m, c->name));
		assert_non_null(want_value);
		if (strlen(val.data) != strlen(want_value) + 1 ||
		    strncmp(val.data, want_value, strlen(want_value)) != 0)
			fail_msg("%s: postconf -h says '%s', the model '%s'", c->what, val.data,
				 want_value);
		free(want_value);
		maincf_free(m);
	}
	buf_free(&out);
	buf_free(&val);
}

/* parse_fails - data must fail with code at line. */
static void parse_fails(const char *data, size_t len, enum err_code code, int line)
{
	struct err e;

	err_clear(&e);
	assert_null(maincf_parse("/etc/postfix/main.cf", data, len, &e));
	assert_int_equal(e.code, code);
	assert_int_equal(e.line, line);
	assert_string_equal(e.file, "/etc/postfix/main.cf");
	assert_null(strchr(e.msg, '\n'));
}

static void test_bad_input(void **state)
{
	static const char nul[] = "relayhost = a\n# c\nmyhostname = b\0c\n";
	static const char noeq[] = "relayhost = a\n# c\nmyhostname\n  = ok\nfoo\n  bar\n";
	static const char spaced[] = "rel ayhost = a\n";
	static const char noname[] = "# c\n\n= value\n";
	struct maincf *m;
	struct buf err = BUF_INIT;
	struct err e;

	(void)state;
	parse_fails(nul, sizeof(nul) - 1, ERR_PARSE, 3);
	parse_fails(noeq, sizeof(noeq) - 1, ERR_PARSE, 5);
	parse_fails(spaced, sizeof(spaced) - 1, ERR_PARSE, 1);
	parse_fails(noname, sizeof(noname) - 1, ERR_PARSE, 3);
	err_clear(&e);
	assert_null(maincf_parse("x", noeq, sizeof(noeq) - 1, &e));
	assert_non_null(strstr(e.msg, "missing '=' after parameter name"));

	/* postconf agrees about the line */
	{
		const char *argv[] = { "postconf", "-c", tmpdir, "-n", NULL };
		struct target *t = target_local_new(tmpdir, tmpdir, &e);
		struct run_out o;

		assert_non_null(t);
		install(noeq, sizeof(noeq) - 1);
		run_out_init(&o);
		assert_int_equal(target_run(t, argv, NULL, &o, 60000, &e), 0);
		assert_int_not_equal(o.exit_code, 0);
		assert_non_null(strstr(o.err.data, "line 5: missing '='"));
		run_out_free(&o);
		target_free(t);
	}

	m = maincf_parse("main.cf", "relayhost = a\n", 14, &e);
	assert_non_null(m);
	err_clear(&e);
	assert_int_equal(maincf_set(m, "relayhost", "a\nmyhostname = evil", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(maincf_set(m, "relayhost", "a\rb", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	err_clear(&e);
	assert_int_equal(maincf_set(m, "relay host", "a", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(maincf_set(m, "", "a", &e), -1);
	assert_int_equal(maincf_set(m, "a=b", "a", &e), -1);
	assert_int_equal(maincf_set(m, "#x", "a", &e), -1);
	assert_int_equal(maincf_unset(m, "bad name", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_true(maincf_name_ok("smtp_tls_CAfile"));
	assert_false(maincf_name_ok("smtp tls"));
	assert_false(maincf_name_ok(NULL));
	assert_int_equal(maincf_set(m, "smtp-amavis_destination_concurrency_limit", "2", &e), 0);
	assert_int_equal(maincf_serialize(m, &err), 0);
	assert_string_equal(err.data, "relayhost = a\nsmtp-amavis_destination_concurrency_limit = 2\n");
	buf_free(&err);
	maincf_free(m);

	/* an empty file is fine */
	m = maincf_parse("main.cf", "", 0, &e);
	assert_non_null(m);
	assert_null(maincf_get(m, "relayhost"));
	maincf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_set_existing),
		cmocka_unit_test(test_set_new),
		cmocka_unit_test(test_set_new_no_trailing_newline),
		cmocka_unit_test(test_set_duplicate),
		cmocka_unit_test(test_unset),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_relayhost_expanded),
		cmocka_unit_test(test_fold_long_list),
		cmocka_unit_test(test_set_layout),
		cmocka_unit_test(test_speed_50000),
		cmocka_unit_test(test_data_corpus),
		cmocka_unit_test(test_system_corpus),
		cmocka_unit_test(test_synthetic_30000),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
