/*
 * fuzz_shquote - libFuzzer target for the quoting of an argv for the
 * remote shell (remote/shquote.c).
 *
 * The input, split at NUL bytes, is an argv (what a caller may hand the
 * SSH target: paths, map keys, queue IDs). The quoted command must read
 * back, by POSIX sh's rules for words made of single-quoted strings and
 * backslash-escaped characters, as exactly the same argv; and no byte
 * may stand outside quotes except the separating blanks and the
 * backslash of "\'". Any violation aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "shquote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

/* unquote_next - the next word of s (as sh reads it) into w; the text after it. */
static const char *unquote_next(const char *s, struct buf *w)
{
	if (*s == ' ')
		s++;
	if (*s == '\0')
		abort();
	while (*s && *s != ' ') {
		if (*s == '\'') {
			const char *q = strchr(s + 1, '\'');

			if (q == NULL)
				abort();	/* unterminated quote */
			if (buf_append(w, s + 1, (size_t)(q - s - 1)) < 0)
				abort();
			s = q + 1;
		} else if (*s == '\\' && s[1] == '\'') {
			if (buf_putc(w, '\'') < 0)
				abort();
			s += 2;
		} else {
			abort();	/* a bare byte the shell would interpret */
		}
	}
	return s;
}

/* LLVMFuzzerTestOneInput - quote, read back, compare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv_store[MAX_ARGS + 1];
	const char *argv[MAX_ARGS + 1], *s;
	struct buf out = BUF_INIT;
	struct err e;
	size_t n = 0, i;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* words: NUL-separated pieces of the input */
	for (char *p = copy; n < MAX_ARGS;) {
		argv_store[n] = p;
		argv[n++] = p;
		p += strlen(p);
		if (p >= copy + size)
			break;
		p++;
	}
	argv[n] = NULL;
	if (shquote_argv(&out, argv, &e) < 0) {
		if (e.code != ERR_LIMIT)
			abort();
		goto done;
	}
	if (buf_putc(&out, '\0') < 0)	/* a C string for the reader */
		abort();
	s = out.data;
	for (i = 0; i < n; i++) {
		struct buf w = BUF_INIT;

		s = unquote_next(s, &w);
		if (w.len != strlen(argv[i]) || (w.len && memcmp(w.data, argv[i], w.len) != 0))
			abort();
		buf_free(&w);
	}
	if (*s != '\0')
		abort();
	/* a lone argument quotes the same way on its own */
	{
		struct buf one = BUF_INIT;

		if (shquote_arg(&one, argv_store[0], &e) < 0 || one.len > out.len - 1 ||
		    memcmp(one.data, out.data, one.len) != 0)
			abort();
		buf_free(&one);
	}
done:
	buf_free(&out);
	free(copy);
	return 0;
}
