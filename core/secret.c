/*
 * secret - owned, wiped buffers for passwords. See secret.h.
 *
 * Reading goes byte by byte from the descriptor up to the first newline,
 * so nothing after the secret is consumed from a shared stdin, and the
 * staging buffer is wiped on every path out.
 *
 * Errors: ERR_INVALID (empty, NUL, too long, unsafe file mode), ERR_SYS.
 * Messages name the source, never a byte of the secret.
 */
#include "config.h"
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* secret_free - wipe and release. */
void secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	if (s->data) {
		OPENSSL_cleanse(s->data, s->len);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
}

/* secret_set - copy bytes that can live on one line of a table. */
int secret_set(struct secret *s, const char *p, size_t len, struct err *e)
{
	char *d;

	if (p == NULL || len == 0)
		return err_set(e, ERR_INVALID, "secret is empty");
	if (len > SECRET_MAX)
		return err_set(e, ERR_INVALID, "secret is longer than %d bytes", SECRET_MAX);
	if (memchr(p, '\0', len) || memchr(p, '\n', len) || memchr(p, '\r', len))
		return err_set(e, ERR_INVALID,
			       "secret contains a newline, carriage return or NUL byte");
	if ((d = malloc(len + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "secret: out of memory");
	memcpy(d, p, len);
	d[len] = '\0';
	secret_free(s);
	s->data = d;
	s->len = len;
	return 0;
}

/* secret_protect_process - core limit 0 and not dumpable. */
int secret_protect_process(struct err *e)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0)
		return err_sys(e, "turn off core dumps (setrlimit RLIMIT_CORE)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return err_sys(e, "turn off core dumps (prctl PR_SET_DUMPABLE)");
	return 0;
}

/* secret_read_fd - one line from fd into s. */
int secret_read_fd(int fd, const char *what, struct secret *s, struct err *e)
{
	return secret_read_fd_until(fd, what, NULL, s, e);
}

/* secret_read_fd_until - one line from fd into s, unless a signal says stop. */
int secret_read_fd_until(int fd, const char *what, const volatile sig_atomic_t *stop,
			 struct secret *s, struct err *e)
{
	char buf[SECRET_MAX + 2];
	size_t n = 0;
	int r = 0;

	for (;;) {
		char c;
		ssize_t got = read(fd, &c, 1);

		if (got < 0 && errno == EINTR && !(stop && *stop))
			continue;
		if (got < 0) {
			r = err_sys(e, "read secret from %s", what);
			break;
		}
		if (got == 0 || c == '\n')
			break;
		if (n >= SECRET_MAX + 1) {
			r = err_set(e, ERR_INVALID, "%s: secret is longer than %d bytes", what,
				    SECRET_MAX);
			break;
		}
		buf[n++] = c;
	}
	if (r == 0 && n > 0 && buf[n - 1] == '\r')
		n--;
	if (r == 0 && n == 0)
		r = err_set(e, ERR_INVALID, "%s: no secret (empty first line)", what);
	if (r == 0 && memchr(buf, '\0', n))
		r = err_set(e, ERR_INVALID, "%s: secret contains a NUL byte", what);
	if (r == 0 && memchr(buf, '\r', n))
		r = err_set(e, ERR_INVALID, "%s: secret contains a carriage return", what);
	if (r == 0)
		r = secret_set(s, buf, n, e);
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

/* secret_read_file - read from a file only its owner can read. */
int secret_read_file(const char *path, struct secret *s, struct err *e)
{
	struct stat st;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return err_sys(e, "open %s", path);
	if (fstat(fd, &st) < 0) {
		r = err_sys(e, "stat %s", path);
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		r = err_set(e, ERR_INVALID, "%s: not a regular file", path);
	} else if (S_ISREG(st.st_mode) && (st.st_mode & 077)) {
		r = err_set(e, ERR_INVALID,
			    "%s: mode %04o lets others read the secret; chmod 600 it first",
			    path, (unsigned)(st.st_mode & 07777));
	} else {
		r = secret_read_fd(fd, path, s, e);
	}
	close(fd);
	return r;
}
