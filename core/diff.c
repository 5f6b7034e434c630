/*
 * diff - unified diffs. See diff.h.
 *
 * Steps: split both texts into lines (newline included), give equal lines
 * equal small integers through a hash table, set aside lines that occur
 * in only one text (they are changed whatever happens, and removing them
 * keeps the search fast on files that differ everywhere), find a shortest
 * edit script over the rest with Myers' middle-snake recursion, then print
 * the changes grouped into hunks with context.
 */
#include "config.h"
#include "diff.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;	/* including the newline, when there is one */
};

struct side {
	struct line *lines;
	size_t n;
	int *id;	/* equivalence class of each line */
	char *changed;	/* 1 when the line is deleted (a) or inserted (b) */
	int *cid;	/* ids of the lines kept for the search */
	size_t *cmap;	/* index in lines of each kept line */
	size_t cn;
	unsigned char *mask;	/* per line: MASK_NONE, MASK_TABLE or MASK_PARAM */
};

enum { MASK_NONE, MASK_TABLE, MASK_PARAM };

struct ctx {
	struct side a, b;
	int *fd, *bd;	/* forward/backward furthest x per diagonal */
	long off;	/* diagonal k is stored at [k + off] */
};

/* split_lines - cut text into lines that keep their newline. */
static int split_lines(const char *s, size_t len, struct side *sd)
{
	size_t n = 0, cap = 0;

	sd->lines = NULL;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) + 1 : len - i;

		if (n == cap) {
			struct line *nv;

			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(sd->lines, cap * sizeof(*nv))) == NULL)
				return -1;
			sd->lines = nv;
		}
		sd->lines[n].p = s + i;
		sd->lines[n].len = l;
		n++;
		i += l;
	}
	sd->n = n;
	return 0;
}

/* hash_line - FNV-1a of a line, newline included. */
static uint64_t hash_line(const struct line *l)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < l->len; i++) {
		h ^= (unsigned char)l->p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* classify - number equal lines alike across both sides; counts[id] gets
 * how often a class occurs in a (bit 0) and b (bit 1). */
static int classify(struct ctx *c, unsigned char **presence)
{
	size_t total = c->a.n + c->b.n, size = 16;
	struct slot { const struct line *l; uint64_t h; int id; } *tab;
	unsigned char *pres;
	int next = 0;

	while (size < total * 2)
		size *= 2;
	tab = calloc(size, sizeof(*tab));
	pres = calloc(total + 1, 1);
	c->a.id = malloc((c->a.n + 1) * sizeof(int));
	c->b.id = malloc((c->b.n + 1) * sizeof(int));
	if (!tab || !pres || !c->a.id || !c->b.id) {
		free(tab);
		free(pres);
		return -1;
	}
	for (int s = 0; s < 2; s++) {
		struct side *sd = s ? &c->b : &c->a;

		for (size_t i = 0; i < sd->n; i++) {
			const struct line *l = &sd->lines[i];
			uint64_t h = hash_line(l);
			size_t k = (size_t)h & (size - 1);

			while (tab[k].l && !(tab[k].h == h && tab[k].l->len == l->len &&
					     memcmp(tab[k].l->p, l->p, l->len) == 0))
				k = (k + 1) & (size - 1);
			if (tab[k].l == NULL) {
				tab[k].l = l;
				tab[k].h = h;
				tab[k].id = next++;
			}
			sd->id[i] = tab[k].id;
			pres[tab[k].id] |= (unsigned char)(1 << s);
		}
	}
	free(tab);
	*presence = pres;
	return 0;
}

/* compact - keep only lines that also occur on the other side. */
static int compact(struct side *sd, const unsigned char *pres)
{
	sd->changed = calloc(sd->n + 1, 1);
	sd->cid = malloc((sd->n + 1) * sizeof(int));
	sd->cmap = malloc((sd->n + 1) * sizeof(size_t));
	if (!sd->changed || !sd->cid || !sd->cmap)
		return -1;
	sd->cn = 0;
	for (size_t i = 0; i < sd->n; i++) {
		if (pres[sd->id[i]] == 3) {
			sd->cid[sd->cn] = sd->id[i];
			sd->cmap[sd->cn++] = i;
		} else {
			sd->changed[i] = 1;
		}
	}
	return 0;
}

/* middle_snake - a point (x, y) on a shortest edit path of
 * a[xoff,xlim) against b[yoff,ylim); both ranges are non-empty and differ
 * at both ends. */
static void middle_snake(struct ctx *c, long xoff, long xlim, long yoff, long ylim,
			 long *xmid, long *ymid)
{
	const int *xv = c->a.cid, *yv = c->b.cid;
	int *fd = c->fd + c->off, *bd = c->bd + c->off;
	long dmin = xoff - ylim, dmax = xlim - yoff;
	long fmid = xoff - yoff, bmid = xlim - ylim;
	long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
	int odd = (int)((fmid - bmid) & 1);

	fd[fmid] = (int)xoff;
	bd[bmid] = (int)xlim;
	for (;;) {
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		for (long d = fmax; d >= fmin; d -= 2) {
			long tlo = fd[d - 1], thi = fd[d + 1];
			long x = tlo >= thi ? tlo + 1 : thi, y = x - d;

			while (x < xlim && y < ylim && xv[x] == yv[y])
				x++, y++;
			fd[d] = (int)x;
			if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
				*xmid = x;
				*ymid = y;
				return;
			}
		}
		if (bmin > dmin)
			bd[--bmin - 1] = INT_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = INT_MAX;
		else
			--bmax;
		for (long d = bmax; d >= bmin; d -= 2) {
			long tlo = bd[d - 1], thi = bd[d + 1];
			long x = tlo < thi ? tlo : thi - 1, y = x - d;

			while (xoff < x && yoff < y && xv[x - 1] == yv[y - 1])
				x--, y--;
			bd[d] = (int)x;
			if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
				*xmid = x;
				*ymid = y;
				return;
			}
		}
	}
}

/* compare - mark the shortest edit script of a[xoff,xlim) against
 * b[yoff,ylim) in the changed flags. */
static void compare(struct ctx *c, long xoff, long xlim, long yoff, long ylim)
{
	const int *xv = c->a.cid, *yv = c->b.cid;
	long xmid, ymid;

	while (xoff < xlim && yoff < ylim && xv[xoff] == yv[yoff])
		xoff++, yoff++;
	while (xlim > xoff && ylim > yoff && xv[xlim - 1] == yv[ylim - 1])
		xlim--, ylim--;
	if (xoff == xlim) {
		for (long y = yoff; y < ylim; y++)
			c->b.changed[c->b.cmap[y]] = 1;
	} else if (yoff == ylim) {
		for (long x = xoff; x < xlim; x++)
			c->a.changed[c->a.cmap[x]] = 1;
	} else {
		middle_snake(c, xoff, xlim, yoff, ylim, &xmid, &ymid);
		compare(c, xoff, xmid, yoff, ymid);
		compare(c, xmid, xlim, ymid, ylim);
	}
}

/* put_line - one output line: prefix, (masked) text, newline, and the
 * no-newline marker when the line had none. */
static int put_line(struct buf *out, char prefix, const struct side *sd, size_t i)
{
	const struct line *l = &sd->lines[i];
	int has_nl = l->len > 0 && l->p[l->len - 1] == '\n';
	size_t n = has_nl ? l->len - 1 : l->len;
	int r;

	if (buf_putc(out, prefix) < 0)
		return -1;
	switch (sd->mask ? sd->mask[i] : MASK_NONE) {
	case MASK_TABLE:
		r = diff_mask_line(l->p, n, out);
		break;
	case MASK_PARAM:
		r = diff_mask_param_line(l->p, n, out);
		break;
	default:
		r = buf_append(out, l->p, n);
	}
	if (r < 0)
		return -1;
	if (buf_putc(out, '\n') < 0)
		return -1;
	if (!has_nl && buf_puts(out, "\\ No newline at end of file\n") < 0)
		return -1;
	return 0;
}

/* put_range - "start,len" as diff -u writes it. */
static int put_range(struct buf *out, size_t start, size_t len)
{
	if (len == 1)
		return buf_printf(out, "%zu", start + 1);
	return buf_printf(out, "%zu,%zu", len == 0 ? start : start + 1, len);
}

/* next_change - from (i, j), skip equal lines to the next change; its
 * extent in a and b goes to *di, *dj. Returns 0 at the end of both. */
static int next_change(const struct ctx *c, size_t *i, size_t *j, size_t *di, size_t *dj)
{
	while (*i < c->a.n && *j < c->b.n && !c->a.changed[*i] && !c->b.changed[*j])
		(*i)++, (*j)++;
	if (*i >= c->a.n && *j >= c->b.n)
		return 0;
	*di = *dj = 0;
	while (*i + *di < c->a.n && c->a.changed[*i + *di])
		(*di)++;
	while (*j + *dj < c->b.n && c->b.changed[*j + *dj])
		(*dj)++;
	return 1;
}

/* emit - print the hunks. */
static int emit(struct ctx *c, const char *la, const char *lb, size_t ctxn, struct buf *out)
{
	size_t i = 0, j = 0, di, dj;
	int header = 0;

	while (next_change(c, &i, &j, &di, &dj)) {
		/* A hunk starts ctxn lines before this change and takes in every
		 * following change that is at most 2*ctxn equal lines away. */
		size_t pre = i < ctxn ? i : ctxn;
		size_t hs_a = i - pre, hs_b = j - pre, ea, eb, post;
		size_t ci = i + di, cj = j + dj, ni, nj, ndi, ndj;

		for (;;) {
			ni = ci;
			nj = cj;
			if (!next_change(c, &ni, &nj, &ndi, &ndj) || ni - ci > 2 * ctxn)
				break;
			ci = ni + ndi;
			cj = nj + ndj;
		}
		post = c->a.n - ci;
		if (post > ctxn)
			post = ctxn;
		ea = ci + post;
		eb = cj + post;
		if (!header) {
			if (buf_printf(out, "--- %s\n+++ %s\n", la, lb) < 0)
				return -1;
			header = 1;
		}
		if (buf_puts(out, "@@ -") < 0 || put_range(out, hs_a, ea - hs_a) < 0 ||
		    buf_puts(out, " +") < 0 || put_range(out, hs_b, eb - hs_b) < 0 ||
		    buf_puts(out, " @@\n") < 0)
			return -1;
		{
			size_t x = hs_a, y = hs_b;

			while (x < ea || y < eb) {
				if (x < ea && c->a.changed[x]) {
					if (put_line(out, '-', &c->a, x++) < 0)
						return -1;
				} else if (y < eb && c->b.changed[y]) {
					if (put_line(out, '+', &c->b, y++) < 0)
						return -1;
				} else {
					if (put_line(out, ' ', &c->a, x) < 0)
						return -1;
					x++;
					y++;
				}
			}
		}
		i = ea;
		j = eb;
	}
	return 0;
}

/* side_free - release what split/classify/compact allocated. */
static void side_free(struct side *sd)
{
	free(sd->lines);
	free(sd->id);
	free(sd->changed);
	free(sd->cid);
	free(sd->cmap);
	free(sd->mask);
}

/* side_mask - the mask of every line: all as table lines, or those that
 * secret_lines flags as parameter lines. */
static int side_mask(struct side *sd, const char *text, size_t len, int mode,
		     diff_secret_lines_fn secret_lines)
{
	if (mode == MASK_NONE)
		return 0;
	if ((sd->mask = calloc(sd->n ? sd->n : 1, 1)) == NULL)
		return -1;
	if (mode == MASK_TABLE) {
		memset(sd->mask, MASK_TABLE, sd->n);
		return 0;
	}
	secret_lines(text, len, sd->mask, sd->n);
	for (size_t i = 0; i < sd->n; i++)
		sd->mask[i] = sd->mask[i] ? MASK_PARAM : MASK_NONE;
	return 0;
}

/* same_line - line i of x equals line j of y, newline included. */
static int same_line(const struct side *x, size_t i, const struct side *y, size_t j)
{
	return x->lines[i].len == y->lines[j].len &&
	       memcmp(x->lines[i].p, y->lines[j].p, x->lines[i].len) == 0;
}

/* diff_run - shared body of the plain and masked diffs. The equal lines
 * at both ends are set aside before the search: a 50 MB table with one
 * change costs a pass of memcmp, and the tables and Myers' search below
 * only the lines between (c, a view into the whole texts of w). */
static int diff_run(const char *a, size_t alen, const char *b, size_t blen, const char *la,
		    const char *lb, int context, int mode, diff_secret_lines_fn secret_lines,
		    struct buf *out, struct err *e)
{
	struct ctx c, w;
	unsigned char *pres = NULL;
	size_t ndiag, head = 0, tail = 0;
	int r = -1;

	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 0;
	if (context < 0)
		context = DIFF_CONTEXT_DEFAULT;
	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	if (split_lines(a, alen, &w.a) < 0 || split_lines(b, blen, &w.b) < 0 ||
	    w.a.n >= INT_MAX / 4 || w.b.n >= INT_MAX / 4)
		goto nomem;
	while (head < w.a.n && head < w.b.n && same_line(&w.a, head, &w.b, head))
		head++;
	while (tail < w.a.n - head && tail < w.b.n - head &&
	       same_line(&w.a, w.a.n - 1 - tail, &w.b, w.b.n - 1 - tail))
		tail++;
	/* an empty side has no line array: no offset on a null pointer */
	c.a.lines = w.a.lines ? w.a.lines + head : NULL;
	c.a.n = w.a.n - head - tail;
	c.b.lines = w.b.lines ? w.b.lines + head : NULL;
	c.b.n = w.b.n - head - tail;
	if (classify(&c, &pres) < 0 || compact(&c.a, pres) < 0 || compact(&c.b, pres) < 0 ||
	    (w.a.changed = calloc(w.a.n + 1, 1)) == NULL ||
	    (w.b.changed = calloc(w.b.n + 1, 1)) == NULL ||
	    side_mask(&w.a, a, alen, mode, secret_lines) < 0 ||
	    side_mask(&w.b, b, blen, mode, secret_lines) < 0)
		goto nomem;
	ndiag = c.a.cn + c.b.cn + 3;
	c.fd = malloc(ndiag * sizeof(int));
	c.bd = malloc(ndiag * sizeof(int));
	if (!c.fd || !c.bd)
		goto nomem;
	c.off = (long)c.b.cn + 1;
	compare(&c, 0, (long)c.a.cn, 0, (long)c.b.cn);
	if (c.a.n)
		memcpy(w.a.changed + head, c.a.changed, c.a.n);
	if (c.b.n)
		memcpy(w.b.changed + head, c.b.changed, c.b.n);
	if (emit(&w, la, lb, (size_t)context, out) < 0) {
		err_set(e, ERR_LIMIT, "diff %s: output larger than the limit", lb);
		goto done;
	}
	r = 0;
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "diff %s: out of memory", lb);
done:
	free(pres);
	free(c.fd);
	free(c.bd);
	c.a.lines = c.b.lines = NULL;	/* w's */
	side_free(&c.a);
	side_free(&c.b);
	side_free(&w.a);
	side_free(&w.b);
	return r;
}

/* diff_unified - plain unified diff. */
int diff_unified(const char *a, size_t alen, const char *b, size_t blen, const char *label_a,
		 const char *label_b, int context, struct buf *out, struct err *e)
{
	return diff_run(a, alen, b, blen, label_a, label_b, context, MASK_NONE, NULL, out, e);
}

/* diff_unified_masked - unified diff with every printed line masked. */
int diff_unified_masked(const char *a, size_t alen, const char *b, size_t blen,
			const char *label_a, const char *label_b, int context,
			struct buf *out, struct err *e)
{
	return diff_run(a, alen, b, blen, label_a, label_b, context, MASK_TABLE, NULL, out, e);
}

/* diff_unified_param_masked - unified diff with the flagged lines masked. */
int diff_unified_param_masked(const char *a, size_t alen, const char *b, size_t blen,
			      const char *label_a, const char *label_b, int context,
			      diff_secret_lines_fn secret_lines, struct buf *out, struct err *e)
{
	return diff_run(a, alen, b, blen, label_a, label_b, context,
			secret_lines ? MASK_PARAM : MASK_NONE, secret_lines, out, e);
}

/* diff_mask_line - keep the key, replace the value with stars (rules in diff.h). */
int diff_mask_line(const char *line, size_t len, struct buf *out)
{
	static const char stars[] = "********";
	size_t i = 0, k;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	/* A comment holds no secret for Postfix (postmap skips it): shown as is. */
	if (i == len || line[i] == '#')
		return buf_append(out, line, len);
	/* A continuation line is all value: nothing of it is a key. */
	if (i > 0)
		return buf_append(out, line, i) < 0 ? -1 : buf_puts(out, stars);
	for (k = i; k < len && line[k] != ' ' && line[k] != '\t'; k++)
		;
	if (k < len) {
		k++;	/* keep the key and one blank */
	} else {
		const char *colon = memchr(line + i, ':', len - i);

		k = colon ? (size_t)(colon - line) + 1 : i;
	}
	if (buf_append(out, line, k) < 0)
		return -1;
	/* Trailing blanks after the key hide nothing; anything else is masked. */
	for (size_t r = k; r < len; r++)
		if (line[r] != ' ' && line[r] != '\t')
			return buf_puts(out, stars);
	return 0;
}

/* diff_mask_param_line - keep "name =", replace the value with stars. */
int diff_mask_param_line(const char *line, size_t len, struct buf *out)
{
	static const char stars[] = "********";
	const char *eq;
	size_t i = 0, k;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len)
		return buf_append(out, line, len);
	if (i > 0 || (eq = memchr(line, '=', len)) == NULL)
		return buf_append(out, line, i) < 0 ? -1 : buf_puts(out, stars);
	k = (size_t)(eq - line) + 1;
	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (buf_append(out, line, k) < 0)
		return -1;
	return k < len ? buf_puts(out, stars) : 0;
}
