/*
 * fuzz_diff - libFuzzer target for the unified diff (core/diff.c).
 *
 * The first byte picks the context (-1 for the default, 0 to 3) and the
 * second where the rest is cut into the old and the new text. The diff,
 * applied to the old text as patch(1) would (context and removed lines
 * checked against it), must give back the new text byte for byte; equal
 * texts give no diff. The masked diff must have the same lines with the
 * same prefixes, and a line that carries the secret marker byte 0x01
 * after a blank must never show it. Any violation aborts. Build with
 * tests/fuzz/build.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

/* split - text into lines, each with its newline when it has one. */
static void split(const char *s, size_t n, struct lines *l)
{
	size_t cap = 1;

	for (size_t i = 0; i < n; i++)
		cap += s[i] == '\n';
	l->p = malloc(cap * sizeof(*l->p));
	l->len = malloc(cap * sizeof(*l->len));
	l->n = 0;
	if (l->p == NULL || l->len == NULL)
		abort();
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;

		l->p[l->n] = s;
		l->len[l->n++] = k;
		s += k;
		n -= k;
	}
}

static void lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

/* number - a decimal number at *s, advanced past it. */
static size_t number(const char **s)
{
	size_t v = 0;

	if (**s < '0' || **s > '9')
		abort();
	while (**s >= '0' && **s <= '9')
		v = v * 10 + (size_t)(*(*s)++ - '0');
	return v;
}

/* range - "START[,COUNT]" as the index of its first line and its count. */
static void range(const char **s, size_t *start, size_t *count)
{
	*start = number(s);
	*count = 1;
	if (**s == ',') {
		(*s)++;
		*count = number(s);
	}
	if (*count > 0) {
		if (*start == 0)
			abort();
		(*start)--;
	}
}

/* apply - the unified diff d onto a; the result into out. */
static void apply(const struct lines *a, const struct lines *d, struct buf *out)
{
	size_t ai = 0, di = 2;

	if (d->n < 3 || strncmp(d->p[0], "--- ", 4) != 0 || strncmp(d->p[1], "+++ ", 4) != 0)
		abort();
	while (di < d->n) {
		const char *h = d->p[di++];
		size_t as, ac, bs, bc, seen_a = 0, seen_b = 0;

		if (strncmp(h, "@@ -", 4) != 0)
			abort();
		h += 4;
		range(&h, &as, &ac);
		if (strncmp(h, " +", 2) != 0)
			abort();
		h += 2;
		range(&h, &bs, &bc);
		if (strncmp(h, " @@\n", 4) != 0 || as < ai || as > a->n)
			abort();
		while (ai < as) {
			if (buf_append(out, a->p[ai], a->len[ai]) < 0)
				abort();
			ai++;
		}
		while (di < d->n && d->p[di][0] != '@') {
			const char *l = d->p[di];
			size_t len = d->len[di] - 1;	/* without the prefix */

			di++;
			if (l[0] == '\\')
				abort();	/* a marker must follow a line */
			if (di < d->n && d->p[di][0] == '\\') {
				if (strncmp(d->p[di], "\\ No newline at end of file\n", 28) != 0)
					abort();
				di++;
				len--;		/* the line had no newline */
			}
			if (l[0] == ' ' || l[0] == '-') {
				if (ai >= a->n || a->len[ai] != len || memcmp(a->p[ai], l + 1, len) != 0)
					abort();
				ai++;
				seen_a++;
			}
			if (l[0] == ' ' || l[0] == '+') {
				if (buf_append(out, l + 1, len) < 0)
					abort();
				seen_b++;
			}
			if (l[0] != ' ' && l[0] != '-' && l[0] != '+')
				abort();
		}
		if (seen_a != ac || seen_b != bc)
			abort();
	}
	while (ai < a->n) {
		if (buf_append(out, a->p[ai], a->len[ai]) < 0)
			abort();
		ai++;
	}
}

/* LLVMFuzzerTestOneInput - diff, patch, compare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf d = BUF_INIT, m = BUF_INIT, got = BUF_INIT;
	struct lines la, ld, lm;
	const char *a, *b;
	size_t alen, blen;
	struct err e;
	int context;

	if (size < 2)
		return 0;
	context = data[0] % 5 - 1;
	alen = (size - 2) * data[1] / 255;
	a = (const char *)data + 2;
	b = a + alen;
	blen = size - 2 - alen;
	if (diff_unified(a, alen, b, blen, "a", "b", context, &d, &e) < 0 ||
	    diff_unified_masked(a, alen, b, blen, "a", "b", context, &m, &e) < 0)
		abort();
	if (d.len == 0) {
		if (alen != blen || memcmp(a, b, alen) != 0 || m.len != 0)
			abort();
		goto done;
	}
	split(a, alen, &la);
	split(d.data, d.len, &ld);
	apply(&la, &ld, &got);
	if (got.len != blen || (blen && memcmp(got.data, b, blen) != 0))
		abort();

	/* masked: the same lines, the same first bytes */
	split(m.data, m.len, &lm);
	if (lm.n != ld.n)
		abort();
	for (size_t i = 2; i < lm.n; i++)
		if (lm.p[i][0] != ld.p[i][0])
			abort();
	/* 0x01 after a blank is always value: masked away (a comment line is
	 * shown as it is, so lines whose first non-blank is '#' are exempt) */
	for (size_t i = 2; i < lm.n; i++) {
		const char *s = lm.p[i] + 1, *end = lm.p[i] + lm.len[i];
		const char *first = s;

		if (lm.p[i][0] == '@' || lm.p[i][0] == '\\')
			continue;
		while (first < end && (*first == ' ' || *first == '\t'))
			first++;
		if (first < end && *first == '#')
			continue;
		for (const char *q = first; q < end; q++)
			if ((*q == ' ' || *q == '\t') && memchr(q, 0x01, (size_t)(end - q)))
				abort();
	}
	lines_free(&lm);
	lines_free(&ld);
	lines_free(&la);
done:
	buf_free(&d);
	buf_free(&m);
	buf_free(&got);
	return 0;
}
