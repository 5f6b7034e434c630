/*
 * test_termsafe - the terminal-safe text rule (core/termsafe) in a table:
 * NULL and empty first, then each class (printable ASCII and UTF-8 kept,
 * C0 and DEL, LF and TAB by flag, C1 as raw bytes and as UTF-8, the line
 * separators and bidi controls, malformed UTF-8: overlong, surrogate,
 * past U+10FFFF, stray continuation bytes, a sequence cut short at the
 * end), the edges of each range, TERMSAFE_ASCII (a terminal that does
 * not decode UTF-8), a long input, the stream form cut at every point
 * and at random ones, idempotence, and JSON's escaping of the same input
 * (core/json), also after TERMSAFE_ASCII.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "termsafe.h"

struct ts_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	unsigned flags;
	const char *want;
};

#define K (TERMSAFE_KEEP_LF | TERMSAFE_KEEP_TAB)

static const struct ts_case cases[] = {
	{ "", 0, 0, "" },
	{ "relay.example.com", 0, 0, "relay.example.com" },
	{ "a\\x1b b", 0, 0, "a\\x1b b" },	/* a backslash stays as written */
	{ "/^(.*)\\.example$/", 0, 0, "/^(.*)\\.example$/" },
	/* C0 and DEL */
	{ "\x1b]2;pwned\x07", 0, 0, "\\x1b]2;pwned\\x07" },
	{ "\x01\x1f\x7f", 0, 0, "\\x01\\x1f\\x7f" },
	{ "a\0b", 3, 0, "a\\x00b" },
	{ "cr\rlf", 0, K, "cr\\x0dlf" },
	/* LF and TAB by flag */
	{ "l1\nl2\tx", 0, 0, "l1\\x0al2\\x09x" },
	{ "l1\nl2\tx", 0, TERMSAFE_KEEP_LF, "l1\nl2\\x09x" },
	{ "l1\nl2\tx", 0, K, "l1\nl2\tx" },
	/* C1: raw bytes (not UTF-8) and as UTF-8 characters */
	{ "\x9b" "31m", 0, 0, "\\x9b31m" },
	{ "\x80\x9f", 0, 0, "\\x80\\x9f" },
	{ "\xc2\x9b" "31m", 0, 0, "\\u009b31m" },
	{ "\xc2\x80\xc2\x9f", 0, 0, "\\u0080\\u009f" },
	{ "\xc2\xa0nbsp", 0, 0, "\xc2\xa0nbsp" },	/* U+00A0 is printable */
	/* printable UTF-8 kept */
	{ "caf\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa6 \xf0\x9f\x93\xa7", 0, 0,
	  "caf\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa6 \xf0\x9f\x93\xa7" },
	/* line separators and bidi controls */
	{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", 0, K, "a\\u2028b\\u2029" },
	{ "\xe2\x80\xae" "txt.exe", 0, 0, "\\u202etxt.exe" },
	{ "\xe2\x81\xa6x\xe2\x81\xa9", 0, 0, "\\u2066x\\u2069" },
	/* malformed UTF-8, one escape per byte */
	{ "\xc0\xaf", 0, 0, "\\xc0\\xaf" },		/* overlong '/' */
	{ "\xe0\x80\xaf", 0, 0, "\\xe0\\x80\\xaf" },	/* overlong, 3 bytes */
	{ "\xed\xa0\x80", 0, 0, "\\xed\\xa0\\x80" },	/* surrogate U+D800 */
	{ "\xf4\x90\x80\x80", 0, 0, "\\xf4\\x90\\x80\\x80" },	/* past U+10FFFF */
	{ "\xff\xfe", 0, 0, "\\xff\\xfe" },
	{ "\xe2\x82x", 0, 0, "\\xe2\\x82x" },		/* cut short inside */
	/* truncated at the end */
	{ "ok\xe2\x82", 0, 0, "ok\\xe2\\x82" },
	{ "ok\xf0\x9f\x93", 0, 0, "ok\\xf0\\x9f\\x93" },
	{ "ok\xc3", 0, 0, "ok\\xc3" },
	/* the edges of each range: kept just outside, escaped just inside */
	{ "\x20~", 0, 0, "\x20~" },
	{ "\xdf\xbf|\xe0\xa0\x80|\xed\x9f\xbf|\xee\x80\x80|\xef\xbf\xbf", 0, 0,
	  "\xdf\xbf|\xe0\xa0\x80|\xed\x9f\xbf|\xee\x80\x80|\xef\xbf\xbf" },
	{ "\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf", 0, 0, "\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf" },
	{ "\xe2\x80\xa7\xe2\x80\xa8", 0, 0, "\xe2\x80\xa7\\u2028" },		/* U+2027 */
	{ "\xe2\x80\xa9\xe2\x80\xaa", 0, 0, "\\u2029\\u202a" },
	{ "\xe2\x80\xae\xe2\x80\xaf", 0, 0, "\\u202e\xe2\x80\xaf" },		/* U+202F */
	{ "\xe2\x81\xa5\xe2\x81\xa6", 0, 0, "\xe2\x81\xa5\\u2066" },		/* U+2065 */
	{ "\xe2\x81\xa9\xe2\x81\xaa", 0, 0, "\\u2069\xe2\x81\xaa" },		/* U+206A */
	{ "\xc1\xbf", 0, 0, "\\xc1\\xbf" },				/* overlong U+007F */
	{ "\xf0\x8f\xbf\xbf", 0, 0, "\\xf0\\x8f\\xbf\\xbf" },		/* overlong U+FFFF */
	{ "\xf5\x80\x80\x80", 0, 0, "\\xf5\\x80\\x80\\x80" },		/* no such lead */
	{ "\x80x", 0, 0, "\\x80x" },					/* lone continuation */
	/* a terminal that does not decode UTF-8: no byte past 0x7f reaches it */
	{ "caf\xc3\xa9", 0, TERMSAFE_ASCII, "caf\\u00e9" },
	{ "a\xc4\x9b" "2J", 0, TERMSAFE_ASCII, "a\\u011b2J" },	/* its last byte is CSI */
	{ "\xc2\xa0\xe2\x80\x94", 0, TERMSAFE_ASCII, "\\u00a0\\u2014" },
	{ "\xf0\x9f\x93\xa7", 0, TERMSAFE_ASCII, "\\ud83d\\udce7" },	/* U+1F4E7 */
	{ "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 0, TERMSAFE_ASCII, "\\ud800\\udc00\\udbff\\udfff" },
	{ "\x9b\xc2\x9b\x1b", 0, TERMSAFE_ASCII, "\\x9b\\u009b\\x1b" },
	{ "l1\nl2\t~\x7f", 0, K | TERMSAFE_ASCII, "l1\nl2\t~\\x7f" },
};

static void check(const char *in, size_t len, unsigned flags, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(termsafe_append(&b, in, len, flags), 0);
	if (strcmp(b.data, want) != 0)
		fail_msg("termsafe(%zu bytes, flags %u): got \"%s\", want \"%s\"", len, flags,
			 b.data, want);
	buf_free(&b);
}

/* test_table - each class; the result never holds a C0, DEL or 0x80-0x9f byte
 * outside a well-formed character that is not itself a control. */
static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ts_case *c = &cases[i];

		check(c->in, c->len ? c->len : strlen(c->in), c->flags, c->want);
	}
}

static void test_null(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_null(termsafe_dup(NULL, 0));
	assert_int_equal(termsafe_append(&b, NULL, 0, 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(termsafe_append(&b, "", 0, 0), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	{
		char *d = termsafe_dup("\x1b[2J", 0);

		assert_string_equal(d, "\\x1b[2J");
		free(d);
	}
}

/* test_next - one unit at a time: what the console draws cell by cell. */
static void test_next(void **state)
{
	char out[TERMSAFE_UNIT_MAX];
	int esc = -1;

	(void)state;
	assert_int_equal(termsafe_next("\xe2\x80\x94x", 4, 0, out, &esc), 3);
	assert_string_equal(out, "\xe2\x80\x94");
	assert_int_equal(esc, 0);
	assert_int_equal(termsafe_next("\x1b[", 2, 0, out, &esc), 1);
	assert_string_equal(out, "\\x1b");
	assert_int_equal(esc, 1);
	assert_int_equal(termsafe_next("\xc2\x9b", 2, 0, out, &esc), 2);
	assert_string_equal(out, "\\u009b");
	assert_int_equal(termsafe_next("\xc2", 1, 0, out, &esc), 1);
	assert_string_equal(out, "\\xc2");
	assert_int_equal(termsafe_next("\t", 1, TERMSAFE_KEEP_TAB, out, &esc), 1);
	assert_string_equal(out, "\t");
	assert_int_equal(esc, 0);
}

/* test_long - 1 MB of mixed input: every byte is accounted for and the
 * output is well-formed UTF-8 without a character a terminal acts on. */
static void test_long(void **state)
{
	static const char piece[] = "ok \x1b]2;x\x07 \x9b" "31m \xc2\x9b \xe2\x80\x94 \xc3";
	size_t n = 1 << 20, plen = sizeof(piece) - 1;
	char *in = malloc(n);
	struct buf b = BUF_INIT;
	size_t esc = 0;

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = piece[i % plen];
	assert_int_equal(termsafe_append(&b, in, n, 0), 0);
	for (size_t i = 0; i < b.len;) {
		unsigned cp;
		int k = termsafe_utf8_decode(b.data + i, b.len - i, &cp);

		assert_true(k > 0);
		assert_false(termsafe_cp_unsafe(cp, 0));
		esc += b.data[i] == '\\';
		i += (size_t)k;
	}
	/* each piece: \x1b, \x07, \x9b, \u009b and the cut-short \xc3 */
	assert_true(esc >= 5 * (n / plen));
	buf_free(&b);
	free(in);
}

/* test_stream - the stream form gives the same bytes however the input is
 * cut, including inside a character. */
static void test_stream(void **state)
{
	static const char in[] = "a\xe2\x80\x94" "b\x1b\xf0\x9f\x93\xa7" "c\xc2\x9b\xe2\x82";
	size_t len = sizeof(in) - 1;
	struct buf want = BUF_INIT;

	(void)state;
	assert_int_equal(termsafe_append(&want, in, len, 0), 0);
	for (size_t cut1 = 0; cut1 <= len; cut1++) {
		for (size_t cut2 = cut1; cut2 <= len; cut2++) {
			struct termsafe_stream st;
			struct buf got = BUF_INIT;

			termsafe_stream_init(&st, 0);
			assert_int_equal(termsafe_stream_feed(&st, in, cut1, &got), 0);
			assert_int_equal(termsafe_stream_feed(&st, in + cut1, cut2 - cut1, &got), 0);
			assert_int_equal(termsafe_stream_feed(&st, in + cut2, len - cut2, &got), 0);
			assert_int_equal(termsafe_stream_end(&st, &got), 0);
			if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
				fail_msg("cut at %zu/%zu: got \"%s\", want \"%s\"", cut1, cut2,
					 got.data ? got.data : "", want.data);
			buf_free(&got);
		}
	}
	/* one byte at a time */
	{
		struct termsafe_stream st;
		struct buf got = BUF_INIT;

		termsafe_stream_init(&st, 0);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(termsafe_stream_feed(&st, in + i, 1, &got), 0);
		assert_int_equal(termsafe_stream_end(&st, &got), 0);
		assert_string_equal(got.data, want.data);
		buf_free(&got);
	}
	buf_free(&want);
}

/* rand_text - n bytes drawn from pieces that make every class: ASCII,
 * controls, whole and cut UTF-8, C1, bidi, malformed bytes. */
static void rand_text(char *out, size_t n, unsigned *seed)
{
	static const char *const pieces[] = {
		"a", "Z ", "\\", "\n", "\t", "\r", "\x1b", "\x7f", "\x9b", "\xc2\x9b",
		"\xc3\xa9", "\xe2\x80\x94", "\xe2\x80\xae", "\xf0\x9f\x93\xa7", "\xe2",
		"\xe2\x82", "\xf0\x9f", "\xc0\xaf", "\xed\xa0\x80", "\xff", "\x80",
	};
	size_t off = 0;

	while (off < n) {
		const char *p = pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t k = strlen(p);

		if (k > n - off)
			k = n - off;
		memcpy(out + off, p, k);
		off += k;
	}
}

/* test_stream_random - for random text cut at random points, under each
 * flag set, the stream form gives exactly what the whole-string form
 * gives; and escaping is idempotent (the output has nothing left to
 * escape, so the command line's second pass over line()'s text changes
 * nothing). */
static void test_stream_random(void **state)
{
	static const unsigned flagsets[] = { 0, TERMSAFE_KEEP_LF | TERMSAFE_KEEP_TAB,
					     TERMSAFE_ASCII, K | TERMSAFE_ASCII };
	unsigned seed = 20240601;
	char in[300];

	(void)state;
	for (int round = 0; round < 2000; round++) {
		unsigned flags = flagsets[round % 4];
		size_t len = (size_t)(rand_r(&seed) % sizeof(in)), off = 0;
		struct buf want = BUF_INIT, got = BUF_INIT, again = BUF_INIT;
		struct termsafe_stream st;

		rand_text(in, len, &seed);
		assert_int_equal(termsafe_append(&want, in, len, flags), 0);
		termsafe_stream_init(&st, flags);
		while (off < len) {
			size_t k = (size_t)(rand_r(&seed) % 7);

			if (k > len - off)
				k = len - off;
			assert_int_equal(termsafe_stream_feed(&st, in + off, k, &got), 0);
			off += k;
		}
		assert_int_equal(termsafe_stream_end(&st, &got), 0);
		if (got.len != want.len || memcmp(got.data ? got.data : "", want.data, got.len) != 0)
			fail_msg("round %d (flags %u): stream \"%s\", whole \"%s\"", round, flags,
				 got.data ? got.data : "", want.data);
		assert_int_equal(termsafe_append(&again, want.data, want.len, flags), 0);
		assert_string_equal(again.data, want.data);
		if (flags & TERMSAFE_ASCII)
			for (size_t i = 0; i < want.len; i++)
				assert_true((unsigned char)want.data[i] < 0x80);
		buf_free(&want);
		buf_free(&got);
		buf_free(&again);
	}
}

/* test_ascii_json - JSON escaped for a terminal that does not decode
 * UTF-8 is still JSON, and its strings the same: what json_escape leaves
 * raw becomes the \uXXXX escape JSON itself would use. */
static void test_ascii_json(void **state)
{
	struct buf j = BUF_INIT, t = BUF_INIT;

	(void)state;
	json_escape(&j, "caf\xc3\xa9 \xf0\x9f\x93\xa7 \x1b \xc4\x9b \xff");
	assert_string_equal(j.data, "\"caf\xc3\xa9 \xf0\x9f\x93\xa7 \\u001b \xc4\x9b \\ufffd\"");
	assert_int_equal(termsafe_append(&t, j.data, j.len, K | TERMSAFE_ASCII), 0);
	assert_string_equal(t.data, "\"caf\\u00e9 \\ud83d\\udce7 \\u001b \\u011b \\ufffd\"");
	buf_free(&j);
	buf_free(&t);
}

/* test_cap - a full buffer is an error, not a silent cut. */
static void test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(termsafe_append(&b, "\x1b\x1b\x1b", 3, 0), -1);
	buf_free(&b);
}

struct json_case {
	const char *in;
	const char *want;
};

static const struct json_case json_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "q\"b\\", "\"q\\\"b\\\\\"" },
	{ "\x1b]2;pwned\x07", "\"\\u001b]2;pwned\\u0007\"" },
	{ "\n\r\t\x7f", "\"\\n\\r\\t\\u007f\"" },
	{ "\xc2\x9b" "31m", "\"\\u009b31m\"" },		/* C1 as UTF-8 */
	{ "\x9b" "31m", "\"\\ufffd31m\"" },		/* a raw byte: not UTF-8 */
	{ "\xff", "\"\\ufffd\"" },
	{ "ok\xe2\x82", "\"ok\\ufffd\\ufffd\"" },	/* cut short at the end */
	{ "\xe2\x80\xa8\xe2\x80\xae", "\"\\u2028\\u202e\"" },
	{ "caf\xc3\xa9 \xe2\x80\x94", "\"caf\xc3\xa9 \xe2\x80\x94\"" },
};

/* test_json - JSON never carries a raw control or a malformed byte. */
static void test_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		struct buf b = BUF_INIT;

		json_escape(&b, json_cases[i].in);
		if (strcmp(b.data, json_cases[i].want) != 0)
			fail_msg("json case %zu: got %s, want %s", i, b.data, json_cases[i].want);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_random),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_ascii_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
