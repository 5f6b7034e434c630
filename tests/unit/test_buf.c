/*
 * test_buf - capped buffers and the JSON writer built on them.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

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
		cmocka_unit_test(test_binary_and_steal),
		cmocka_unit_test(test_json_nesting_and_escapes),
		cmocka_unit_test(test_json_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
