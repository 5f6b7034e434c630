/*
 * test_target - the local target: atomic writes, modes set before
 * content, program runs with stdin, deadlines and no shell.
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
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rd-target-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct target *t;
	struct run_out o;
	struct err e;

	(void)state;
	t = target_local_new("/", "/tmp", &e);
	run_out_init(&o);
	target_run(t, argv, NULL, &o, 5000, &e);
	run_out_free(&o);
	target_free(t);
	return 0;
}

static struct target *new_target(void)
{
	struct err e;
	struct target *t = target_local_new(dir, NULL, &e);

	assert_non_null(t);
	return t;
}

static void test_missing_config_dir(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_null(target_local_new("/nonexistent/relaydeck", NULL, &e));
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/relaydeck"));
}

static void test_write_read_mode(void **state)
{
	struct target *t = new_target();
	struct target_stat st;
	struct buf b = BUF_INIT;
	struct err e;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/sasl_passwd", dir);
	assert_int_equal(target_write(t, path, "[h]:587 u:p\n", 12, 0600, &e), 0);
	assert_int_equal(target_stat(t, path, &st, &e), 0);
	assert_true(st.exists);
	assert_int_equal(st.mode, 0600);
	assert_int_equal(target_read(t, path, &b, &e), 0);
	assert_string_equal(b.data, "[h]:587 u:p\n");
	/* rewrite keeps working and replaces the content whole */
	assert_int_equal(target_write(t, path, "x", 1, 0640, &e), 0);
	assert_int_equal(target_read(t, path, &b, &e), 0);
	assert_string_equal(b.data, "x");
	assert_int_equal(target_stat(t, path, &st, &e), 0);
	assert_int_equal(st.mode, 0640);
	buf_free(&b);
	target_free(t);
}

static void test_write_leaves_no_temp(void **state)
{
	struct target *t = new_target();
	char **names;
	size_t n;
	struct err e;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(t->ops->mkdir_p(t, path, 0700, &e), 0);
	snprintf(path, sizeof(path), "%s/sub/main.cf", dir);
	assert_int_equal(target_write(t, path, "a = b\n", 6, 0644, &e), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(t->ops->list_dir(t, path, &names, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "main.cf");
	target_names_free(names, n);
	/* a write into a missing directory fails cleanly */
	assert_int_equal(target_write(t, "/nonexistent/dir/main.cf", "x", 1, 0644, &e), -1);
	target_free(t);
}

static void test_read_missing(void **state)
{
	struct target *t = new_target();
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(target_read(t, "/nonexistent/main.cf", &b, &e), -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	buf_free(&b);
	target_free(t);
}

static void test_run_stdin_stdout(void **state)
{
	struct target *t = new_target();
	const char *argv[] = { "cat", NULL };
	struct buf in = BUF_INIT;
	struct run_out o;
	struct err e;

	(void)state;
	/* larger than a pipe buffer both ways */
	for (int i = 0; i < 20000; i++)
		buf_printf(&in, "line %d\n", i);
	run_out_init(&o);
	assert_int_equal(target_run_ok(t, argv, &in, &o, 10000, &e), 0);
	assert_int_equal(o.exit_code, 0);
	assert_int_equal(o.out.len, in.len);
	assert_memory_equal(o.out.data, in.data, in.len);
	run_out_free(&o);
	buf_free(&in);
	target_free(t);
}

static void test_run_no_shell(void **state)
{
	struct target *t = new_target();
	const char *argv[] = { "echo", "$HOME;", "`id`", NULL };
	struct run_out o;
	struct err e;

	(void)state;
	run_out_init(&o);
	assert_int_equal(target_run_ok(t, argv, NULL, &o, 5000, &e), 0);
	assert_string_equal(o.out.data, "$HOME; `id`\n");
	run_out_free(&o);
	target_free(t);
}

static void test_run_exit_and_stderr(void **state)
{
	struct target *t = new_target();
	const char *argv[] = { "ls", "/nonexistent-relaydeck", NULL };
	const char *missing[] = { "no-such-program-relaydeck", NULL };
	struct run_out o;
	struct err e;

	(void)state;
	run_out_init(&o);
	err_clear(&e);
	assert_int_equal(target_run_ok(t, argv, NULL, &o, 5000, &e), -1);
	assert_int_equal(e.code, ERR_RUN);
	assert_non_null(strstr(e.msg, "ls failed"));
	assert_true(o.err.len > 0);
	assert_int_equal(target_run(t, missing, NULL, &o, 5000, &e), -1);
	assert_non_null(strstr(e.msg, "not found"));
	run_out_free(&o);
	target_free(t);
}

static void test_run_deadline(void **state)
{
	struct target *t = new_target();
	const char *argv[] = { "sleep", "30", NULL };
	struct run_out o;
	struct err e;

	(void)state;
	run_out_init(&o);
	err_clear(&e);
	assert_int_equal(target_run_ok(t, argv, NULL, &o, 300, &e), -1);
	assert_true(o.timed_out);
	assert_int_equal(e.code, ERR_TIMEOUT);
	run_out_free(&o);
	target_free(t);
}

static void test_lock_exclusive(void **state)
{
	struct target *t = new_target();
	void *h1 = NULL, *h2 = NULL;
	struct err e;
	char path[128];
	pid_t pid;
	int status;

	(void)state;
	snprintf(path, sizeof(path), "%s/lock", dir);
	assert_int_equal(t->ops->lock(t, path, 0, &h1, &e), 0);
	pid = fork();
	if (pid == 0) {
		struct err ce;
		void *h = NULL;

		_exit(t->ops->lock(t, path, 200, &h, &ce) == -1 && ce.code == ERR_LOCKED ? 0 : 1);
	}
	assert_true(pid > 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	t->ops->unlock(t, h1);
	assert_int_equal(t->ops->lock(t, path, 0, &h2, &e), 0);
	t->ops->unlock(t, h2);
	target_free(t);
}

static void test_state_dir_default(void **state)
{
	struct target *t;
	struct err e;

	(void)state;
	unsetenv("RELAYDECK_STATE_DIR");
	t = target_local_new(dir, NULL, &e);
	assert_non_null(t);
	assert_non_null(strstr(t->state_dir, "relaydeck/tmp_rd-target-"));
	target_free(t);
	setenv("RELAYDECK_STATE_DIR", "/tmp/elsewhere", 1);
	t = target_local_new(dir, NULL, &e);
	assert_string_equal(t->state_dir, "/tmp/elsewhere");
	target_free(t);
	unsetenv("RELAYDECK_STATE_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_config_dir),
		cmocka_unit_test(test_write_read_mode),
		cmocka_unit_test(test_write_leaves_no_temp),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_run_stdin_stdout),
		cmocka_unit_test(test_run_no_shell),
		cmocka_unit_test(test_run_exit_and_stderr),
		cmocka_unit_test(test_run_deadline),
		cmocka_unit_test(test_lock_exclusive),
		cmocka_unit_test(test_state_dir_default),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
