/*
 * smtp_reply - SMTP reply parser. See smtp_reply.h.
 */
#include "config.h"
#include "smtp_reply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void smtp_reply_free(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* digits - n decimal digits at s, as a number, or -1. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int smtp_reply_enhanced(int code, const char *text, char *out, size_t outlen)
{
	const char *p = text;
	size_t n;

	if (p[0] != '0' + code / 100 || (p[0] != '2' && p[0] != '4' && p[0] != '5') ||
	    p[1] != '.')
		return 0;
	p += 2;
	for (int part = 0; part < 2; part++) {
		n = strspn(p, "0123456789");
		if (n < 1 || n > 3 || (part == 0 && p[n] != '.'))
			return 0;
		p += n + (part == 0);
	}
	if (*p != '\0' && *p != ' ' && *p != '\t')
		return 0;
	n = (size_t)(p - text);
	if (n >= outlen)
		return 0;
	memcpy(out, text, n);
	out[n] = '\0';
	return 1;
}

/* add_line - append a copy of text[0..len) to r. */
static int add_line(struct smtp_reply *r, const char *text, size_t len, struct err *e)
{
	char **nl = realloc(r->lines, (r->nlines + 1) * sizeof(*nl));

	if (nl == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	r->lines = nl;
	if ((nl[r->nlines] = malloc(len + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	memcpy(nl[r->nlines], text, len);
	nl[r->nlines][len] = '\0';
	r->nlines++;
	return 0;
}

int smtp_reply_parse(const char *data, size_t len, struct smtp_reply *r, size_t *used,
		     struct err *e)
{
	size_t off = 0;
	int lineno = 0;

	memset(r, 0, sizeof(*r));
	*used = 0;
	for (;;) {
		const char *line = data + off, *nl;
		size_t avail = len - off, linelen, textlen;
		int code;

		lineno++;
		nl = memchr(line, '\n', avail > SMTP_LINE_MAX ? SMTP_LINE_MAX : avail);
		if (nl == NULL) {
			if (avail >= SMTP_LINE_MAX) {
				smtp_reply_free(r);
				return err_set(e, ERR_LIMIT, "reply line %d longer than %d bytes",
					       lineno, SMTP_LINE_MAX);
			}
			if (off + avail >= SMTP_REPLY_MAX) {
				smtp_reply_free(r);
				return err_set(e, ERR_LIMIT, "reply longer than %d bytes",
					       SMTP_REPLY_MAX);
			}
			/* What is there so far must already look like a reply line. */
			if ((avail >= 3 && digits(line, 3) < 0) ||
			    (avail >= 4 && line[3] != '-' && line[3] != ' ' && line[3] != '\r')) {
				smtp_reply_free(r);
				return err_set(e, ERR_PARSE, "malformed reply line %d", lineno);
			}
			smtp_reply_free(r);
			return 0;
		}
		linelen = (size_t)(nl - line) + 1;
		if (off + linelen > SMTP_REPLY_MAX) {
			smtp_reply_free(r);
			return err_set(e, ERR_LIMIT, "reply longer than %d bytes", SMTP_REPLY_MAX);
		}
		textlen = linelen - 1;
		if (textlen > 0 && line[textlen - 1] == '\r')
			textlen--;
		code = textlen >= 3 ? digits(line, 3) : -1;
		if (code < 200 || code > 599 || (textlen > 3 && line[3] != '-' && line[3] != ' ')) {
			smtp_reply_free(r);
			return err_set(e, ERR_PARSE, "malformed reply line %d: expected a 3-digit "
				       "code 2xx-5xx followed by '-' or ' '", lineno);
		}
		if (memchr(line, '\0', textlen) != NULL) {
			smtp_reply_free(r);
			return err_set(e, ERR_PARSE, "malformed reply line %d: NUL byte", lineno);
		}
		if (r->nlines > 0 && code != r->code) {
			int first = r->code;

			smtp_reply_free(r);
			return err_set(e, ERR_PARSE, "malformed reply: line %d has code %d, "
				       "line 1 has %d", lineno, code, first);
		}
		r->code = code;
		if (add_line(r, textlen > 4 ? line + 4 : "", textlen > 4 ? textlen - 4 : 0, e) < 0) {
			smtp_reply_free(r);
			return -1;
		}
		off += linelen;
		if (textlen <= 3 || line[3] == ' ')
			break;
	}
	smtp_reply_enhanced(r->code, r->lines[0], r->enhanced, sizeof(r->enhanced));
	*used = off;
	return 1;
}

void smtp_reply_line(const struct smtp_reply *r, size_t i, char *out, size_t outlen)
{
	if (i >= r->nlines)
		snprintf(out, outlen, "%d", r->code);
	else
		snprintf(out, outlen, "%d %s", r->code, r->lines[i]);
}
