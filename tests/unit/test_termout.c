/*
 * test_termout - the command line's stdout through tui/termout, as main
 * installs it, in a child whose descriptor 1 is a file, a pipe or a
 * pseudo-terminal: one large write arrives whole, a failed write is an
 * error and not a crash, a character cut across writes and a tail left
 * at exit are handled, and a terminal whose locale is not UTF-8 gets no
 * byte past 0x7f.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "termout.h"

/* The child's part: its stdout is already the descriptor under test. */
typedef void (*body_fn)(void);

/* run_child - fork; the child points fd 1 at fd, sets locale, installs
 * termout as main does, runs body and exits normally (so atexit runs). */
static void run_child(int fd, const char *locale, body_fn body)
{
	pid_t pid;
	int status;

	fflush(NULL);	/* nothing of ours buffered for the child to write */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A crash ends the child, not cmocka's handler in it. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		if (dup2(fd, STDOUT_FILENO) < 0 || setlocale(LC_ALL, locale) == NULL)
			_exit(3);
		termout_install(TERMOUT_STDOUT);
		body();
		exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: status %d", status);
}

/* slurp_file - the whole file at fd (from the start). */
static char *slurp_file(int fd, size_t *len)
{
	struct stat st;
	char *p;

	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(pread(fd, p, (size_t)st.st_size, 0), st.st_size);
	p[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return p;
}

/* tmp_fd - an unlinked temporary file. */
static int tmp_fd(void)
{
	char path[] = "/tmp/test_termout.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

#define BIG ((size_t)17 << 20)	/* escaped 4 times over: past the 64 MiB buf cap */

static void body_big(void)
{
	char *p = malloc(BIG);

	if (p == NULL)
		_exit(4);
	memset(p, 0x01, BIG);
	/* One fwrite: glibc hands it to the stream's write function whole. */
	if (fwrite(p, 1, BIG, stdout) != BIG || fflush(stdout) != 0)
		_exit(5);
	free(p);
}

/* test_large_write - 17 MiB of control bytes in one fwrite arrive as
 * 68 MiB of "\x01", all of them. */
static void test_large_write(void **state)
{
	int fd = tmp_fd();
	size_t len;
	char *got;

	(void)state;
	run_child(fd, "C.UTF-8", body_big);
	got = slurp_file(fd, &len);
	assert_int_equal(len, 4 * BIG);
	assert_memory_equal(got, "\\x01\\x01", 8);
	assert_memory_equal(got + len - 8, "\\x01\\x01", 8);
	free(got);
	close(fd);
}

static void body_epipe(void)
{
	static char p[1 << 20];

	memset(p, 'x', sizeof(p));
	signal(SIGPIPE, SIG_IGN);	/* as main has it */
	/* The reader is gone: EPIPE. fwrite says so, and nothing crashes. */
	if (fwrite(p, 1, sizeof(p), stdout) == sizeof(p) || !ferror(stdout))
		_exit(6);
	clearerr(stdout);
}

/* test_write_error - a write that fails (the reader of a pipe gone, as
 * with `| head -c 1`) is an error stdio reports, not a crash. */
static void test_write_error(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	run_child(p[1], "C.UTF-8", body_epipe);
	close(p[1]);
}

static void body_cut(void)
{
	/* a character cut across two writes, then one cut short at exit */
	fputs("a\xe2", stdout);
	fflush(stdout);
	fputs("\x80\x94" "b\n\x1b[2J ok\xe2\x82", stdout);
}

/* test_cut_and_exit - the two halves make one character; the tail left
 * unfinished at exit is escaped, not lost. */
static void test_cut_and_exit(void **state)
{
	int fd = tmp_fd();
	size_t len;
	char *got;

	(void)state;
	run_child(fd, "C.UTF-8", body_cut);
	got = slurp_file(fd, &len);
	assert_string_equal(got, "a\xe2\x80\x94" "b\n\\x1b[2J ok\\xe2\\x82");
	free(got);
	close(fd);
}

static void body_c9b(void)
{
	/* U+011B: its UTF-8 ends in 0x9b, CSI to a terminal that reads bytes */
	printf("a\xc4\x9b" "2J \xe2\x80\x94\n");
}

/* pty_output - what the child's body writes to a pseudo-terminal. */
static char *pty_output(const char *locale, body_fn body)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	char *out = calloc(1, 4096);
	size_t len = 0;
	ssize_t n;

	assert_true(m >= 0);
	assert_non_null(out);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	run_child(s, locale, body);
	fcntl(m, F_SETFL, O_NONBLOCK);
	while (len < 4095 && (n = read(m, out + len, 4095 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(s);
	close(m);
	return out;
}

/* test_tty_locale - on a terminal, a locale that is not UTF-8 gets every
 * non-ASCII character as \uXXXX; a UTF-8 locale gets the character; a
 * pipe gets it too, whatever the locale (a program reads it, not a
 * terminal). */
static void test_tty_locale(void **state)
{
	char *got;
	int p[2];
	char buf[256];
	ssize_t n;

	(void)state;
	got = pty_output("C", body_c9b);
	assert_string_equal(got, "a\\u011b2J \\u2014\r\n");
	free(got);
	got = pty_output("C.UTF-8", body_c9b);
	assert_string_equal(got, "a\xc4\x9b" "2J \xe2\x80\x94\r\n");
	free(got);
	assert_int_equal(pipe(p), 0);
	run_child(p[1], "C", body_c9b);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "a\xc4\x9b" "2J \xe2\x80\x94\n");
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_write),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_cut_and_exit),
		cmocka_unit_test(test_tty_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
