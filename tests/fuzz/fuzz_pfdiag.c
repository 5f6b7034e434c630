/*
 * fuzz_pfdiag - libFuzzer target for reading what Postfix's tools print
 * (core/pfdiag.c): their warnings before and after a change, and the
 * reason a command failed.
 *
 * The first byte picks where the rest is cut into the output before and
 * after a change. A text compared with itself has no fresh line; every
 * normalized line (fresh or kept) is free of control characters and ends
 * in a newline; the counts match the lines; pfdiag_same is reflexive;
 * the reason is NUL-terminated within its buffer, and empty only for a
 * text without a line. Any violation aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pfdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_lines - n lines, each ending in a newline, no control character. */
static void check_lines(const struct buf *b, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == '\n')
			lines++;
		else if (c < 0x20 || c == 0x7f)
			abort();
	}
	if (lines != n || (b->len && b->data[b->len - 1] != '\n'))
		abort();
}

/* LLVMFuzzerTestOneInput - compare, normalize, pick a reason. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfdiag_cmp c;
	struct buf norm = BUF_INIT;
	const char *before, *after;
	size_t blen, alen;
	char reason[64];
	int r;

	if (size == 0)
		return 0;
	blen = (size - 1) * data[0] / 255;
	before = (const char *)data + 1;
	after = before + blen;
	alen = size - 1 - blen;

	pfdiag_cmp_init(&c);
	if (pfdiag_compare(before, blen, after, alen, &c) < 0)
		abort();
	check_lines(&c.fresh, c.nfresh);
	check_lines(&c.kept, c.nkept);
	pfdiag_cmp_free(&c);

	pfdiag_cmp_init(&c);
	if (pfdiag_compare(after, alen, after, alen, &c) < 0 || c.nfresh != 0)
		abort();
	pfdiag_cmp_free(&c);

	if (pfdiag_normalize(after, alen, &norm) < 0 || buf_putc(&norm, '\0') < 0)
		abort();
	if (pfdiag_same(norm.data, norm.data) != 1)
		abort();
	buf_free(&norm);

	memset(reason, 'x', sizeof(reason));
	r = pfdiag_reason(before, blen, reason, sizeof(reason));
	if (memchr(reason, '\0', sizeof(reason)) == NULL || (r != 0 && r != 1) ||
	    (r == 1 && reason[0] == '\0'))
		abort();
	return 0;
}
