/*
 * fuzz_termsafe - libFuzzer target for the terminal escaping of outside
 * text (core/termsafe.c).
 *
 * The first byte picks the flags and where the rest is cut for the
 * stream form. Whatever the input, the output must hold no byte a
 * terminal acts on: no C0 control (LF and TAB only when the flags keep
 * them), no DEL, no C1 control as UTF-8, no byte that is not part of
 * well-formed UTF-8 (none above 0x7f at all with TERMSAFE_ASCII); the
 * stream cut in two pieces must give the same bytes as the whole string,
 * and termsafe_next walked over the input must too. Any violation
 * aborts. Build with tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_safe - abort when out holds a byte or character a terminal acts on. */
static void check_safe(const struct buf *out, unsigned flags)
{
	size_t i = 0;

	while (i < out->len) {
		unsigned char c = (unsigned char)out->data[i];
		unsigned cp;
		int k;

		if (c < 0x80) {
			if ((c < 0x20 && !(c == '\n' && (flags & TERMSAFE_KEEP_LF)) &&
			     !(c == '\t' && (flags & TERMSAFE_KEEP_TAB))) || c == 0x7f)
				abort();
			i++;
			continue;
		}
		if (flags & TERMSAFE_ASCII)
			abort();
		k = termsafe_utf8_decode(out->data + i, out->len - i, &cp);
		if (k <= 0 || (cp >= 0x80 && cp <= 0x9f) || termsafe_cp_unsafe(cp, flags))
			abort();
		i += (size_t)k;
	}
}

/* LLVMFuzzerTestOneInput - escape three ways, check, compare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = BUF_INIT, stream = BUF_INIT, units = BUF_INIT;
	struct termsafe_stream st;
	const char *s;
	unsigned flags;
	size_t cut, n, off;

	if (size == 0)
		return 0;
	flags = data[0] & (TERMSAFE_KEEP_LF | TERMSAFE_KEEP_TAB | TERMSAFE_ASCII);
	s = (const char *)data + 1;
	n = size - 1;
	cut = n ? (size_t)(data[0] >> 3) * n / 31 : 0;
	if (cut > n)
		cut = n;

	if (termsafe_append(&whole, s, n, flags) < 0)
		abort();
	check_safe(&whole, flags);

	termsafe_stream_init(&st, flags);
	if (termsafe_stream_feed(&st, s, cut, &stream) < 0 ||
	    termsafe_stream_feed(&st, s + cut, n - cut, &stream) < 0 ||
	    termsafe_stream_end(&st, &stream) < 0)
		abort();
	if (stream.len != whole.len || (whole.len && memcmp(stream.data, whole.data, whole.len)))
		abort();

	for (off = 0; off < n;) {
		char unit[TERMSAFE_UNIT_MAX];
		int escaped;
		size_t k = termsafe_next(s + off, n - off, flags, unit, &escaped);

		if (k == 0 || k > n - off || strlen(unit) >= TERMSAFE_UNIT_MAX)
			abort();
		if (buf_puts(&units, unit) < 0)
			abort();
		off += k;
	}
	if (units.len != whole.len || (whole.len && memcmp(units.data, whole.data, whole.len)))
		abort();

	/* the C-string form stops at the first NUL and agrees with the rest */
	{
		char *z = malloc(n + 1), *dup;
		struct buf pre = BUF_INIT;

		if (z == NULL)
			abort();
		memcpy(z, s, n);
		z[n] = '\0';
		dup = termsafe_dup(z, flags);
		if (dup == NULL || termsafe_append(&pre, z, strlen(z), flags) < 0 ||
		    strlen(dup) != pre.len || memcmp(dup, pre.data ? pre.data : "", pre.len))
			abort();
		free(dup);
		free(z);
		buf_free(&pre);
	}
	buf_free(&whole);
	buf_free(&stream);
	buf_free(&units);
	return 0;
}
