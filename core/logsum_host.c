/*
 * logsum_host - a summary of a host's own mail log: core/logsum fed by
 * core/logsrc through the target. Kept apart from logsum.c so the
 * counting has no dependency on targets (the fuzz target links it alone).
 * See logsum.h for logsum_read and logsum_brief.
 */
#include "config.h"
#include "logsum.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logsrc.h"
#include "target.h"

#define PIECE_MIN (32LL << 20)	/* a file is cut in pieces of at least this */
#define PIECES_MAX 8

struct reader {
	struct logsum *s;
	void (*warn)(void *, const char *);
	void *warg;
	volatile int *stop;
};

/* One piece of a file: the first goes to the summary itself, the others
 * to continuations merged in order after every piece is read. */
struct piece {
	struct target *t;
	const struct logsrc_file *f;
	long long from, to;	/* lines that start in [from, to); to -1: the end */
	struct logsum *s;
	volatile int *stop;
	int rc;
	struct err e;
	char warn[600];		/* the piece's last warning, said after the join */
};

/* The pieces of one file and the threads that take them in turn: a thread
 * slowed by other work on the machine takes fewer. */
struct pieces {
	struct piece pc[PIECES_MAX];
	int n;
	int next;		/* the next piece to take */
	pthread_mutex_t mu;
};

static void r_begin(void *arg, const char *name, long long mtime)
{
	struct reader *r = arg;

	logsum_begin_file(r->s, name, (time_t)mtime);
}

static void r_skipped(void *arg, long long off)
{
	struct reader *r = arg;

	r->s->file_off = off;
}

static int r_line(void *arg, const char *line, size_t len)
{
	struct reader *r = arg;

	logsum_feed(r->s, line, len);
	return r->stop && *r->stop;
}

static void r_warn(void *arg, const char *msg)
{
	struct reader *r = arg;

	if (r->warn)
		r->warn(r->warg, msg);
}

static int p_line(void *arg, const char *line, size_t len)
{
	struct piece *p = arg;

	logsum_feed(p->s, line, len);
	return p->stop && *p->stop;
}

static void p_warn(void *arg, const char *msg)
{
	struct piece *p = arg;

	snprintf(p->warn, sizeof(p->warn), "%s", msg);
}

/* worker - read pieces until none is left. */
static void *worker(void *arg)
{
	struct pieces *ps = arg;

	for (;;) {
		struct piece *p;
		int i;

		pthread_mutex_lock(&ps->mu);
		i = ps->next < ps->n ? ps->next++ : -1;
		pthread_mutex_unlock(&ps->mu);
		if (i < 0)
			return NULL;
		p = &ps->pc[i];
		struct logsrc_sink sink = { p, NULL, p_line, p_warn, NULL, NULL };

		p->rc = logsrc_read_span(p->t, p->f->path, p->from, p->to, &sink, &p->e);
	}
}

/* r_plain - a big local file in pieces read at once by a thread per CPU
 * (the local target is reentrant; over SSH one session reads in turn, so
 * that is left to the usual reading), merged into s in order; a piece
 * whose year cannot be trusted, or that could not be read, is read again
 * into s in order. */
static int r_plain(void *arg, struct target *t, const struct logsrc_file *f, long long off,
		   struct err *e)
{
	struct reader *r = arg;
	struct logsrc_sink sink = { r, NULL, r_line, r_warn, NULL, NULL };
	struct pieces *ps;
	pthread_t th[PIECES_MAX];
	int nth = 0, rc = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long long span = f->size - off, n, piece = PIECE_MIN;
	const char *env = getenv("RELAYDECK_LOG_PIECE");

	/* tests: pieces of this many bytes (0: one reader), whatever the CPUs */
	if (env && *env) {
		piece = atoll(env);
		ncpu = PIECES_MAX;
	}
	if (strcmp(t->ops->kind, "local") != 0 || ncpu < 2 || piece <= 0 || span < 2 * piece)
		return 2;
	n = span / piece;
	if (n > PIECES_MAX)
		n = PIECES_MAX;
	if (ncpu > n)
		ncpu = n;
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return 2;
	ps->n = (int)n;
	pthread_mutex_init(&ps->mu, NULL);
	for (int i = 0; i < ps->n; i++) {
		struct piece *p = &ps->pc[i];

		p->t = t;
		p->f = f;
		p->stop = r->stop;
		p->from = off + span * i / n;
		p->to = i + 1 < n ? off + span * (i + 1) / n : -1;
		err_clear(&p->e);
		if (i == 0) {
			p->s = r->s;
			continue;
		}
		if ((p->s = logsum_new(r->s->since, r->s->until)) == NULL) {
			ps->n = i;	/* the rest is read in order below */
			ps->pc[i - 1].to = -1;
			break;
		}
		p->s->day_end = r->s->day_end;
		logsum_begin_file(p->s, f->path, (time_t)f->mtime);
		logsum_continue(p->s);
	}
	for (int i = 0; i + 1 < ncpu && i + 1 < ps->n; i++)
		if (pthread_create(&th[nth], NULL, worker, ps) == 0)
			nth++;
	worker(ps);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < ps->n && rc == 0; i++) {
		struct piece *p = &ps->pc[i];

		if (p->rc == 1 || (r->stop && *r->stop)) {
			rc = 1;
		} else if (p->rc < 0 && i == 0) {
			*e = p->e;
			rc = -1;
		} else if (i == 0 || (p->rc == 0 && logsum_merge(r->s, p->s) == 0)) {
			if (p->warn[0])
				r_warn(r, p->warn);
		} else {
			rc = logsrc_read_span(t, f->path, p->from, p->to, &sink, e);
		}
	}
	for (int i = 1; i < ps->n; i++)
		logsum_free(ps->pc[i].s);
	pthread_mutex_destroy(&ps->mu);
	free(ps);
	return rc;
}

int logsum_read(struct logsum *s, struct target *t, const struct logsrc *src,
		void (*warn)(void *arg, const char *msg), void *warg, volatile int *stop,
		struct err *e)
{
	struct reader r = { s, warn, warg, stop };
	struct logsrc_sink sink = { &r, r_begin, r_line, r_warn, r_skipped, r_plain };

	return logsrc_read(t, src, logsum_read_from(s), s->until, &sink, e) < 0 ? -1 : 0;
}

long long logsum_read_from(const struct logsum *s)
{
	long long from = s->since;

	if (from < 0)
		return -1;
	if (s->day_end - 86400 < from)
		from = s->day_end - 86400;
	return from - LOGSUM_LEAD;
}

int logsum_brief(struct target *t, long long since, long long until,
		 struct logsum_brief *out, struct err *e)
{
	struct logsrc src;
	struct logsum *s;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->oldest = out->last_fatal_time = -1;
	if ((s = logsum_new(since, until)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	logsrc_init(&src);
	if (logsrc_discover(t, &src, e) == 0 && logsum_read(s, t, &src, NULL, NULL, NULL, e) == 0) {
		logsum_brief_of(s, out);
		rc = 0;
	}
	snprintf(out->source, sizeof(out->source), "%s", src.desc);
	logsrc_free(&src);
	logsum_free(s);
	return rc;
}
