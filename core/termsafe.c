/*
 * termsafe - terminal-safe text. See termsafe.h for the rule.
 */
#include "config.h"
#include "termsafe.h"

#include <stdlib.h>
#include <string.h>

/* termsafe_utf8_decode - Unicode's table of well-formed byte sequences
 * (Table 3-7): no overlong forms, no surrogates, nothing past U+10FFFF. */
int termsafe_utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;
	unsigned c;
	int n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0;	/* below: overlong */
		else if (p[0] == 0xED)
			hi = 0x9F;	/* above: surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90;	/* below: overlong */
		else if (p[0] == 0xF4)
			hi = 0x8F;	/* above: past U+10FFFF */
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return -1;
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
		c = (c << 6) | (p[i] & 0x3F);
	}
	*cp = c;
	return n;
}

/* termsafe_cp_unsafe - controls, and what breaks or reorders a line. */
int termsafe_cp_unsafe(unsigned cp, unsigned flags)
{
	if (cp == '\n')
		return !(flags & TERMSAFE_KEEP_LF);
	if (cp == '\t')
		return !(flags & TERMSAFE_KEEP_TAB);
	if (cp >= 0x80 && (flags & TERMSAFE_ASCII))
		return 1;
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* hex_escape - "\\x" or "\\u" and v in ndigits lower-case hex digits at
 * out; returns the end. By hand: this runs once per escaped byte of a
 * large output, where snprintf costs four times as much. */
static char *hex_escape(char *out, char kind, unsigned v, int ndigits)
{
	static const char hex[] = "0123456789abcdef";

	*out++ = '\\';
	*out++ = kind;
	for (int i = ndigits - 1; i >= 0; i--)
		*out++ = hex[(v >> (4 * i)) & 0xF];
	return out;
}

/* escape_text - the visible escape of the malformed byte v (byte set) or
 * of code point v, NUL-terminated in out; its length. Past U+FFFF it is
 * the UTF-16 pair, as JSON writes it, so that JSON output escaped under
 * TERMSAFE_ASCII is still JSON. */
static size_t escape_text(char out[TERMSAFE_UNIT_MAX], unsigned v, int byte)
{
	char *e;

	if (byte || v < 0x80) {
		e = hex_escape(out, 'x', v, 2);
	} else if (v <= 0xFFFF) {
		e = hex_escape(out, 'u', v, 4);
	} else {
		e = hex_escape(out, 'u', 0xD800 + ((v - 0x10000) >> 10), 4);
		e = hex_escape(e, 'u', 0xDC00 + ((v - 0x10000) & 0x3FF), 4);
	}
	*e = '\0';
	return (size_t)(e - out);
}

/* termsafe_next - one character kept, or one escape. */
size_t termsafe_next(const char *s, size_t len, unsigned flags, char out[TERMSAFE_UNIT_MAX],
		     int *escaped)
{
	unsigned cp;
	int n = termsafe_utf8_decode(s, len, &cp);

	if (n <= 0) {
		escape_text(out, (unsigned char)s[0], 1);
		*escaped = 1;
		return 1;
	}
	if (termsafe_cp_unsafe(cp, flags)) {
		escape_text(out, cp, 0);
		*escaped = 1;
		return (size_t)n;
	}
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	*escaped = 0;
	return (size_t)n;
}

/* escape_run - units of s[0..len) into out; without final, stop before a
 * tail that could still become a character. Returns the bytes used, or
 * (size_t)-1 when out cannot grow. */
static size_t escape_run(struct buf *out, const char *s, size_t len, unsigned flags, int final)
{
	size_t off = 0, run = 0;

	while (off < len) {
		char unit[TERMSAFE_UNIT_MAX];
		unsigned cp;
		int n;
		size_t ulen;

		/* Printable ASCII, most of any output, without decoding. */
		if ((unsigned char)s[off] >= 0x20 && (unsigned char)s[off] < 0x7F) {
			off++;
			run++;
			continue;
		}
		n = termsafe_utf8_decode(s + off, len - off, &cp);
		if (n == -1 && !final)
			break;
		/* Plain printable text is copied in runs, not unit by unit. */
		if (n > 0 && !termsafe_cp_unsafe(cp, flags)) {
			off += (size_t)n;
			run += (size_t)n;
			continue;
		}
		if (run && buf_append(out, s + off - run, run) < 0)
			return (size_t)-1;
		run = 0;
		if (n > 0)
			ulen = escape_text(unit, cp, 0);
		else	/* one malformed byte */
			ulen = escape_text(unit, (unsigned char)s[off], 1);
		if (buf_append(out, unit, ulen) < 0)
			return (size_t)-1;
		off += n > 0 ? (size_t)n : 1;
	}
	if (run && buf_append(out, s + off - run, run) < 0)
		return (size_t)-1;
	return off;
}

int termsafe_append(struct buf *out, const char *s, size_t len, unsigned flags)
{
	if (s == NULL || len == 0)
		return out->data == NULL ? buf_puts(out, "") : 0;
	return escape_run(out, s, len, flags, 1) == (size_t)-1 ? -1 : 0;
}

char *termsafe_dup(const char *s, unsigned flags)
{
	struct buf b = BUF_INIT;

	if (s == NULL)
		return NULL;
	if (termsafe_append(&b, s, strlen(s), flags) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

void termsafe_stream_init(struct termsafe_stream *st, unsigned flags)
{
	memset(st, 0, sizeof(*st));
	st->flags = flags;
}

int termsafe_stream_feed(struct termsafe_stream *st, const char *s, size_t len, struct buf *out)
{
	size_t used;

	/* Finish the carried tail first: at most 3 bytes plus what completes it. */
	while (st->ncarry > 0 && len > 0) {
		char tmp[8];
		size_t take = len < sizeof(tmp) - st->ncarry ? len : sizeof(tmp) - st->ncarry;

		memcpy(tmp, st->carry, st->ncarry);
		memcpy(tmp + st->ncarry, s, take);
		used = escape_run(out, tmp, st->ncarry + take, st->flags, 0);
		if (used == (size_t)-1)
			return -1;
		if (used < st->ncarry) {
			/* Still unfinished (then all of s was taken, and the
			 * whole tail is shorter than a character). */
			st->ncarry += take - used;
			memmove(st->carry, tmp + used, st->ncarry);
			return 0;
		}
		s += used - st->ncarry;
		len -= used - st->ncarry;
		st->ncarry = 0;
	}
	if (len == 0)
		return 0;	/* the carry, if any, waits */
	used = escape_run(out, s, len, st->flags, 0);
	if (used == (size_t)-1)
		return -1;
	memcpy(st->carry, s + used, len - used);	/* < 4 bytes: a cut-short sequence */
	st->ncarry = len - used;
	return 0;
}

int termsafe_stream_end(struct termsafe_stream *st, struct buf *out)
{
	size_t n = st->ncarry;

	st->ncarry = 0;
	return n ? termsafe_append(out, st->carry, n, st->flags) : 0;
}
