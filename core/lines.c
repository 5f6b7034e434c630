/*
 * lines - growable list of text lines with a kind. See lines.h.
 */
#include "config.h"
#include "lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* push - append one line of n bytes of s (copied). */
static int push(struct lines *l, int kind, int pick, int tag, const char *s, size_t n)
{
	char *t;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 32;
		struct line *nv = realloc(l->v, na * sizeof(*nv));

		if (nv == NULL)
			goto nomem;
		l->v = nv;
		l->alloc = na;
	}
	if ((t = strndup(s, n)) == NULL)
		goto nomem;
	l->v[l->n++] = (struct line){ t, kind, tag, pick };
	return 0;
nomem:
	l->nomem = 1;
	return -1;
}

/* split - one line per '\n'-separated piece of s (an empty s is one empty line). */
static int split(struct lines *l, int kind, int pick, int tag, const char *prefix,
		 const char *s)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	int rc = 0;

	for (;;) {
		size_t n = strcspn(s, "\n");

		if (plen) {
			char *joined = malloc(plen + n + 1);

			if (joined == NULL) {
				l->nomem = 1;
				return -1;
			}
			memcpy(joined, prefix, plen);
			memcpy(joined + plen, s, n);
			rc |= push(l, kind, pick, tag, joined, plen + n);
			free(joined);
		} else {
			rc |= push(l, kind, pick, tag, s, n);
		}
		if (s[n] != '\n')
			break;
		s += n + 1;
	}
	return rc;
}

int lines_vadd(struct lines *l, int kind, int pick, int tag, const char *fmt, va_list ap)
{
	char *t;
	int rc;

	if (vasprintf(&t, fmt, ap) < 0) {
		l->nomem = 1;
		return -1;
	}
	rc = split(l, kind, pick, tag, NULL, t);
	free(t);
	return rc;
}

int lines_add(struct lines *l, int kind, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lines_vadd(l, kind, 0, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int lines_add_pick(struct lines *l, int kind, int tag, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lines_vadd(l, kind, 1, tag, fmt, ap);
	va_end(ap);
	return rc;
}

/* lines_add_text - a trailing newline ends the last line, it adds none. */
int lines_add_text(struct lines *l, int kind, const char *prefix, const char *text)
{
	size_t n;
	char *t;
	int rc;

	if (text == NULL || *text == '\0')
		return 0;
	n = strlen(text);
	if (text[n - 1] != '\n')
		return split(l, kind, 0, 0, prefix, text);
	if ((t = strndup(text, n - 1)) == NULL) {
		l->nomem = 1;
		return -1;
	}
	rc = split(l, kind, 0, 0, prefix, t);
	free(t);
	return rc;
}

/* lines_clear - drop the texts, keep the array. */
void lines_clear(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	l->n = 0;
	l->nomem = 0;
}

void lines_free(struct lines *l)
{
	lines_clear(l);
	free(l->v);
	l->v = NULL;
	l->alloc = 0;
}
