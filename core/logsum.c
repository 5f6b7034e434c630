/*
 * logsum - count what Postfix logged over a window. See logsum.h.
 *
 * One pass, one line at a time: the line is split in place
 * (logscan_split), dispatched on its service (the last part of the
 * program name, so "postfix-out/smtp" is smtp), and only the fields a
 * count needs are looked at. Messages are tracked by queue ID in an
 * open-addressing table from their first line to qmgr's "removed", so a
 * message deferred five times is one deferred message.
 */
#include "config.h"
#include "logsum.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "logscan.h"
#include "queue_reason.h"

/* ASCII digits without the locale tables (the hot path runs per byte). */
#define DIGIT(c) ((unsigned)((c) - '0') < 10)

#define MSG_DEFERRED 1		/* counted as deferred in the window */
#define MSG_INHERITED 2		/* continuation: may have begun in the lines before */
#define MSG_BORN 4		/* continuation: its first line was read here */
#define MSG_TOUCHED 8		/* a line other than its first made or used it */

struct logsum_msg {
	char qid[32];		/* "" marks a free slot */
	uint32_t sender;	/* row index + 1 in senders; 0 unknown */
	uint32_t flags;
	uint32_t hash;		/* of qid */
	uint32_t len;		/* of qid */
	uint32_t pend[3];	/* inherited, sender unknown yet: delivered, deferrals, bounced */
};

/* ---- tables of named rows ------------------------------------------------ */

/* hash - of n bytes, 8 at a time; the last word overlaps the one before
 * it (no byte-wise tail: names and queue IDs are short, and this runs for
 * every delivery line). */
static uint32_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w = 0;
	uint32_t a, b;

	if (n >= 8) {
		const char *last = s + n - 8;

		for (; s < last; s += 8) {
			memcpy(&w, s, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdull;
			h ^= h >> 32;
		}
		memcpy(&w, last, 8);
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n > 0) {
		w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (unsigned char)s[n - 1];
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0x94d049bb133111ebull;
	return (uint32_t)(h >> 32);
}

/* dup_bytes - s[0..n) and a NUL, NUL bytes inside kept (strndup would stop
 * at one, leaving fewer bytes than the length compared later: log lines
 * are outside input). */
static char *dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* same - n bytes of a and b equal; queue IDs (8 to 16 bytes) in two
 * overlapping words, without a call. */
static inline int same(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;

	if (n < 8 || n > 16)
		return memcmp(a, b, n) == 0;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	memcpy(&u, a + n - 8, 8);
	memcpy(&v, b + n - 8, 8);
	return x == y && u == v;
}

/* table_grow - double the slots and place every row again. */
static int table_grow(struct logsum_table *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 64;
	uint32_t *slots = calloc(ns, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = t->rows[i].hash & (ns - 1);

		while (slots[k])
			k = (k + 1) & (ns - 1);
		slots[k] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = ns;
	return 0;
}

/* table_get - the row named s[0..n), made when new; NULL without memory. */
static struct logsum_row *table_get(struct logsum_table *t, const char *s, size_t n)
{
	size_t k;

	if ((t->n + 1) * 2 > t->nslots && table_grow(t) < 0)
		return NULL;
	uint32_t h = hash(s, n);

	k = h & (t->nslots - 1);
	while (t->slots[k]) {
		struct logsum_row *r = &t->rows[t->slots[k] - 1];

		if (r->hash == h && r->len == n && same(r->name, s, n))
			return r;
		k = (k + 1) & (t->nslots - 1);
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 32;
		struct logsum_row *v = realloc(t->rows, na * sizeof(*v));

		if (v == NULL)
			return NULL;
		t->rows = v;
		t->alloc = na;
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	if ((t->rows[t->n].name = dup_bytes(s, n)) == NULL)
		return NULL;
	t->rows[t->n].len = n;
	t->rows[t->n].hash = h;
	t->slots[k] = (uint32_t)++t->n;
	return &t->rows[t->n - 1];
}

static void table_free(struct logsum_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].name);
	free(t->rows);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int row_cmp(const void *a, const void *b)
{
	const struct logsum_row *x = a, *y = b;
	long vx = x->count + x->delivered + x->deferred + x->bounced;
	long vy = y->count + y->delivered + y->deferred + y->bounced;

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* table_sort - rows by volume; the hash slots are dropped (no more gets). */
static void table_sort(struct logsum_table *t)
{
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(t->rows[0]), row_cmp);
	free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
}

/* ---- messages in flight ---------------------------------------------------- */

/* mt_slot - the slot of qid in t, or the free slot where it would go. */
static struct logsum_msg *mt_slot(const struct logsum_msgtab *t, const char *qid, size_t n,
				  uint32_t h)
{
	size_t k = h & (t->cap - 1);

	for (;;) {
		struct logsum_msg *m = &t->v[k];

		if (m->qid[0] == '\0' || (m->hash == h && m->len == n && same(m->qid, qid, n)))
			return m;
		k = (k + 1) & (t->cap - 1);
	}
}

static int mt_grow(struct logsum_msgtab *t)
{
	size_t oc = t->cap, nc = oc ? oc * 2 : 1024;
	struct logsum_msg *old = t->v, *nw = calloc(nc, sizeof(*nw));

	if (nw == NULL)
		return -1;
	t->v = nw;
	t->cap = nc;
	for (size_t i = 0; i < oc; i++)
		if (old[i].qid[0])
			*mt_slot(t, old[i].qid, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

/* mt_find - the entry of qid, or NULL. */
static struct logsum_msg *mt_find(const struct logsum_msgtab *t, const char *qid, size_t n)
{
	struct logsum_msg *m;

	if (t->cap == 0)
		return NULL;
	if (n >= sizeof(m->qid))
		n = sizeof(m->qid) - 1;
	m = mt_slot(t, qid, n, hash(qid, n));
	return m->qid[0] ? m : NULL;
}

/* mt_get - the entry of qid, made when new (*made set); NULL without memory. */
static struct logsum_msg *mt_get(struct logsum_msgtab *t, const char *qid, size_t n, int *made)
{
	struct logsum_msg *m;
	uint32_t h;

	*made = 0;
	if (n >= sizeof(m->qid))
		n = sizeof(m->qid) - 1;
	if ((t->n + 1) * 2 > t->cap && mt_grow(t) < 0)
		return NULL;
	h = hash(qid, n);
	m = mt_slot(t, qid, n, h);
	if (m->qid[0] == '\0') {
		memset(m, 0, sizeof(*m));
		memcpy(m->qid, qid, n);
		m->hash = h;
		m->len = (uint32_t)n;
		t->n++;
		*made = 1;
	}
	return m;
}

/* mt_remove - drop m, an entry of t (backward-shift deletion keeps probes intact). */
static void mt_remove(struct logsum_msgtab *t, struct logsum_msg *m)
{
	size_t i = (size_t)(m - t->v), j, k, mask = t->cap - 1;

	t->v[i].qid[0] = '\0';
	t->n--;
	for (j = (i + 1) & mask; t->v[j].qid[0]; j = (j + 1) & mask) {
		k = t->v[j].hash & mask;
		/* move j back to i when its home k is not in (i, j] */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->v[i] = t->v[j];
			t->v[j].qid[0] = '\0';
			i = j;
		}
	}
}

/* msg_get - the in-flight entry of qid, made when new. In a continuation
 * a message met first here may have begun in the lines before: it is
 * marked MSG_INHERITED unless it was removed here already. */
static struct logsum_msg *msg_get(struct logsum *s, const char *qid, size_t n)
{
	int made;
	struct logsum_msg *m = mt_get(&s->msgs, qid, n, &made);

	if (m == NULL)
		return NULL;
	if (made) {
		if (s->msgs.n > s->peak_in_flight)
			s->peak_in_flight = s->msgs.n;
		if (s->cont && mt_find(&s->closed, qid, n) == NULL)
			m->flags |= MSG_INHERITED;
	}
	m->flags |= MSG_TOUCHED;
	return m;
}

/* msg_born - a continuation meets a message's first line (cleanup's
 * message-id=): it began here, whatever came before. */
static void msg_born(struct logsum *s, const char *qid, size_t n)
{
	int made;
	struct logsum_msg *m = mt_get(&s->msgs, qid, n, &made);

	if (m && made)
		m->flags |= MSG_BORN;
}

/* msg_remove - qmgr's "removed". A continuation keeps what a message
 * from before did here (and that it ended) in closed, for logsum_merge. */
static void msg_remove(struct logsum *s, const char *qid, size_t n)
{
	struct logsum_msg *m = mt_find(&s->msgs, qid, n), *c;
	int made;

	if (s->cont && (m == NULL || (m->flags & MSG_INHERITED)) &&
	    (c = mt_get(&s->closed, qid, n, &made)) != NULL && made && m)
		*c = *m;
	if (m)
		mt_remove(&s->msgs, m);
}

static void rcache_free(struct logsum_rcache *c);

/* ---- lifecycle ------------------------------------------------------------- */

struct logsum *logsum_new(long long since, long long until)
{
	struct logsum *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->since = since;
	s->until = until;
	s->first_hour = -1;
	s->newest = -1;
	s->oldest = -1;
	s->last_fatal_time = -1;
	s->day_end = until >= 0 ? until : (long long)time(NULL);
	logscan_clock_init(&s->clock, time(NULL));
	return s;
}

void logsum_free(struct logsum *s)
{
	if (s == NULL)
		return;
	table_free(&s->relays);
	table_free(&s->domains);
	table_free(&s->senders);
	table_free(&s->defer_reasons);
	table_free(&s->bounce_reasons);
	for (int k = 0; k < 5; k++)
		free(s->hist[k]);
	rcache_free(s->rcache[0]);
	rcache_free(s->rcache[1]);
	free(s->hours);
	free(s->msgs.v);
	free(s->closed.v);
	free(s);
}

void logsum_begin_file(struct logsum *s, const char *name, time_t mtime)
{
	s->file = name;
	s->lineno = 0;
	s->file_off = 0;
	logscan_clock_init(&s->clock, mtime);
}

size_t logsum_in_flight(const struct logsum *s)
{
	return s->msgs.n;
}

/* ---- fields ---------------------------------------------------------------- */

static int starts(const char *p, size_t n, const char *lit, size_t ln)
{
	return n >= ln && memcmp(p, lit, ln) == 0;
}
#define STARTS(p, n, lit) starts((p), (n), (lit), sizeof(lit) - 1)
#define HAS(p, n, lit) (memmem((p), (n), (lit), sizeof(lit) - 1) != NULL)
#define IS(v, lit) ((v)->servlen == sizeof(lit) - 1 && memcmp((v)->service, lit, sizeof(lit) - 1) == 0)

/* centis - "12.34" as 1234 hundredths (more decimals are cut); -1 when not a number. */
static long centis(const char *p, size_t n)
{
	long v = 0;
	size_t i = 0;
	int frac = 0;

	if (n == 0 || !DIGIT(*p))
		return -1;
	while (i < n && DIGIT(p[i]) && v < 100000000)
		v = v * 10 + (p[i++] - '0');
	v *= 100;
	if (i < n && p[i] == '.') {
		i++;
		if (i < n && DIGIT(p[i]))
			frac += (p[i++] - '0') * 10;
		if (i < n && DIGIT(p[i]))
			frac += p[i++] - '0';
	}
	return v + frac;
}

/* Histogram buckets: hundredths below 100 s, seconds below 10,000 s,
 * minutes above (to about 30 days, the last bucket holding the rest). */
static size_t bucket_of(long cs)
{
	long sec = cs / 100, min;

	if (cs < 10000)
		return (size_t)cs;
	if (sec < 10000)
		return (size_t)(10000 + sec - 100);
	min = sec / 60 - 166;
	return min + 19900 < LOGSUM_HIST ? (size_t)(19900 + min) : LOGSUM_HIST - 1;
}

static double bucket_value(size_t b)
{
	if (b < 10000)
		return b / 100.0;
	if (b < 19900)
		return (double)(b - 10000 + 100);
	return (double)((b - 19900 + 166) * 60);
}

static void hist_add(struct logsum *s, int k, const char *p, size_t n)
{
	long cs = centis(p, n);

	if (cs < 0)
		return;
	/* made on the first delivery: a window without one costs nothing */
	if (s->hist[k] == NULL && (s->hist[k] = calloc(LOGSUM_HIST, sizeof(uint32_t))) == NULL)
		return;
	s->hist[k][bucket_of(cs)]++;
	s->hist_n[k]++;
}

void logsum_percentiles(const struct logsum *s, int k, struct logsum_pct *out)
{
	const double want[3] = { 0.50, 0.90, 0.99 };
	double *res[3] = { &out->p50, &out->p90, &out->p99 };
	long seen = 0;
	int w = 0;

	out->count = s->hist_n[k];
	out->p50 = out->p90 = out->p99 = out->max = -1;
	if (out->count == 0 || s->hist[k] == NULL)
		return;
	for (size_t b = 0; b < LOGSUM_HIST; b++) {
		if (s->hist[k][b] == 0)
			continue;
		seen += s->hist[k][b];
		/* nearest rank: the smallest value with at least ceil(p*N) at or below it */
		while (w < 3 && (double)seen >= want[w] * (double)out->count - 1e-9) {
			*res[w] = bucket_value(b);
			w++;
		}
		out->max = bucket_value(b);
	}
}

/* bad - count an unparsable line and keep the first few. */
static void bad(struct logsum *s, const char *line, size_t len)
{
	s->unparsed++;
	if (s->unparsed > LOGSUM_BAD_KEPT)
		return;
	struct logsum_bad *b = &s->bad[s->unparsed - 1];

	b->line = s->lineno;

	if (s->file_off > 0)	/* entered mid-file: the line number is not known */
		snprintf(b->where, sizeof(b->where), "%s: line %ld after byte %lld",
			 s->file ? s->file : "-", s->lineno, s->file_off);
	else
		snprintf(b->where, sizeof(b->where), "%s:%ld", s->file ? s->file : "-", s->lineno);
	if (len > sizeof(b->text) - 1)
		len = sizeof(b->text) - 1;
	memcpy(b->text, line, len);
	b->text[len] = '\0';
}

/* hour_add - n deliveries in the hour of t. */
static void hour_add(struct logsum *s, long long t, long n)
{
	long long h = t - (t % 3600 + 3600) % 3600;

	if (s->first_hour < 0) {
		s->first_hour = h;
	} else if (h < s->first_hour) {
		size_t shift = (size_t)((s->first_hour - h) / 3600);
		long *v;

		if (shift > 24 * 366 * 5 || (v = calloc(s->nhours + shift, sizeof(*v))) == NULL)
			return;
		memcpy(v + shift, s->hours, s->nhours * sizeof(*v));
		free(s->hours);
		s->hours = v;
		s->nhours += shift;
		s->first_hour = h;
	}
	size_t i = (size_t)((h - s->first_hour) / 3600);

	if (i >= s->nhours) {
		size_t nn = i + 1 + 64;
		long *v;

		if (i > 24 * 366 * 5 || (v = realloc(s->hours, nn * sizeof(*v))) == NULL)
			return;
		memset(v + s->nhours, 0, (nn - s->nhours) * sizeof(*v));
		s->hours = v;
		s->nhours = nn;
	}
	s->hours[i] += n;
}

static int tls_failure_reason(const char *r, size_t n)
{
	return HAS(r, n, "Cannot start TLS") || HAS(r, n, "TLS is required") ||
	       HAS(r, n, "certificate not verified") || HAS(r, n, "TLS handshake") ||
	       HAS(r, n, "certificate verification failed");
}

/* The same raw reason comes back often (one rate limit, one relay): its
 * row is remembered, so normalising runs once per distinct text. */
#define RCACHE_SLOTS 16384
#define RCACHE_MAX 8192

struct logsum_rcache {
	struct {
		uint32_t hash;
		uint32_t row;	/* + 1; 0 empty */
		char *raw;
		size_t len;
		int why;	/* WHY_* of the raw reason */
	} slot[RCACHE_SLOTS];
	size_t n;
};

static void rcache_free(struct logsum_rcache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < RCACHE_SLOTS; i++)
		free(c->slot[i].raw);
	free(c);
}

#define WHY_SASL 1		/* the smart host refused our AUTH */
#define WHY_TLS 2		/* a TLS cause */

/* why_of - what a deferral or bounce reason says went wrong. */
static int why_of(const char *r, size_t n)
{
	return (HAS(r, n, "SASL authentication failed") ? WHY_SASL : 0) |
	       (tls_failure_reason(r, n) ? WHY_TLS : 0);
}

/* reason_add - the normalised reason as a row of t (cache k); its WHY_*
 * (remembered with the row: the same texts come back). */
static int reason_add(struct logsum *s, int k, struct logsum_table *t, const char *r, size_t n)
{
	struct logsum_rcache *c = s->rcache[k];
	struct buf b;
	char tmp[1024];
	struct logsum_row *row = NULL;
	uint32_t h = hash(r, n);
	int why;
	size_t i = h & (RCACHE_SLOTS - 1);

	if (c == NULL && (c = s->rcache[k] = calloc(1, sizeof(*c))) == NULL)
		return why_of(r, n);
	for (; c->slot[i].row; i = (i + 1) & (RCACHE_SLOTS - 1))
		if (c->slot[i].hash == h && c->slot[i].len == n &&
		    memcmp(c->slot[i].raw, r, n) == 0) {
			t->rows[c->slot[i].row - 1].count++;
			return c->slot[i].why;
		}
	memcpy(tmp, r, n < sizeof(tmp) ? n : sizeof(tmp) - 1);
	tmp[n < sizeof(tmp) ? n : sizeof(tmp) - 1] = '\0';
	buf_init(&b, 4096);
	if (queue_reason_normalize(tmp, &b) == 0 && b.len > 0 &&
	    (row = table_get(t, b.data, b.len)) != NULL)
		row->count++;
	buf_free(&b);
	why = why_of(r, n);
	if (row && c->n < RCACHE_MAX && (c->slot[i].raw = dup_bytes(r, n)) != NULL) {
		c->slot[i].hash = h;
		c->slot[i].len = n;
		c->slot[i].why = why;
		c->slot[i].row = (uint32_t)(row - t->rows) + 1;
		c->n++;
	}
	return why;
}

/* delivery - "to=<a>, [orig_to=<b>, ]relay=R, ..., status=S (reason)". */
static void delivery(struct logsum *s, const struct logscan_view *v, int in)
{
	const char *p = v->text + 4, *end = v->text + v->textlen, *q;
	const char *to, *relay = NULL, *delay = NULL, *delays = NULL, *status = NULL;
	size_t tolen, relaylen = 0, delaylen = 0, delayslen = 0;
	struct logsum_msg *m;
	struct logsum_row *row;
	char dom[256];
	size_t dl = 0;

	to = p;
	/* the address ends at a '>' before ',' (or the end) */
	while ((q = memchr(p, '>', (size_t)(end - p))) != NULL && q + 1 < end && q[1] != ',')
		p = q + 1;
	p = q ? q : end;
	tolen = (size_t)(p - to);
	/* fields, ", "-separated; status= takes the rest */
	while (p < end && status == NULL) {
		if ((q = memchr(p, ',', (size_t)(end - p))) == NULL)
			q = end;
		if (q + 1 < end && q[1] == ' ')
			p = q + 2;
		else if (q < end)
			p = q + 1;
		else
			break;
		if (STARTS(p, end - p, "relay=")) {
			relay = p + 6;
		} else if (STARTS(p, end - p, "delay=")) {
			delay = p + 6;
		} else if (STARTS(p, end - p, "delays=")) {
			delays = p + 7;
		} else if (STARTS(p, end - p, "status=")) {
			status = p + 7;
			break;
		}
	}
	if (status == NULL) {
		if (in)
			bad(s, s->cur_line ? s->cur_line : v->text,
			    s->cur_line ? s->cur_len : v->textlen);
		return;
	}
	if (STARTS(status, end - status, "sent ") && v->time > s->day_end - 86400 &&
	    v->time <= s->day_end)
		s->last_24h++;
	if (!in)
		return;
	if (relay) {
		const char *comma = memchr(relay, ',', (size_t)(end - relay));

		if (comma == NULL)
			comma = end;
		if ((q = memchr(relay, '[', (size_t)(comma - relay))) == NULL)
			q = comma;
		relaylen = (size_t)(q - relay);
		if (relaylen == 4 && memcmp(relay, "none", 4) == 0)
			relaylen = 0;
	}
	if (delay)
		delaylen = (size_t)((q = memchr(delay, ',', (size_t)(end - delay))) ? q : end) -
			   (size_t)delay;
	if (delays)
		delayslen = (size_t)((q = memchr(delays, ',', (size_t)(end - delays))) ? q : end) -
			    (size_t)delays;
	if ((q = memrchr(to, '@', tolen)) != NULL)
		for (const char *k = q + 1; k < to + tolen && dl < sizeof(dom); k++)
			dom[dl++] = (char)((unsigned)(*k - 'A') < 26 ? *k + 32 : *k);
	m = msg_get(s, v->queue_id, v->qidlen);

	size_t sl = (size_t)(end - status);
	const char *reason = NULL;
	size_t rlen = 0;

	if ((q = memchr(status, ' ', sl)) != NULL) {
		sl = (size_t)(q - status);
		if (q + 1 < end && q[1] == '(') {
			reason = q + 2;
			rlen = (size_t)(end - reason);
			if (rlen && reason[rlen - 1] == ')')
				rlen--;
		}
	}
	int sent = sl == 4 && memcmp(status, "sent", 4) == 0;
	int deferred = sl == 8 && memcmp(status, "deferred", 8) == 0;
	int bounced = sl == 7 && memcmp(status, "bounced", 7) == 0;
	int kind = sent ? 0 : deferred ? 1 : bounced ? 2 : -1, why = 0;

	if (kind < 0)
		return;		/* "status=expired" on a recipient, "undeliverable": not counted */
	if (sent) {
		s->delivered++;
		if (delay)
			hist_add(s, 0, delay, delaylen);
		if (delays) {
			const char *a = delays, *de = delays + delayslen;

			for (int k = 1; k <= 4 && a < de; k++) {
				const char *sl2 = memchr(a, '/', (size_t)(de - a));

				if (sl2 == NULL)
					sl2 = de;
				hist_add(s, k, a, (size_t)(sl2 - a));
				a = sl2 + 1;
			}
		}
		hour_add(s, v->time, 1);
	} else if (deferred) {
		s->deferrals++;
		if (m && !(m->flags & MSG_DEFERRED)) {
			m->flags |= MSG_DEFERRED;
			s->deferred++;
		}
		if (reason)
			why = reason_add(s, 0, &s->defer_reasons, reason, rlen);
	} else {
		s->bounced++;
		if (reason)
			why = reason_add(s, 1, &s->bounce_reasons, reason, rlen);
	}
	/* "delivery temporarily suspended" repeats an earlier attempt's reason */
	if (why && !STARTS(reason, rlen, "delivery temporarily suspended")) {
		if (why & WHY_SASL)
			s->sasl_ours++;
		if (why & WHY_TLS)
			s->tls_fail_out++;
	}
	if (relaylen && (row = table_get(&s->relays, relay, relaylen)) != NULL)
		(&row->delivered)[kind]++;
	if (dl && (row = table_get(&s->domains, dom, dl)) != NULL)
		(&row->delivered)[kind]++;
	if (m && m->sender)
		row = &s->senders.rows[m->sender - 1];
	else if (m && (m->flags & MSG_INHERITED))
		row = NULL, m->pend[kind]++;	/* its from= may be in the lines before */
	else
		row = table_get(&s->senders, "(unknown)", 9);
	if (row)
		(&row->delivered)[kind]++;
}

/* tls_level - which "X TLS connection established" text starts with. */
static int tls_level(const char *t, size_t n)
{
	if (n < 36 || memcmp(t + (t[0] == 'V' ? 8 : t[0] == 'T' ? 7 : t[0] == 'U' ? 9 :
				  t[0] == 'A' ? 9 : 0), " TLS connection established", 27) != 0)
		return -1;
	if (STARTS(t, n, "Verified TLS connection established"))
		return LT_VERIFIED;
	if (STARTS(t, n, "Trusted TLS connection established"))
		return LT_TRUSTED;
	if (STARTS(t, n, "Untrusted TLS connection established"))
		return LT_UNTRUSTED;
	if (STARTS(t, n, "Anonymous TLS connection established"))
		return LT_ANONYMOUS;
	return -1;
}

static int is_reject(const char *t, size_t n)
{
	if (STARTS(t, n, "NOQUEUE: "))
		t += 9, n -= 9;
	return STARTS(t, n, "reject: ") || STARTS(t, n, "milter-reject: ");
}

void logsum_feed_view(struct logsum *s, const struct logscan_view *v)
{
	const char *t = v->text;
	size_t n = v->textlen;
	int in = (s->since < 0 || v->time >= s->since) && (s->until < 0 || v->time < s->until);
	int lvl;

	if (v->time > s->newest)
		s->newest = v->time;
	if (s->oldest < 0 || v->time < s->oldest)
		s->oldest = v->time;
	if (!in)
		s->outside++;
	else if (n > 7 && (memcmp(t, "fatal: ", 7) == 0 || memcmp(t, "panic: ", 7) == 0) &&
		 v->time >= s->last_fatal_time) {
		snprintf(s->last_fatal, sizeof(s->last_fatal), "%.*s", (int)n, t);
		s->last_fatal_time = v->time;
	}
	if (v->queue_id) {
		if (STARTS(t, n, "to=<")) {
			delivery(s, v, in);
			return;
		}
		if (IS(v, "qmgr")) {
			if (STARTS(t, n, "from=<")) {
				struct logsum_msg *m = msg_get(s, v->queue_id, v->qidlen);
				const char *a = t + 6, *e = memchr(a, '>', n - 6);
				struct logsum_row *r;

				if (m && e && (r = table_get(&s->senders, e == a ? "<>" : a,
							     e == a ? 2 : (size_t)(e - a))) != NULL)
					m->sender = (uint32_t)(r - s->senders.rows) + 1;
				if (in && e && STARTS(e + 1, t + n - (e + 1), ", status=expired"))
					s->expired++;
			} else if (n == 7 && memcmp(t, "removed", 7) == 0) {
				msg_remove(s, v->queue_id, v->qidlen);
			}
			return;
		}
		if (s->cont && IS(v, "cleanup") && STARTS(t, n, "message-id="))
			msg_born(s, v->queue_id, v->qidlen);
		if (n == 7 && memcmp(t, "removed", 7) == 0) {	/* postsuper -d */
			msg_remove(s, v->queue_id, v->qidlen);
			return;
		}
		if (!in)
			return;
		if (IS(v, "pickup") ? STARTS(t, n, "uid=") :
		    (IS(v, "smtpd") || IS(v, "qmqpd")) ? STARTS(t, n, "client=") :
		    IS(v, "bounce") ? (HAS(t, n, " notification: ")) : 0) {
			s->received++;
			return;
		}
		if (is_reject(t, n))
			s->rejected++;
		return;
	}
	if (!in)
		return;
	if (IS(v, "smtpd")) {
		if (is_reject(t, n))
			s->rejected++;
		else if ((lvl = tls_level(t, n)) >= 0)
			s->tls_in[lvl]++;
		else if (STARTS(t, n, "warning: ") && HAS(t, n, "SASL") &&
			 HAS(t, n, "authentication failed"))
			s->sasl_clients++;
		else if (STARTS(t, n, "SSL_accept error from "))
			s->tls_fail_in++;
	} else if (IS(v, "smtp") || IS(v, "lmtp")) {
		if ((lvl = tls_level(t, n)) >= 0)
			s->tls_out[lvl]++;
	}
}

void logsum_feed(struct logsum *s, const char *line, size_t len)
{
	struct logscan_view v;

	s->lines++;
	s->lineno++;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == 0)
		return;
	if (logscan_split(line, len, &s->clock, &v) < 0) {
		bad(s, line, len);
		return;
	}
	s->cur_line = line;
	s->cur_len = len;
	logsum_feed_view(s, &v);
	s->cur_line = NULL;
}

/* ---- pieces read in parallel ------------------------------------------------ */

void logsum_continue(struct logsum *s)
{
	s->cont = 1;
}

/* clock_follows - 1 when later's first classic stamp took the year that
 * reading on from a's state gives it (then later's clock is the one a
 * single reader would have). */
static int clock_follows(const struct logscan_clock *a, const struct logscan_clock *later)
{
	int m = later->first_mon, y;

	if (m < 0 || a->year == 0)
		return 1;	/* no classic stamp in later, or none before it in this file */
	if (m + 6 < a->last_mon)
		y = a->year + 1;
	else if (m > a->last_mon + 6)
		return 0;	/* a straggler: a fresh clock reads it otherwise */
	else
		y = a->year;
	return y == later->first_year;
}

/* table_merge - add later's rows to t by name; map[i]: t's index + 1 of later's row i. */
static void table_merge(struct logsum_table *t, const struct logsum_table *later, uint32_t *map)
{
	for (size_t i = 0; i < later->n; i++) {
		const struct logsum_row *l = &later->rows[i];
		struct logsum_row *r = table_get(t, l->name, l->len);

		if (map)
			map[i] = r ? (uint32_t)(r - t->rows) + 1 : 0;
		if (r == NULL)
			continue;
		r->delivered += l->delivered;
		r->deferred += l->deferred;
		r->bounced += l->bounced;
		r->count += l->count;
	}
}

/* settle - what a message from before (p: its entry in s, or NULL) did in
 * later (m): deliveries whose sender later could not know, and a
 * deferred count when s counted it already. */
static void settle(struct logsum *s, const struct logsum_msg *p, const struct logsum_msg *m)
{
	struct logsum_row *row = NULL;

	if (m->pend[0] || m->pend[1] || m->pend[2]) {
		row = p && p->sender ? &s->senders.rows[p->sender - 1] :
		      table_get(&s->senders, "(unknown)", 9);
		if (row) {
			row->delivered += m->pend[0];
			row->deferred += m->pend[1];
			row->bounced += m->pend[2];
		}
	}
	if (p && (p->flags & MSG_DEFERRED) && (m->flags & MSG_DEFERRED))
		s->deferred--;
}

int logsum_merge(struct logsum *s, struct logsum *later)
{
	uint32_t *smap = NULL;
	int made;

	if (!clock_follows(&s->clock, &later->clock))
		return -1;
	if (later->senders.n && (smap = calloc(later->senders.n, sizeof(*smap))) == NULL)
		return -1;
	s->lines += later->lines;
	s->outside += later->outside;
	for (long i = 0; i < later->unparsed && i < LOGSUM_BAD_KEPT; i++) {
		long k = s->unparsed + i;

		if (k >= LOGSUM_BAD_KEPT)
			break;
		s->bad[k] = later->bad[i];
		if (s->file_off > 0)
			snprintf(s->bad[k].where, sizeof(s->bad[k].where), "%s: line %ld after byte %lld",
				 s->file ? s->file : "-", s->lineno + later->bad[i].line, s->file_off);
		else
			snprintf(s->bad[k].where, sizeof(s->bad[k].where), "%s:%ld",
				 s->file ? s->file : "-", s->lineno + later->bad[i].line);
		s->bad[k].line = s->lineno + later->bad[i].line;
	}
	s->unparsed += later->unparsed;
	s->lineno += later->lineno;
	s->received += later->received;
	s->delivered += later->delivered;
	s->deferred += later->deferred;
	s->deferrals += later->deferrals;
	s->bounced += later->bounced;
	s->rejected += later->rejected;
	s->expired += later->expired;
	s->sasl_ours += later->sasl_ours;
	s->sasl_clients += later->sasl_clients;
	for (int k = 0; k < LT_LEVELS; k++) {
		s->tls_out[k] += later->tls_out[k];
		s->tls_in[k] += later->tls_in[k];
	}
	s->tls_fail_out += later->tls_fail_out;
	s->tls_fail_in += later->tls_fail_in;
	s->last_24h += later->last_24h;
	table_merge(&s->relays, &later->relays, NULL);
	table_merge(&s->domains, &later->domains, NULL);
	table_merge(&s->senders, &later->senders, smap);
	table_merge(&s->defer_reasons, &later->defer_reasons, NULL);
	table_merge(&s->bounce_reasons, &later->bounce_reasons, NULL);
	for (int k = 0; k < 5; k++) {
		if (later->hist[k] == NULL)
			continue;
		if (s->hist[k] == NULL && (s->hist[k] = calloc(LOGSUM_HIST, sizeof(uint32_t))) == NULL)
			continue;
		for (size_t b = 0; b < LOGSUM_HIST; b++)
			s->hist[k][b] += later->hist[k][b];
		s->hist_n[k] += later->hist_n[k];
	}
	for (size_t i = 0; i < later->nhours; i++)
		if (later->hours[i] > 0)
			hour_add(s, later->first_hour + (long long)i * 3600, later->hours[i]);
	if (later->newest > s->newest)
		s->newest = later->newest;
	if (later->oldest >= 0 && (s->oldest < 0 || later->oldest < s->oldest))
		s->oldest = later->oldest;
	if (later->last_fatal_time >= 0 && later->last_fatal_time >= s->last_fatal_time) {
		memcpy(s->last_fatal, later->last_fatal, sizeof(s->last_fatal));
		s->last_fatal_time = later->last_fatal_time;
	}
	/* messages from before that ended in later */
	for (size_t i = 0; i < later->closed.cap; i++) {
		const struct logsum_msg *c = &later->closed.v[i];
		struct logsum_msg *p;

		if (c->qid[0] == '\0')
			continue;
		p = mt_find(&s->msgs, c->qid, c->len);
		settle(s, p, c);
		if (p)
			mt_remove(&s->msgs, p);
	}
	/* messages still in flight at later's end */
	for (size_t i = 0; i < later->msgs.cap; i++) {
		const struct logsum_msg *m = &later->msgs.v[i];
		struct logsum_msg *p;
		uint32_t sender = m->sender ? smap[m->sender - 1] : 0;

		if (m->qid[0] == '\0' || !(m->flags & MSG_TOUCHED))
			continue;	/* only its first line was read: a single reader has no entry */
		if (m->flags & MSG_INHERITED) {
			p = mt_find(&s->msgs, m->qid, m->len);
			settle(s, p, m);
			if (p) {
				p->flags |= m->flags & MSG_DEFERRED;
				if (sender)
					p->sender = sender;
				continue;
			}
		}
		if ((p = mt_get(&s->msgs, m->qid, m->len, &made)) == NULL)
			continue;
		p->flags = (made ? 0 : p->flags) | (m->flags & MSG_DEFERRED);
		if (sender || made)
			p->sender = sender;
	}
	if (s->msgs.n > s->peak_in_flight)
		s->peak_in_flight = s->msgs.n;
	if (later->peak_in_flight > s->peak_in_flight)
		s->peak_in_flight = later->peak_in_flight;
	if (later->clock.first_mon >= 0)
		s->clock = later->clock;
	free(smap);
	return 0;
}

void logsum_brief_of(const struct logsum *s, struct logsum_brief *out)
{
	char source[sizeof(out->source)];

	memcpy(source, out->source, sizeof(source));
	memset(out, 0, sizeof(*out));
	memcpy(out->source, source, sizeof(source));
	out->delivered = s->delivered;
	out->deferred = s->deferred;
	out->bounced = s->bounced;
	out->sasl_failures = s->sasl_ours + s->sasl_clients;
	out->tls_failures = s->tls_fail_out + s->tls_fail_in;
	out->last_24h = s->last_24h;
	out->unparsed = s->unparsed;
	out->oldest = s->oldest;
	out->last_fatal_time = s->last_fatal_time;
	memcpy(out->last_fatal, s->last_fatal, sizeof(out->last_fatal));
}

void logsum_finish(struct logsum *s)
{
	/* rows move when sorted: the cached indexes would be wrong */
	rcache_free(s->rcache[0]);
	rcache_free(s->rcache[1]);
	s->rcache[0] = s->rcache[1] = NULL;
	table_sort(&s->relays);
	table_sort(&s->domains);
	table_sort(&s->senders);
	table_sort(&s->defer_reasons);
	table_sort(&s->bounce_reasons);
}

int logsum_time_parse(const char *s, long long now, long long *out)
{
	struct tm tm;
	char *end;
	long long v;
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '@') {
		v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			return -1;
		*out = v;
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (end != s && end[0] && !end[1] && v >= 0 && strchr("smhdw", end[0])) {
		static const long mult[] = { 1, 60, 3600, 86400, 604800 };

		*out = now - v * mult[strchr("smhdw", end[0]) - "smhdw"];
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (s[10] == ' ' || s[10] == 'T') {
		int m2 = 0;

		if (sscanf(s + 11, "%2d:%2d%n", &h, &mi, &m2) != 2)
			return -1;
		n = 11 + m2;
		if (s[n] == ':') {
			if (sscanf(s + n + 1, "%2d%n", &se, &m2) != 1)
				return -1;
			n += 1 + m2;
		}
	} else if (s[10] != '\0') {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	if (s[n] == 'Z' && !s[n + 1]) {
		*out = logscan_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
		return 0;
	}
	if ((s[n] == '+' || s[n] == '-') && strlen(s + n) == 6 && s[n + 3] == ':') {
		int oh = atoi(s + n + 1), om = atoi(s + n + 4);

		*out = logscan_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
		       (s[n] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		return 0;
	}
	if (s[n])
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*out = (long long)mktime(&tm);
	return 0;
}
