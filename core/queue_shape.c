/*
 * queue_shape - qshape's table and the reasons view. See queue_shape.h.
 */
#include "config.h"
#include "queue_shape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* qshape's defaults: 5-minute ticks, 10 buckets, doubling. */
#define TICK 300

int queue_shape_init(struct queue_shape *s, int by_sender, long long now)
{
	memset(s, 0, sizeof(*s));
	s->by_sender = by_sender;
	s->now = now;
	s->total.name = "TOTAL";
	return strpool_init(&s->names);
}

void queue_shape_free(struct queue_shape *s)
{
	free(s->rows);
	free(s->row_of);
	free(s->dom_row);
	strpool_free(&s->names);
	memset(s, 0, sizeof(*s));
}

int queue_shape_bucket(long long age)
{
	long long m = age / TICK;	/* whole ticks; floor(log2) of m is that of the real ratio */
	int b = 1;

	if (age < TICK)
		return 0;
	while (m > 1 && b < QUEUE_SHAPE_BUCKETS - 1) {
		m >>= 1;
		b++;
	}
	return b;
}

const char *queue_shape_label(int b, char *out, size_t n)
{
	long long t = TICK / 60;

	if (b >= QUEUE_SHAPE_BUCKETS - 1) {
		for (int i = 1; i < QUEUE_SHAPE_BUCKETS - 1; i++)
			t *= 2;
		snprintf(out, n, "%lld+", t);
	} else {
		for (int i = 0; i < b; i++)
			t *= 2;
		snprintf(out, n, "%lld", t);
	}
	return out;
}

const char *queue_shape_domain(const char *addr, char *out, size_t n)
{
	const char *at = strrchr(addr, '@'), *d = at ? at + 1 : addr;
	size_t o = 0, len;
	char *p;

	if (n == 0)
		return out;
	if (*addr == '\0') {
		snprintf(out, n, "MAILER-DAEMON");
		return out;
	}
	for (; *d && o + 1 < n; d++) {
		char c = (char)tolower((unsigned char)*d);

		/* ".." becomes "." (qshape applies s/\.\././g once: "..." -> "..") */
		if (c == '.' && d[1] == '.' && (o == 0 || out[o - 1] != '.' || 1)) {
			out[o++] = '.';
			d++;
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	/* strip one dot run at either end, as s/\.?(.+?)\.?$/$1/ does: one dot each */
	p = out;
	len = strlen(p);
	if (len > 1 && p[0] == '.') {
		p++;
		len--;
	}
	if (len > 1 && p[len - 1] == '.')
		p[--len] = '\0';
	if (p != out)
		memmove(out, p, len + 1);
	return out;
}

/* row_for - the row of a domain name, made when new. */
static long row_for(struct queue_shape *s, const char *name, struct err *e)
{
	uint32_t id = strpool_intern(&s->names, name, strlen(name));

	if (id == STRPOOL_NONE)
		return err_set(e, ERR_NOMEM, "shape: out of memory");
	if (id >= s->row_of_n) {
		size_t n = s->names.alloc;
		uint32_t *v = realloc(s->row_of, n * sizeof(*v));

		if (v == NULL)
			return err_set(e, ERR_NOMEM, "shape: out of memory");
		for (size_t i = s->row_of_n; i < n; i++)
			v[i] = UINT32_MAX;
		s->row_of = v;
		s->row_of_n = n;
	}
	if (s->row_of[id] == UINT32_MAX) {
		if (s->nrows == s->alloc) {
			size_t n = s->alloc ? s->alloc * 2 : 32;
			struct queue_shape_row *v = realloc(s->rows, n * sizeof(*v));

			if (v == NULL)
				return err_set(e, ERR_NOMEM, "shape: out of memory");
			s->rows = v;
			s->alloc = n;
		}
		memset(&s->rows[s->nrows], 0, sizeof(s->rows[0]));
		s->rows[s->nrows].name = strpool_str(&s->names, id);
		s->row_of[id] = (uint32_t)s->nrows++;
	}
	return s->row_of[id];
}

/* count - one address in row r at bucket b. */
static void count(struct queue_shape *s, size_t r, int b)
{
	s->rows[r].total++;
	s->rows[r].count[b]++;
	s->total.total++;
	s->total.count[b]++;
}

void queue_shape_add_message(struct queue_shape *s)
{
	s->messages++;
}

int queue_shape_add(struct queue_shape *s, long long arrival, const char *addr, struct err *e)
{
	char dom[1024];
	long r;

	queue_shape_domain(addr, dom, sizeof(dom));
	if ((r = row_for(s, dom, e)) < 0)
		return -1;
	count(s, (size_t)r, queue_shape_bucket(s->now - arrival));
	return 0;
}

int queue_shape_merge(struct queue_shape *dst, const struct queue_shape *src, struct err *e)
{
	for (size_t i = 0; i < src->nrows; i++) {
		const struct queue_shape_row *from = &src->rows[i];
		long r = row_for(dst, from->name, e);

		if (r < 0)
			return -1;
		dst->rows[r].total += from->total;
		for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
			dst->rows[r].count[k] += from->count[k];
	}
	dst->total.total += src->total.total;
	for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
		dst->total.count[k] += src->total.count[k];
	dst->messages += src->messages;
	return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct queue_shape_row *a = pa, *b = pb;
	size_t la = strlen(a->name), lb = strlen(b->name);

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->name, b->name);
}

void queue_shape_sort(struct queue_shape *s)
{
	if (s->nrows)
		qsort(s->rows, s->nrows, sizeof(s->rows[0]), cmp_rows);
	/* row_of no longer matches the order: it is a build-time map */
	if (s->row_of)
		for (size_t i = 0; i < s->row_of_n; i++)
			s->row_of[i] = UINT32_MAX;
	free(s->dom_row);
	s->dom_row = NULL;
	s->dom_row_n = 0;
	/* rows keep their names; a later add makes new rows after these */
	for (size_t i = 0; i < s->nrows; i++) {
		uint32_t id = strpool_find(&s->names, s->rows[i].name, strlen(s->rows[i].name));

		if (id != STRPOOL_NONE && id < s->row_of_n)
			s->row_of[id] = (uint32_t)i;
	}
}

/* dom_row_of - the row of a model pool id (a domain or a sender), cached. */
static long dom_row_of(struct queue_shape *s, struct queue *q, uint32_t id, const char *addr,
		       struct err *e)
{
	char dom[1024];
	long r;

	if (id >= s->dom_row_n) {
		size_t n = q->pool.count > id ? q->pool.count : id + 1;
		uint32_t *v = realloc(s->dom_row, n * sizeof(*v));

		if (v == NULL)
			return err_set(e, ERR_NOMEM, "shape: out of memory");
		for (size_t i = s->dom_row_n; i < n; i++)
			v[i] = UINT32_MAX;
		s->dom_row = v;
		s->dom_row_n = n;
	}
	if (s->dom_row[id] != UINT32_MAX)
		return s->dom_row[id];
	queue_shape_domain(addr, dom, sizeof(dom));
	if ((r = row_for(s, dom, e)) < 0)
		return -1;
	s->dom_row[id] = (uint32_t)r;
	return r;
}

int queue_shape_build(struct queue_shape *s, struct queue *q, const uint32_t *idx, size_t n,
		      struct err *e)
{
	char addr[1100];

	for (size_t k = 0; k < n; k++) {
		const struct queue_msg *m = &q->msgs[idx[k]];
		int b = queue_shape_bucket(s->now - m->arrival);
		long r;

		s->messages++;
		if (s->by_sender) {
			const char *snd = queue_sender(q, m);

			/* postqueue writes the null sender as MAILER-DAEMON */
			if (strcmp(snd, "MAILER-DAEMON") == 0)
				snd = "";
			if ((r = dom_row_of(s, q, m->sender, snd, e)) < 0)
				return -1;
			count(s, (size_t)r, b);
			continue;
		}
		for (uint32_t j = 0; j < m->nrcpt; j++) {
			const struct queue_rcpt *rc = &q->rcpts[m->rcpt + j];

			if (rc->domain != STRPOOL_NONE) {
				/* "x@" + domain: qshape keeps what follows the last '@' */
				snprintf(addr, sizeof(addr), "@%s", strpool_str(&q->pool, rc->domain));
				r = dom_row_of(s, q, rc->domain, addr, e);
			} else {
				/* no '@': the whole address (never cached: local parts differ) */
				r = row_for(s, *rc->local ? queue_shape_domain(rc->local, addr, sizeof(addr)) :
					    "MAILER-DAEMON", e);
			}
			if (r < 0)
				return -1;
			count(s, (size_t)r, b);
		}
	}
	queue_shape_sort(s);
	return 0;
}

/* ---- reasons ---------------------------------------------------------------- */

void queue_reasons_free(struct queue_reasons *r)
{
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

static int cmp_groups(const void *pa, const void *pb)
{
	const struct queue_reason_group *a = pa, *b = pb;

	if (a->recipients != b->recipients)
		return a->recipients > b->recipients ? -1 : 1;
	return strcmp(a->text, b->text);
}

int queue_reasons_build(struct queue_reasons *r, struct queue *q, const uint32_t *idx,
			size_t n, struct err *e)
{
	uint32_t *group_of = NULL;	/* normalised pool id -> group + 1 */
	size_t gsize = 0;

	memset(r, 0, sizeof(*r));
	/* normalise first: it interns, so the pool's size is final after it */
	for (size_t k = 0; k < n; k++) {
		const struct queue_msg *m = &q->msgs[idx[k]];

		for (uint32_t j = 0; j < m->nrcpt; j++) {
			uint32_t why = q->rcpts[m->rcpt + j].reason;

			if (why != STRPOOL_NONE && queue_reason_norm(q, why) == STRPOOL_NONE)
				return err_set(e, ERR_NOMEM, "reasons: out of memory");
		}
	}
	gsize = q->pool.count + 1;
	if ((group_of = calloc(gsize, sizeof(*group_of))) == NULL)
		return err_set(e, ERR_NOMEM, "reasons: out of memory");
	for (size_t k = 0; k < n; k++) {
		const struct queue_msg *m = &q->msgs[idx[k]];

		r->messages++;
		for (uint32_t j = 0; j < m->nrcpt; j++) {
			uint32_t why = q->rcpts[m->rcpt + j].reason;
			uint32_t norm = why == STRPOOL_NONE ? 0 : q->norm[why];
			struct queue_reason_group *g;

			if (group_of[norm] == 0) {
				if (r->ngroups == r->alloc) {
					size_t na = r->alloc ? r->alloc * 2 : 16;
					struct queue_reason_group *v = realloc(r->groups, na * sizeof(*v));

					if (v == NULL) {
						free(group_of);
						return err_set(e, ERR_NOMEM, "reasons: out of memory");
					}
					r->groups = v;
					r->alloc = na;
				}
				g = &r->groups[r->ngroups];
				memset(g, 0, sizeof(*g));
				g->norm = norm;
				g->text = strpool_str(&q->pool, norm);
				g->example = why == STRPOOL_NONE ? "" : strpool_str(&q->pool, why);
				group_of[norm] = (uint32_t)++r->ngroups;
			}
			g = &r->groups[group_of[norm] - 1];
			g->recipients++;
			r->recipients++;
			if (g->last_msg != idx[k] + 1) {
				g->messages++;
				g->last_msg = idx[k] + 1;
			}
		}
	}
	free(group_of);
	if (r->ngroups)
		qsort(r->groups, r->ngroups, sizeof(r->groups[0]), cmp_groups);
	return 0;
}
