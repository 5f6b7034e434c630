/*
 * pfdiag - Postfix's diagnostics normalized and compared. See pfdiag.h.
 *
 * The comparison used to look up every line of "after" by scanning all
 * of "before": on a 20,609-line main.cf with thousands of duplicate
 * entries (each one an "overriding earlier entry" warning, repeated by
 * postfix check) that was 10^10 byte comparisons and two minutes. Here
 * each line is normalized once and counted in an open-addressing table.
 */
#include "config.h"
#include "pfdiag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logscan.h"

/* put_visible - append n bytes with control characters as \xNN. */
static int put_visible(struct buf *out, const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		if (buf_append(out, p + start, i - start) < 0 || buf_printf(out, "\\x%02x", c) < 0)
			return -1;
		start = i + 1;
	}
	return buf_append(out, p + start, n - start);
}

/* pfdiag_normalize - "program: text" without stamp, host, pid or program path. */
int pfdiag_normalize(const char *line, size_t len, struct buf *out)
{
	struct logscan_line l;
	const char *start = line, *colon;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > 0 && logscan_parse_line(line, len, &l) == 0) {
		if (put_visible(out, l.program, strlen(l.program)) < 0 || buf_puts(out, ": ") < 0)
			return -1;
		if (l.queue_id[0] && buf_printf(out, "%s: ", l.queue_id) < 0)
			return -1;
		return put_visible(out, l.text, l.textlen);
	}
	/* "/usr/sbin/postconf: warning: ..." is what postconf says as "postconf: ..." */
	colon = memchr(line, ':', len);
	if (colon && len > 0 && line[0] == '/' && memchr(line, ' ', (size_t)(colon - line)) == NULL)
		for (const char *q = line; q < colon; q++)
			if (*q == '/')
				start = q + 1;
	return put_visible(out, start, len - (size_t)(start - line));
}

/* is_severity - the n bytes at s are a Postfix severity, not a program. */
static int is_severity(const char *s, size_t n)
{
	static const char *const words[] = { "warning", "fatal", "panic", "error", "info" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return 1;
	return 0;
}

/* make_key - what two messages must share to be one: the normalized line
 * without its program name, with the digits of ", line N" blanked and the
 * old value of "overriding earlier entry: NAME=VALUE" dropped. Every
 * Postfix program that reads main.cf reports its defects, and postfix
 * check's helpers (postfix, post-install, postsuper) read it a varying
 * number of times, one read sometimes after another ("line 19:
 * overriding earlier entry: relayhost=<the last value>"); postconf -n
 * reports each defect exactly once, before and after alike. */
static int make_key(const char *s, size_t n, struct buf *key)
{
	static const char tag[] = ", line ", over[] = "overriding earlier entry: ";
	const size_t tl = sizeof(tag) - 1;
	const char *o, *eq, *sp = memchr(s, ' ', n);
	size_t i = 0;

	/* "postfix/postfix-script: warning: x" -> "warning: x" */
	if (sp && sp > s + 1 && sp[-1] == ':' && memchr(s, ':', (size_t)(sp - s)) == sp - 1 &&
	    !is_severity(s, (size_t)(sp - 1 - s))) {
		n -= (size_t)(sp + 1 - s);
		s = sp + 1;
	}
	if ((o = memmem(s, n, over, sizeof(over) - 1)) != NULL &&
	    (eq = memchr(o, '=', n - (size_t)(o - s))) != NULL)
		n = (size_t)(eq - s) + 1;
	buf_reset(key);
	while (i < n) {
		const char *hit = memmem(s + i, n - i, tag, tl);
		size_t j;

		if (hit == NULL)
			return buf_append(key, s + i, n - i);
		j = (size_t)(hit - s) + tl;
		if (buf_append(key, s + i, j - i) < 0)
			return -1;
		if (j < n && s[j] >= '0' && s[j] <= '9') {
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (buf_putc(key, '#') < 0)
				return -1;
		}
		i = j;
	}
	return 0;
}

/* hash_key - FNV-1a. */
static uint64_t hash_key(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

struct slot {
	uint64_t h;
	size_t off, len;	/* the key in the arena; len 0 with off 0 = empty */
	size_t before, after;	/* occurrences */
	unsigned char used, fresh_out, kept_out;
};

struct table {
	struct slot *v;
	size_t mask;
	struct buf arena;
	size_t *probes;
};

/* lookup - the slot of key, created (counts 0) when absent; NULL when out of memory. */
static struct slot *lookup(struct table *t, const struct buf *key)
{
	uint64_t h = hash_key(key->data ? key->data : "", key->len);
	size_t i = (size_t)h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct slot *s = &t->v[i];

		(*t->probes)++;
		if (!s->used) {
			s->used = 1;
			s->h = h;
			s->off = t->arena.len;
			s->len = key->len;
			if (key->len && buf_append(&t->arena, key->data, key->len) < 0)
				return NULL;
			return s;
		}
		if (s->h == h && s->len == key->len &&
		    (key->len == 0 || memcmp(t->arena.data + s->off, key->data, key->len) == 0))
			return s;
	}
}

/* count_lines - an upper bound on the lines of text. */
static size_t count_lines(const char *p, size_t n)
{
	size_t c = 1;
	const char *end = p + n;

	while (p && p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

void pfdiag_cmp_init(struct pfdiag_cmp *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->fresh, 0);
	buf_init(&c->kept, 0);
}

void pfdiag_cmp_free(struct pfdiag_cmp *c)
{
	if (c == NULL)
		return;
	buf_free(&c->fresh);
	buf_free(&c->kept);
}

/* each_line - count every normalized line of before (after 0), or match
 * the lines of after against those counts (after 1). */
static int each_line(const char *text, size_t len, struct table *t, struct buf *norm,
		     struct buf *key, int after, struct pfdiag_cmp *c)
{
	const char *p = text, *end = text + len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct slot *s;

		buf_reset(norm);
		if (pfdiag_normalize(p, l, norm) < 0 || make_key(norm->data, norm->len, key) < 0)
			return -1;
		p = nl ? nl + 1 : end;
		if (norm->len == 0)
			continue;
		if ((s = lookup(t, key)) == NULL)
			return -1;
		if (!after) {
			s->before++;
			continue;
		}
		s->after++;
		if (s->before == 0) {
			if (s->fresh_out)
				continue;
			s->fresh_out = 1;
			if (buf_append(&c->fresh, norm->data, norm->len) < 0 ||
			    buf_putc(&c->fresh, '\n') < 0)
				return -1;
			c->nfresh++;
		} else if (!s->kept_out) {
			s->kept_out = 1;
			if (buf_append(&c->kept, norm->data, norm->len) < 0 ||
			    buf_putc(&c->kept, '\n') < 0)
				return -1;
			c->nkept++;
		}
	}
	return 0;
}

/* pfdiag_compare - see pfdiag.h. */
int pfdiag_compare(const char *before, size_t blen, const char *after, size_t alen,
		   struct pfdiag_cmp *c)
{
	struct table t;
	struct buf norm = BUF_INIT, key = BUF_INIT;
	size_t lines = count_lines(before, blen) + count_lines(after, alen), size = 64;
	int r = -1;

	while (size < lines * 2)
		size *= 2;
	memset(&t, 0, sizeof(t));
	buf_init(&t.arena, 0);
	t.probes = &c->probes;
	t.mask = size - 1;
	if ((t.v = calloc(size, sizeof(*t.v))) == NULL)
		return -1;
	if (each_line(before, blen, &t, &norm, &key, 0, c) == 0 &&
	    each_line(after, alen, &t, &norm, &key, 1, c) == 0)
		r = 0;
	free(t.v);
	buf_free(&t.arena);
	buf_free(&norm);
	buf_free(&key);
	return r;
}

/* pfdiag_same - equal keys. */
int pfdiag_same(const char *a, const char *b)
{
	struct buf ka = BUF_INIT, kb = BUF_INIT;
	int same = make_key(a, strlen(a), &ka) == 0 && make_key(b, strlen(b), &kb) == 0 &&
		   ka.len == kb.len && (ka.len == 0 || memcmp(ka.data, kb.data, ka.len) == 0);

	buf_free(&ka);
	buf_free(&kb);
	return same;
}

/* severity - where "fatal: " (etc.) starts in a normalized line, or NULL. */
static const char *severity(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	if (strncmp(s, word, n) == 0 && s[n] == ':' && s[n + 1] == ' ')
		return s;
	for (p = strstr(s, word); p; p = strstr(p + 1, word))
		if (p >= s + 2 && p[-2] == ':' && p[-1] == ' ' && p[n] == ':' && p[n + 1] == ' ')
			return p;
	return NULL;
}

/* pfdiag_reason - see pfdiag.h. */
int pfdiag_reason(const char *text, size_t len, char *dst, size_t n)
{
	static const char *const order[] = { "fatal", "panic", "error" };
	struct buf norm = BUF_INIT, last = BUF_INIT;
	const char *best = NULL;
	int rank = 3;

	if (n == 0)
		return 0;
	dst[0] = '\0';
	for (const char *p = text, *end = text + len; p && p < end;) {
		const char *line = p, *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		buf_reset(&norm);
		p = nl ? nl + 1 : end;
		if (pfdiag_normalize(line, l, &norm) < 0 || norm.len == 0)
			continue;
		buf_set(&last, norm.data, norm.len);
		/* rank: 3 nothing yet, 2 an error, 0 a fatal or panic (final) */
		for (int k = 0; k < rank && k < 3; k++) {
			const char *s = severity(norm.data, order[k]);

			if (s) {
				snprintf(dst, n, "%s", s);
				best = dst;
				rank = k < 2 ? 0 : 2;
				break;
			}
		}
	}
	if (best == NULL && last.len)
		snprintf(dst, n, "%s", last.data);
	/* "setgid_group = " ends in the blank before an empty value */
	for (size_t k = strlen(dst); k > 0 && dst[k - 1] == ' '; k--)
		dst[k - 1] = '\0';
	buf_free(&norm);
	buf_free(&last);
	return best != NULL;
}
