/*
 * smtp_reply - parse SMTP server replies (RFC 5321 4.2, RFC 3463).
 *
 * A reply is one or more lines "DDD-text" ending with "DDD text" (or a
 * bare "DDD"); every line must carry the same code. Lines end in CRLF
 * (a bare LF is accepted, as Postfix does). A line longer than
 * SMTP_LINE_MAX or a reply longer than SMTP_REPLY_MAX is refused, so a
 * hostile server cannot make us buffer without limit.
 *
 * smtp_reply_parse works on bytes already received: it says whether they
 * hold a complete reply, need more, or are malformed. No I/O.
 *
 * Ownership: smtp_reply_free releases the lines (safe on a zeroed reply).
 * Errors: -1 with ERR_PARSE (malformed) or ERR_LIMIT (too long).
 */
#ifndef RELAYDECK_SMTP_REPLY_H
#define RELAYDECK_SMTP_REPLY_H

#include <stddef.h>

#include "err.h"

#define SMTP_LINE_MAX 4096		/* bytes in one reply line, CRLF included */
#define SMTP_REPLY_MAX (64 * 1024)	/* bytes in one whole reply */

struct smtp_reply {
	int code;		/* 220, 250, 535, ... */
	char enhanced[16];	/* "5.7.8" from the first line, or "" */
	char **lines;		/* text after "DDD-"/"DDD ", without CRLF */
	size_t nlines;
};

/* smtp_reply_parse - 1: data[0..*used) is a complete reply, now in r;
 * 0: the bytes so far are a valid beginning, read more; -1: malformed or
 * too long. r is reset first. */
int smtp_reply_parse(const char *data, size_t len, struct smtp_reply *r, size_t *used,
		     struct err *e);
void smtp_reply_free(struct smtp_reply *r);

/* smtp_reply_enhanced - the RFC 3463 code at the start of text whose class
 * agrees with code ("5.7.8 ..." for 535), copied into out; 0 if none. */
int smtp_reply_enhanced(int code, const char *text, char *out, size_t outlen);

/* smtp_reply_text - "code text" of line i ("535 5.7.8 Bad credentials"). */
void smtp_reply_line(const struct smtp_reply *r, size_t i, char *out, size_t outlen);

#endif
