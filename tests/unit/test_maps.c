/*
 * test_maps - lookup-table sources and sasl_passwd entries against the
 * real postmap: byte-identical round trips on tests/data/maps, every
 * entry's value equal to what `postmap -q` returns from the compiled
 * table, validation tables (missing value, key with spaces, bad regexp,
 * non-UTF-8, long lines, duplicates), edits, secrets and their masking,
 * and passwords with ':', spaces and non-ASCII through postmap -q.
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
#include <unistd.h>

#include "changeset.h"
#include "creds.h"
#include "maps.h"
#include "secret.h"
#include "target.h"
#include "testutil.h"

static char tmpdir[64];
static struct target *t;

static int setup(void **state)
{
	char path[128];
	struct err e;

	(void)state;
	if (access("/etc/postfix/main.cf", F_OK) != 0) {
		FILE *f = fopen("/etc/postfix/main.cf", "a");

		if (f)
			fclose(f);
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rd-maps-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	tu_write_all(path, "", 0);
	err_clear(&e);
	t = target_local_new(tmpdir, tmpdir, &e);
	return t ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	target_free(t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* type_of - the table type a sample's suffix names. */
static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : "hash";
}

/* postmap_build - compile path as TYPE with the real postmap. */
static void postmap_build(const char *type, const char *path)
{
	char spec[1200];
	const char *argv[] = { "postmap", "-c", tmpdir, spec, NULL };
	struct run_out o;
	struct err e;

	snprintf(spec, sizeof(spec), "%s:%s", type, path);
	err_clear(&e);
	run_out_init(&o);
	assert_int_equal(target_run(t, argv, NULL, &o, 60000, &e), 0);
	if (o.exit_code != 0)
		fail_msg("postmap %s: %s", spec, o.err.data ? o.err.data : "");
	run_out_free(&o);
}

/* test_samples - round trip, and every entry as postmap -q sees it. */
static void test_samples(void **state)
{
	char dir[512], path[1024], spec[1100];
	DIR *d;
	struct dirent *de;
	int files = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/data/maps",
		 getenv("top_srcdir") ? getenv("top_srcdir") : "..");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct buf in = BUF_INIT, out = BUF_INIT;
		struct maps *m;
		struct err e;
		const char *type;

		if (de->d_name[0] == '.')
			continue;
		type = type_of(de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(tu_read_all(path, &in), 0);
		err_clear(&e);
		m = maps_parse(type, path, in.data, in.len, &e);
		if (m == NULL)
			fail_msg("%s: %s (line %d)", de->d_name, e.msg, e.line);
		assert_int_equal(maps_serialize(m, &out), 0);
		assert_int_equal(out.len, in.len);
		assert_memory_equal(out.data, in.data, in.len);
		assert_true(maps_count(m) > 0);
		/* the oracle: the same source compiled (or read) by Postfix */
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		tu_write_all(path, in.data, in.len);
		if (maps_kind(type) == MAP_INDEXED)
			postmap_build(type, path);
		snprintf(spec, sizeof(spec), "%s:%s", type, path);
		for (size_t i = 0; i < maps_count(m) && maps_kind(type) == MAP_INDEXED; i++) {
			struct map_entry me;
			struct buf v = BUF_INIT;
			int found;

			assert_int_equal(maps_entry(m, i, &me), 0);
			assert_int_equal(maps_query(t, spec, me.key, 0, &v, &found, &e), 0);
			assert_int_equal(found, 1);
			assert_string_equal(v.data, me.value);
			buf_free(&v);
		}
		maps_free(m);
		buf_free(&in);
		buf_free(&out);
		files++;
	}
	closedir(d);
	assert_true(files >= 10);
}

/* test_regexp_result - the seed's canonical rule rewrites as Postfix does. */
static void test_regexp_result(void **state)
{
	const char *src = "/^(.*)@localhost\\.localdomain$/ ${1}@yourdomain.com\n";
	char path[128], spec[160];
	struct buf v = BUF_INIT;
	struct err e;
	int found;
	struct maps *m;

	(void)state;
	err_clear(&e);
	m = maps_parse("regexp", "x", src, strlen(src), &e);
	assert_non_null(m);
	assert_int_equal(maps_count(m), 1);
	assert_string_equal(maps_get(m, "/^(.*)@localhost\\.localdomain$/"), "${1}@yourdomain.com");
	maps_free(m);
	snprintf(path, sizeof(path), "%s/canon", tmpdir);
	tu_write_all(path, src, strlen(src));
	snprintf(spec, sizeof(spec), "regexp:%s", path);
	assert_int_equal(maps_query(t, spec, "root@localhost.localdomain", 0, &v, &found, &e), 0);
	assert_int_equal(found, 1);
	assert_string_equal(v.data, "root@yourdomain.com");
	buf_reset(&v);
	assert_int_equal(maps_query(t, spec, "root@example.com", 0, &v, &found, &e), 0);
	assert_int_equal(found, 0);
	buf_free(&v);
}

struct bad_case {
	const char *type;
	const char *text;
	int line;
	const char *needle;
};

/* test_bad_input - each bad table fails with its line and a clear reason. */
static void test_bad_input(void **state)
{
	static const struct bad_case cases[] = {
		{ "hash", "a b\nmissing\n", 2, "missing value" },
		{ "hash", "a b\n  \n\tcont-without\n", 0, NULL },	/* continuation of a: fine */
		{ "hash", "  leading x\n", 1, "continues no entry" },
		{ "hash", "a b\nk\xff v\n", 2, "UTF-8" },
		{ "hash", "a b\0c\n", 1, "NUL" },
		{ "regexp", "/^(.*$/ x\n", 1, "does not compile" },
		{ "regexp", "/^a/ $1\n", 1, "group" },
		{ "regexp", "/abc x\n", 1, "closing delimiter" },
		{ "regexp", "/a/q x\n", 1, "unknown regexp flag" },
		{ "cidr", "10.0.0.0/33 OK\n", 1, "cidr" },
		{ "texthash", "k\n", 1, "missing value" },
		{ "nosuch", "a b\n", 0, "unknown" },
	};
	char longline[MAPS_LINE_MAX + 32];
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text);
		struct maps *m;

		if (i == 4)
			len = 6;
		err_clear(&e);
		m = maps_parse(cases[i].type, "t", cases[i].text, len, &e);
		if (cases[i].needle == NULL) {
			assert_non_null(m);
			assert_string_equal(maps_get(m, "a"), "b cont-without");
			maps_free(m);
			continue;
		}
		if (m != NULL)
			fail_msg("case %zu: accepted", i);
		if (strstr(e.msg, cases[i].needle) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].needle);
		assert_int_equal(e.line, cases[i].line);
	}
	memset(longline, 'a', sizeof(longline) - 1);
	longline[10] = ' ';
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	err_clear(&e);
	assert_null(maps_parse("hash", "t", longline, strlen(longline), &e));
	assert_non_null(strstr(e.msg, "longer"));
}

/* test_check_entry - validation of single entries. */
static void test_check_entry(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a@b", "c@d", &e), 0);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a b", "c", &e), -1);
	assert_non_null(strstr(e.msg, "whitespace"));
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a", "", &e), -1);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a", NULL, &e), -1);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "", "x", &e), -1);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a", "x\ny", &e), -1);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "a", "x ", &e), -1);
	assert_int_equal(maps_check_entry(MAP_INDEXED, "#a", "x", &e), -1);
	assert_int_equal(maps_check_entry(MAP_REGEXP, "/^a b$/", "x", &e), 0);
	assert_int_equal(maps_check_entry(MAP_REGEXP, "/(a/", "x", &e), -1);
	assert_int_equal(maps_check_entry(MAP_REGEXP, "/(a)(b)/", "$2", &e), 0);
	assert_int_equal(maps_check_entry(MAP_REGEXP, "/(a)/", "${2}", &e), -1);
	assert_int_equal(maps_check_entry(MAP_CIDR, "192.168.0.0/16", "OK", &e), 0);
	assert_int_equal(maps_check_entry(MAP_CIDR, "2001:db8::/32", "OK", &e), 0);
	assert_int_equal(maps_check_entry(MAP_CIDR, "host.example", "OK", &e), -1);
	assert_int_equal(maps_check_entry(MAP_PCRE, "/a/E", "OK", &e), 0);
	assert_int_equal(maps_check_entry(MAP_PCRE, "/a/q", "OK", &e), -1);
}

/* test_edits - set, insert, remove change only their lines; duplicates warn. */
static void test_edits(void **state)
{
	const char *src = "# head\nA@x.org   one\n\nb@x.org\ttwo\n  more\nc@x.org three";
	struct buf out = BUF_INIT, w = BUF_INIT;
	struct maps *m;
	struct err e;

	(void)state;
	err_clear(&e);
	m = maps_parse("hash", "t", src, strlen(src), &e);
	assert_non_null(m);
	assert_string_equal(maps_get(m, "a@X.org"), "one");	/* folded like postmap */
	assert_string_equal(maps_get(m, "b@x.org"), "two more");
	assert_int_equal(maps_set(m, "a@x.org", "uno", &e), 0);
	assert_int_equal(maps_remove(m, "b@x.org", &e), 0);
	assert_int_equal(maps_set(m, "d@x.org", "four", &e), 0);
	assert_int_equal(maps_remove(m, "nope", &e), -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_int_equal(maps_set(m, "bad key", "v", &e), -1);
	assert_int_equal(maps_serialize(m, &out), 0);
	assert_string_equal(out.data, "# head\nA@x.org   uno\n\nc@x.org three\nd@x.org four\n");
	maps_free(m);
	buf_reset(&out);

	m = maps_parse("hash", "t", "k a\nK b\n", 8, &e);
	assert_non_null(m);
	assert_int_equal(maps_warnings(m, &w), 0);
	assert_non_null(strstr(w.data, "t:2: duplicate key"));
	maps_free(m);

	m = maps_parse("regexp", "t", "/a/ A\n/c/ C\n", 12, &e);
	assert_non_null(m);
	assert_int_equal(maps_insert(m, 1, "/b/", "B", &e), 0);
	assert_int_equal(maps_serialize(m, &out), 0);
	assert_string_equal(out.data, "/a/ A\n/b/ B\n/c/ C\n");
	maps_free(m);
	buf_free(&out);
	buf_free(&w);
}

/* test_large - a table past the key set's look-ahead and a key/value
 * block: every entry found, every duplicate warned once with both lines,
 * the bytes kept, and an edit after the last block. */
static void test_large(void **state)
{
	struct buf src = BUF_INIT, out = BUF_INIT, w = BUF_INIT;
	char key[64], want[64], *long_value = malloc(4001);
	struct maps *m;
	struct err e;
	size_t dups = 0;

	(void)state;
	err_clear(&e);
	assert_non_null(long_value);
	memset(long_value, 'v', 4000);
	long_value[4000] = '\0';
	/* 60,000 entries (about 2 MB of keys and values); every 997th line
	 * repeats the key of the line 500 before, in another case */
	for (int i = 0; i < 60000; i++) {
		if (i % 997 == 996) {
			assert_true(buf_printf(&src, "U%d@Example.NET dup%d\n", i - 500, i) >= 0);
			dups++;
		} else {
			assert_true(buf_printf(&src, "u%d@example.net %s\n", i,
					       i == 30000 ? long_value : "n") >= 0);
		}
	}
	m = maps_parse("hash", "t", src.data, src.len, &e);
	assert_non_null(m);
	assert_int_equal(maps_count(m), 60000);
	assert_string_equal(maps_get(m, "u0@example.net"), "n");
	assert_string_equal(maps_get(m, "u30000@example.net"), long_value);
	assert_string_equal(maps_get(m, "u59999@example.net"), "n");
	assert_string_equal(maps_get(m, "u496@example.net"), "n");	/* the first wins */
	assert_int_equal(maps_warnings(m, &w), 0);
	for (size_t n = 0, at = 0; n < dups; n++) {
		int i = (int)(n * 997 + 996);
		const char *hit;

		snprintf(want, sizeof(want), "t:%d: duplicate key 'U%d@Example.NET' (first at line %d)",
			 i + 1, i - 500, i - 499);
		hit = strstr(w.data + at, want);
		if (hit == NULL)
			fail_msg("no warning: %s", want);
		at = (size_t)(hit - w.data) + 1;
	}
	assert_null(strstr(w.data, "u0@"));
	assert_int_equal(maps_serialize(m, &out), 0);
	assert_int_equal(out.len, src.len);
	assert_memory_equal(out.data, src.data, src.len);
	snprintf(key, sizeof(key), "new@example.net");
	assert_int_equal(maps_set(m, key, "added", &e), 0);
	assert_string_equal(maps_get(m, key), "added");
	assert_int_equal(maps_count(m), 60001);
	maps_free(m);
	free(long_value);
	buf_free(&src);
	buf_free(&out);
	buf_free(&w);
}

/* test_creds_roundtrip - passwords Postfix keeps, through the real postmap. */
static void test_creds_roundtrip(void **state)
{
	static const char *const good[] = {
		"pa:ss:word", "with inner  spaces", " leading-space", "n\xc3\xa4\xc3\xafve\xe2\x82\xac",
		"#hash-first", "\\back\\slash",
	};
	struct creds_src src;
	struct err e;

	(void)state;
	memset(&src, 0, sizeof(src));
	snprintf(src.type, sizeof(src.type), "hash");
	snprintf(src.path, sizeof(src.path), "%s/sasl_passwd", tmpdir);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct changeset *cs = changeset_new(t);
		struct secret pw = { NULL, 0 };
		const char *data;
		size_t len;
		struct buf v = BUF_INIT, expect = BUF_INIT;
		char spec[4200];
		int found;

		err_clear(&e);
		assert_int_equal(secret_set(&pw, good[i], strlen(good[i]), &e), 0);
		assert_int_equal(creds_set(cs, t, &src, "[smtp.example.com]:587", "u@example.com",
					   &pw, &e), 0);
		/* a second entry in the same change set keeps the first */
		assert_int_equal(creds_set(cs, t, &src, "@example.org", "apikey", &pw, &e), 0);
		/* the staged bytes, compiled by the real postmap */
		assert_int_equal(changeset_staged(cs, src.path, &data, &len), 1);
		assert_null(memmem(data, len, "\n\n", 2));
		tu_write_all(src.path, data, len);
		postmap_build("hash", src.path);
		changeset_free(cs);
		snprintf(spec, sizeof(spec), "hash:%s", src.path);
		assert_int_equal(maps_query(t, spec, "[smtp.example.com]:587", 0, &v, &found, &e),
				 0);
		assert_int_equal(found, 1);
		buf_printf(&expect, "u@example.com:%s", good[i]);
		assert_string_equal(v.data, expect.data);
		buf_reset(&v);
		assert_int_equal(maps_query(t, spec, "@example.org", 0, &v, &found, &e), 0);
		assert_int_equal(found, 1);
		buf_free(&v);
		buf_free(&expect);
		secret_free(&pw);
	}
}

/* test_creds_reject - what cannot round-trip is refused without echoing it. */
static void test_creds_reject(void **state)
{
	static const char *const bad[] = { "trailing ", "tab\t" };
	struct creds_src src;
	struct creds_entry *list;
	size_t n;
	struct err e;
	struct secret pw = { NULL, 0 };

	(void)state;
	err_clear(&e);
	assert_int_equal(secret_set(&pw, "a\nb", 3, &e), -1);
	assert_int_equal(secret_set(&pw, "a\0b", 3, &e), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(secret_set(&pw, bad[i], strlen(bad[i]), &e), 0);
		assert_int_equal(creds_check_password(&pw, &e), -1);
		assert_null(strstr(e.msg, bad[i]));
		secret_free(&pw);
	}
	assert_int_equal(creds_check_key("[smtp.example.com]:587", &e), 0);
	assert_int_equal(creds_check_key("user@example.com", &e), 0);
	assert_int_equal(creds_check_key("@example.com", &e), 0);
	assert_int_equal(creds_check_key("bad key", &e), -1);
	assert_int_equal(creds_check_key("[smtp.example.com]:99999", &e), -1);
	assert_int_equal(creds_check_user("a:b", &e), -1);
	assert_int_equal(creds_check_user("apikey", &e), 0);
	/* listing masks */
	memset(&src, 0, sizeof(src));
	snprintf(src.type, sizeof(src.type), "hash");
	snprintf(src.path, sizeof(src.path), "%s/sasl_passwd", tmpdir);
	assert_int_equal(creds_list(t, &src, &list, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].user, "u@example.com");
	assert_string_equal(list[0].masked, "u@example.com:\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2");
	creds_list_free(list, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_regexp_result),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_check_entry),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_creds_roundtrip),
		cmocka_unit_test(test_creds_reject),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
