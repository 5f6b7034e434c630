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
#include <limits.h>
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
	t = target_local_new("/", dir, &e);
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

/* The child's environment is the fixed minimal one, built before fork. */
static void test_run_env(void **state)
{
	struct target *t = new_target();
	const char *argv[] = { "env", NULL };
	char home[PATH_MAX];
	struct run_out o;
	struct err e;

	(void)state;
	snprintf(home, sizeof(home), "%s", getenv("HOME") ? getenv("HOME") : "");
	setenv("TZ", "UTC0", 1);
	setenv("HOME", "/home/rd-test", 1);
	setenv("RD_NOT_PASSED", "x", 1);
	run_out_init(&o);
	assert_int_equal(target_run_ok(t, argv, NULL, &o, 5000, &e), 0);
	assert_string_equal(o.out.data, "PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:"
			    "/usr/local/bin\nLC_ALL=C\nTZ=UTC0\nHOME=/home/rd-test\n");
	unsetenv("RD_NOT_PASSED");
	unsetenv("TZ");
	if (home[0])
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
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
	/* the variable counts for a user; root takes only --state-dir */
	setenv("RELAYDECK_STATE_DIR", "/tmp/elsewhere", 1);
	t = target_local_new(dir, NULL, &e);
	assert_non_null(t);
	if (geteuid() == 0)
		assert_non_null(strstr(t->state_dir, "/var/lib/relaydeck/tmp_rd-target-"));
	else
		assert_string_equal(t->state_dir, "/tmp/elsewhere");
	target_free(t);
	t = target_local_new(dir, "/tmp/given", &e);
	assert_non_null(t);
	assert_string_equal(t->state_dir, "/tmp/given");
	target_free(t);
	unsetenv("RELAYDECK_STATE_DIR");
}

/* A state dir others can write, or another user's, is refused by name. */
static void test_state_dir_untrusted(void **state)
{
	char sd[128];
	struct target *t;
	struct err e;

	(void)state;
	snprintf(sd, sizeof(sd), "%s/state", dir);
	assert_int_equal(mkdir(sd, 0700), 0);
	t = target_local_new(dir, sd, &e);
	assert_non_null(t);
	target_free(t);
	chmod(sd, 0777);
	err_clear(&e);
	assert_null(target_local_new(dir, sd, &e));
	assert_non_null(strstr(e.msg, sd));
	assert_non_null(strstr(e.msg, "chmod 700"));
	chmod(sd, 0770);
	assert_null(target_local_new(dir, sd, &e));
	if (geteuid() == 0) {
		chmod(sd, 0700);
		assert_int_equal(chown(sd, 65534, 65534), 0);
		err_clear(&e);
		assert_null(target_local_new(dir, sd, &e));
		assert_non_null(strstr(e.msg, "not to you"));
		assert_non_null(strstr(e.msg, "--state-dir"));
	}
	rmdir(sd);
}

/* The lock is never taken through a symbolic link. */
static void test_lock_no_link(void **state)
{
	char sd[128], lock[160], elsewhere[160];
	struct target *t;
	void *h = NULL;
	struct err e;

	(void)state;
	snprintf(sd, sizeof(sd), "%s/lstate", dir);
	snprintf(lock, sizeof(lock), "%s/lock", sd);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", dir);
	assert_int_equal(mkdir(sd, 0700), 0);
	assert_int_equal(symlink(elsewhere, lock), 0);
	t = target_local_new(dir, sd, &e);
	assert_non_null(t);
	err_clear(&e);
	assert_int_equal(t->ops->lock(t, lock, 0, &h, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(access(elsewhere, F_OK), -1);
	target_free(t);
	unlink(lock);
	rmdir(sd);
}

/* The recovery marker is never read or written through a symbolic link,
 * also when --state-dir was given with a trailing slash. */
static void test_state_file_no_link_trailing_slash(void **state)
{
	char sd[128], sdslash[140], marker[160], elsewhere[160], *p;
	struct target *t;
	struct buf b = BUF_INIT;
	struct err e;
	FILE *fp;

	(void)state;
	snprintf(sd, sizeof(sd), "%s/sstate", dir);
	snprintf(sdslash, sizeof(sdslash), "%s/", sd);
	snprintf(marker, sizeof(marker), "%s/applying", sd);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere-marker", dir);
	assert_int_equal(mkdir(sd, 0700), 0);
	fp = fopen(elsewhere, "w");
	assert_non_null(fp);
	fputs("20260101T000000Z-1\n", fp);
	fclose(fp);
	assert_int_equal(symlink(elsewhere, marker), 0);
	t = target_local_new(dir, sdslash, &e);
	assert_non_null(t);
	p = target_state_path(t, "applying");
	assert_non_null(p);
	err_clear(&e);
	assert_int_equal(target_read(t, p, &b, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	err_clear(&e);
	assert_int_equal(target_write(t, p, "x", 1, 0600, &e), -1);
	{
		struct stat st;

		assert_int_equal(lstat(marker, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	free(p);
	buf_free(&b);
	target_free(t);
	unlink(marker);
	unlink(elsewhere);
	rmdir(sd);
}

/* A FIFO given as a file is refused at once, not waited on. */
static void test_read_fifo_refused(void **state)
{
	struct target *t = new_target();
	struct buf b = BUF_INIT;
	char path[128];
	struct err e;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	err_clear(&e);
	assert_int_equal(target_read(t, path, &b, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_int_equal(target_read(t, "/dev/null", &b, &e), -1);
	buf_free(&b);
	unlink(path);
	target_free(t);
}

/* A child that closes its output and goes on running is killed at the
 * deadline with what it started (its process group), not waited for. */
static void test_run_deadline_after_eof(void **state)
{
	struct target *t = new_target();
	char script[200], pidfile[128];
	const char *argv[] = { "sh", "-c", script, NULL };
	struct run_out o;
	struct err e;
	long grandchild = 0;
	FILE *fp;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", dir);
	snprintf(script, sizeof(script),
		 "exec >/dev/null 2>&1; sleep 30 & echo $! >%s; sleep 30", pidfile);
	run_out_init(&o);
	err_clear(&e);
	assert_int_equal(target_run(t, argv, NULL, &o, 500, &e), 0);
	assert_true(o.timed_out);
	assert_int_equal(o.term_signal, 9);
	fp = fopen(pidfile, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &grandchild), 1);
	fclose(fp);
	/* reaped by init, or a zombie for a moment: not running. A killed
	 * process on a loaded machine may take a while to be scheduled and
	 * exit: wait up to 5 s for it rather than a fixed nap. */
	{
		char stat_path[64], st[512];
		int gone = 0;

		snprintf(stat_path, sizeof(stat_path), "/proc/%ld/stat", grandchild);
		for (int i = 0; i < 500 && !gone; i++) {
			FILE *sp = fopen(stat_path, "r");

			st[0] = '\0';
			if (sp) {
				if (fgets(st, sizeof(st), sp) == NULL)
					st[0] = '\0';
				fclose(sp);
			}
			gone = sp == NULL || strstr(st, ") Z") != NULL;
			if (!gone)
				usleep(10000);
		}
		assert_true(gone);
	}
	run_out_free(&o);
	unlink(pidfile);
	target_free(t);
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
		cmocka_unit_test(test_run_env),
		cmocka_unit_test(test_run_exit_and_stderr),
		cmocka_unit_test(test_run_deadline),
		cmocka_unit_test(test_lock_exclusive),
		cmocka_unit_test(test_state_dir_default),
		cmocka_unit_test(test_state_dir_untrusted),
		cmocka_unit_test(test_lock_no_link),
		cmocka_unit_test(test_state_file_no_link_trailing_slash),
		cmocka_unit_test(test_read_fifo_refused),
		cmocka_unit_test(test_run_deadline_after_eof),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
