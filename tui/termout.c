/*
 * termout - terminal-safe stdout and stderr for the command line. See
 * termout.h.
 */
#include "config.h"
#include "termout.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "termsafe.h"

/* Input bytes escaped per write(2): the output of one stays below 4 times
 * that, so a large fwrite needs neither a copy of its size nor the
 * buf's cap. */
#define SINK_CHUNK 16384

struct sink {
	int fd;
	FILE *f;
	struct termsafe_stream st;
	struct buf out;		/* one chunk, escaped; kept between writes */
};

static struct sink *sinks[2];

/* write_all - every byte to fd, or -1. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* sink_write - stdio's buffer, made safe, to the descriptor, a chunk at a
 * time (glibc hands a large write over whole, unbuffered). An error is 0,
 * never -1: glibc takes the result as a count, and -1 on a large write
 * made fwrite copy past the end of the caller's buffer (fopencookie(3):
 * "must not return a negative value"); stdio marks the stream's error. */
static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
	struct sink *k = cookie;

	for (size_t off = 0; off < size; off += SINK_CHUNK) {
		size_t n = size - off < SINK_CHUNK ? size - off : SINK_CHUNK;

		buf_reset(&k->out);
		if (termsafe_stream_feed(&k->st, buf + off, n, &k->out) < 0) {
			errno = ENOMEM;
			return 0;
		}
		if (k->out.len && write_all(k->fd, k->out.data, k->out.len) < 0)
			return 0;
	}
	return (ssize_t)size;
}

/* sink_end - a character left unfinished at the end is escaped. */
static int sink_end(struct sink *k)
{
	buf_reset(&k->out);
	if (termsafe_stream_end(&k->st, &k->out) == 0 && k->out.len)
		return write_all(k->fd, k->out.data, k->out.len);
	return 0;
}

static int sink_close(void *cookie)
{
	struct sink *k = cookie;
	int rc = sink_end(k);

	for (int i = 0; i < 2; i++)
		if (sinks[i] == k)
			sinks[i] = NULL;
	buf_free(&k->out);
	free(k);
	return rc;
}

/* sinks_end - at exit: stdio flushes but never closes stdout, so the
 * unfinished tail is written here. */
static void sinks_end(void)
{
	for (int i = 0; i < 2; i++)
		if (sinks[i]) {
			fflush(sinks[i]->f);
			sink_end(sinks[i]);
		}
}

/* locale_utf8 - does the locale (set by main) say the terminal decodes
 * UTF-8? When not, its bytes 0x80-0x9f may be C1 controls. */
static int locale_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* wrap - a stream over fd that escapes, buffered like the one it replaces. */
static FILE *wrap(FILE *old, int fd, int mode, int slot)
{
	static int registered;
	cookie_io_functions_t io = { .read = NULL, .write = sink_write, .seek = NULL,
				     .close = sink_close };
	struct sink *k = calloc(1, sizeof(*k));
	FILE *f;

	if (k == NULL)
		return old;
	k->fd = fd;
	termsafe_stream_init(&k->st, TERMSAFE_KEEP_LF | TERMSAFE_KEEP_TAB |
			     (isatty(fd) && !locale_utf8() ? TERMSAFE_ASCII : 0));
	if ((f = fopencookie(k, "w", io)) == NULL) {
		free(k);
		return old;
	}
	fflush(old);
	setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
	k->f = f;
	sinks[slot] = k;
	if (!registered && atexit(sinks_end) == 0)
		registered = 1;
	return f;
}

void termout_install(unsigned which)
{
	/* glibc documents stdout and stderr as assignable variables. */
	if ((which & TERMOUT_STDOUT) && sinks[0] == NULL)
		stdout = wrap(stdout, STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 0);
	if ((which & TERMOUT_STDERR) && sinks[1] == NULL)
		stderr = wrap(stderr, STDERR_FILENO, _IONBF, 1);
}
