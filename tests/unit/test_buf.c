/*
 * test_buf - capped buffers and the JSON writer built on them.
 *
 * The program is linked with -Wl,--wrap=free,--wrap=realloc: every block
 * that buf.c (or this file) hands back to the allocator passes through
 * the wrappers below, which count the blocks that still hold the marker
 * text of a secret.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* volatile: the compiler takes free() for the builtin that touches no
 * variable of ours, and would keep leaked in a register across it */
static const char *volatile needle;	/* the secret to look for, or NULL */
static volatile int leaked;		/* blocks given back with the secret inside */

/* holds_needle - the block still contains the secret. */
static int holds_needle(void *p)
{
	const char *n = needle;

	return p && n && memmem(p, malloc_usable_size(p), n, strlen(n));
}

void *__wrap_realloc(void *p, size_t n)
{
	/* realloc may move the block and leave the old bytes as they are */
	if (holds_needle(p))
		leaked++;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (holds_needle(p))
		leaked++;
	__real_free(p);
}

static void test_empty_and_free(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_free(&b);
	buf_free(NULL);
	buf_wipe_free(NULL);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_null(b.data);
}

static void test_append_printf(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "relayhost"), 0);
	assert_int_equal(buf_printf(&b, " = [%s]:%d", "smtp.example.com", 587), 0);
	assert_string_equal(b.data, "relayhost = [smtp.example.com]:587");
	assert_int_equal(b.len, strlen(b.data));
	buf_free(&b);
}

static void test_cap_enforced(void **state)
{
	struct buf b;
	char big[100];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 64);
	assert_int_equal(buf_append(&b, big, 64), 0);
	assert_int_equal(buf_append(&b, big, 1), -1);
	assert_int_equal(b.len, 64);
	buf_reset(&b);
	assert_int_equal(buf_append(&b, big, 100), -1);
	assert_int_equal(buf_printf(&b, "%100s", "y"), -1);
	buf_free(&b);
}

/* A secret read into a buffer that then grows (a credentials file read
 * in chunks, a command's output) and is freed: no block given back to
 * the allocator, on any growth or at the end, still holds it. */
static void test_no_plaintext_left(void **state)
{
	struct buf b = BUF_INIT;
	char *control;

	(void)state;
	/* the detector works: a block freed with the secret is counted */
	needle = "Gr0wth-S3cret-marker";
	leaked = 0;
	control = strdup("user:Gr0wth-S3cret-marker");
	free(control);
	assert_int_equal(leaked, 1);
	leaked = 0;
	assert_int_equal(buf_puts(&b, "[smtp.example.com]:587 relay-user:"), 0);
	assert_int_equal(buf_puts(&b, "Gr0wth-S3cret-marker"), 0);
	assert_int_equal(buf_putc(&b, '\n'), 0);
	/* 256 bytes first, then doubling: a dozen moves of the secret */
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_printf(&b, "u%05d@example.net user%05d:filler\n", i, i), 0);
	assert_true(b.alloc > 512 * 1024);
	assert_non_null(memmem(b.data, b.len, "Gr0wth-S3cret-marker", 20));
	assert_int_equal(leaked, 0);
	/* a reset keeps the bytes in the allocation: free must still wipe */
	buf_reset(&b);
	buf_free(&b);
	assert_int_equal(leaked, 0);
	assert_int_equal(buf_set(&b, "Gr0wth-S3cret-marker", 20), 0);
	buf_wipe_free(&b);
	assert_int_equal(leaked, 0);
	needle = NULL;
}

static void test_binary_and_steal(void **state)
{
	struct buf b = BUF_INIT;
	char *p;

	(void)state;
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	p = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(p[0], 'a');
	free(p);
}

static void test_json_nesting_and_escapes(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	(void)state;
	json_init(&j, &b);
	json_obj_begin(&j);
	json_kv_str(&j, "name", "relay\"host\"\n\t\\");
	json_kv_int(&j, "line", 42);
	json_kv_bool(&j, "set", 1);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_str(&j, "a");
	json_str(&j, NULL);
	json_int(&j, -1);
	json_arr_end(&j);
	json_kv_str(&j, "ctl", "\x01");
	json_obj_end(&j);
	assert_string_equal(b.data,
		"{\"name\":\"relay\\\"host\\\"\\n\\t\\\\\",\"line\":42,\"set\":true,"
		"\"list\":[\"a\",null,-1],\"ctl\":\"\\u0001\"}");
	buf_free(&b);
}

static void test_json_utf8(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	json_escape(&b, "caf\xc3\xa9 \xff \xe2\x82");
	assert_string_equal(b.data, "\"caf\xc3\xa9 \\ufffd \\ufffd\\ufffd\"");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_free),
		cmocka_unit_test(test_append_printf),
		cmocka_unit_test(test_cap_enforced),
		cmocka_unit_test(test_no_plaintext_left),
		cmocka_unit_test(test_binary_and_steal),
		cmocka_unit_test(test_json_nesting_and_escapes),
		cmocka_unit_test(test_json_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
