/*
 * termsafe - text from outside (SMTP replies, certificates, files, a
 * remote host) made safe to show on a terminal: every byte or character
 * a terminal could act on becomes a visible escape, everything else
 * stays as it is.
 *
 * The rule, shared by the command line (every byte it prints passes
 * through it) and the console's drawing (tui/console/ui.c):
 *   - printable ASCII and valid, printable UTF-8 are kept;
 *   - C0 controls (U+0000-U+001F) and DEL become "\x1b", "\x7f"; LF and
 *     TAB are kept only when the caller's flags say so (line-oriented
 *     output);
 *   - C1 controls written as UTF-8 (U+0080-U+009F) and the characters
 *     that break or reorder a line (U+2028, U+2029, the bidi embeddings,
 *     overrides and isolates U+202A-U+202E, U+2066-U+2069) become
 *     "\u009b";
 *   - bytes that are not well-formed UTF-8 (raw 0x80-0xff, overlong
 *     forms, surrogates, a sequence cut short) become "\x9b", one escape
 *     per byte.
 *   - with TERMSAFE_ASCII (for a terminal that does not decode UTF-8),
 *     every other non-ASCII character too, as "\u00e9".
 * A backslash is kept as it is, so regular expressions in maps read as
 * written; the output never contains a byte a terminal interprets.
 *
 * API: termsafe_next (one unit: the console draws unit by unit),
 * termsafe_append / termsafe_dup (whole strings), termsafe_stream_*
 * (a byte stream cut at arbitrary points: stdio), termsafe_utf8_decode
 * (the one UTF-8 decoder, also used by json.c).
 * Ownership: termsafe_dup's result is the caller's (free). Nothing else
 * allocates except into the caller's buf.
 * Errors: -1 only when out cannot grow (its cap or memory).
 */
#ifndef RELAYDECK_TERMSAFE_H
#define RELAYDECK_TERMSAFE_H

#include <stddef.h>

#include "buf.h"

#define TERMSAFE_KEEP_LF 0x1	/* LF passes (text printed line by line) */
#define TERMSAFE_KEEP_TAB 0x2	/* TAB passes */
/* The terminal does not decode UTF-8 (a locale whose codeset is not
 * UTF-8): every byte of a UTF-8 character may be a C1 control to it (0xc4
 * 0x9b, "\u011b", ends in CSI), so every non-ASCII character becomes
 * "\u011b" (past U+FFFF the UTF-16 pair "\ud83d\udce7", as in JSON, so
 * escaped JSON stays JSON and decodes to the same text). */
#define TERMSAFE_ASCII 0x4

/* Longest text of one unit: "\ud83d\udce7", plus NUL. */
#define TERMSAFE_UNIT_MAX 16

/* termsafe_utf8_decode - the well-formed UTF-8 sequence at s[0..len)
 * (len > 0): its length 1-4 with *cp set; 0 when the bytes are not one;
 * -1 when s ends inside what could still become one. */
int termsafe_utf8_decode(const char *s, size_t len, unsigned *cp);

/* termsafe_cp_unsafe - 1 when code point cp must be escaped under flags. */
int termsafe_cp_unsafe(unsigned cp, unsigned flags);

/* termsafe_next - the first unit of s[0..len) (len > 0): the bytes it
 * covers are returned; out gets what to show (NUL-terminated): the
 * character itself, or its escape, and *escaped says which. */
size_t termsafe_next(const char *s, size_t len, unsigned flags, char out[TERMSAFE_UNIT_MAX],
		     int *escaped);

/* termsafe_append - s[0..len) made safe, appended to out. NULL s
 * appends nothing. */
int termsafe_append(struct buf *out, const char *s, size_t len, unsigned flags);

/* termsafe_dup - a malloc'd safe copy of the C string s; NULL for NULL
 * (or when out of memory). */
char *termsafe_dup(const char *s, unsigned flags);

/* A byte stream cut at arbitrary points (stdio hands over buffers that
 * may end inside a UTF-8 character): the unfinished tail waits for the
 * next piece. */
struct termsafe_stream {
	unsigned flags;
	char carry[4];
	size_t ncarry;
};

void termsafe_stream_init(struct termsafe_stream *st, unsigned flags);
/* termsafe_stream_feed - s[0..len) made safe into out, except a tail
 * that may still become a character (kept in st). */
int termsafe_stream_feed(struct termsafe_stream *st, const char *s, size_t len, struct buf *out);
/* termsafe_stream_end - what is left (an unfinished tail: escaped). */
int termsafe_stream_end(struct termsafe_stream *st, struct buf *out);

#endif
