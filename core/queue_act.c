/*
 * queue_act - listing, actions, message view and queue-file shape
 * through the target. See queue_act.h.
 */
#include "config.h"
#include "queue_act.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postfix.h"
#include "queue.h"

static const struct {
	const char *name, *done, *flag, *postsuper_says;
} actions[QA_COUNT] = {
	[QA_HOLD] = { "hold", "placed on hold", "-h", "placed on hold" },
	[QA_RELEASE] = { "release", "released from hold", "-H", "released from hold" },
	[QA_REQUEUE] = { "requeue", "requeued", "-r", "requeued" },
	[QA_DELETE] = { "delete", "deleted", "-d", "removed" },
	[QA_FLUSH] = { "flush", "scheduled for delivery", NULL, NULL },
};

const char *queue_action_name(enum queue_action a)
{
	return a < QA_COUNT ? actions[a].name : "?";
}

const char *queue_action_done(enum queue_action a)
{
	return a < QA_COUNT ? actions[a].done : "?";
}

int queue_action_parse(const char *s, enum queue_action *a)
{
	for (int i = 0; i < QA_COUNT; i++)
		if (strcmp(s, actions[i].name) == 0) {
			*a = (enum queue_action)i;
			return 0;
		}
	return -1;
}

int queue_action_applies(enum queue_action a, int qn)
{
	switch (a) {
	case QA_HOLD:
		return qn != QN_HOLD;
	case QA_RELEASE:
		return qn == QN_HOLD;
	case QA_FLUSH:
		return qn != QN_HOLD;
	default:
		return 1;
	}
}

/* first_complaint - the first stderr line that is not a per-message
 * report, into out. */
static const char *first_complaint(const char *err, char *out, size_t n)
{
	const char *line = err ? err : "";

	out[0] = '\0';
	while (*line) {
		size_t len = strcspn(line, "\n");

		if (len > 0 && (strstr(line, "fatal") || strstr(line, "warning") ||
				strstr(line, "error") || out[0] == '\0')) {
			snprintf(out, n, "%.*s", (int)len, line);
			if (strstr(out, "fatal") || strstr(out, "error"))
				break;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return out;
}

/* run_failed - the error of a program that ran but did not succeed. */
static int run_failed(const char *what, const struct run_out *o, int timeout_ms, struct err *e)
{
	char line[400];

	if (o->timed_out)
		return err_set(e, ERR_TIMEOUT, "%s: no end within %d s", what, timeout_ms / 1000);
	if (o->term_signal)
		return err_set(e, ERR_RUN, "%s: killed by signal %d", what, o->term_signal);
	first_complaint(o->err.data, line, sizeof(line));
	return err_set(e, ERR_RUN, "%s failed (exit %d)%s%s", what, o->exit_code,
		       line[0] ? ": " : "", line);
}

int queue_stream(struct target *t, target_chunk_fn sink, void *arg, int *cancelled,
		 struct err *e)
{
	const char *argv[] = { "postqueue", "-c", t->config_dir, "-j", NULL };
	struct run_out o;
	int rc = 0;

	*cancelled = 0;
	/* As root with the mail system down, postqueue runs
	 * $daemon_directory/showq itself: a program main.cf chooses. */
	if (target_config_trust(t, "postqueue", e) < 0)
		return -1;
	run_out_init(&o);
	if (target_run_stream(t, argv, NULL, sink, arg, &o, QUEUE_LIST_TIMEOUT_MS, e) < 0) {
		rc = -1;
	} else if (o.cancelled) {
		*cancelled = 1;
	} else if (o.timed_out || o.exit_code != 0) {
		rc = run_failed("postqueue -j", &o, QUEUE_LIST_TIMEOUT_MS, e);
	}
	run_out_free(&o);
	return rc;
}

void queue_act_result_free(struct queue_act_result *r)
{
	for (size_t i = 0; i < r->nmissing; i++)
		free(r->missing[i]);
	free(r->missing);
	memset(r, 0, sizeof(*r));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* mark_done - the IDs postsuper names in lines "postsuper: ID: <says>". */
static void mark_done(const char *err, const char *says, char **sorted, unsigned char *done,
		      size_t n)
{
	const char *line = err ? err : "";
	size_t slen = strlen(says);

	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *p = line, *colon;

		if (strncmp(p, "postsuper: ", 11) == 0)
			p += 11;
		colon = memchr(p, ':', (size_t)(line + len - p));
		if (colon && (size_t)(line + len - colon) == slen + 2 && colon[1] == ' ' &&
		    strncmp(colon + 2, says, slen) == 0 && colon - p < QUEUE_ID_MAX) {
			char id[QUEUE_ID_MAX];
			char *key = id, **hit;

			memcpy(id, p, (size_t)(colon - p));
			id[colon - p] = '\0';
			hit = bsearch(&key, sorted, n, sizeof(*sorted), cmp_str);
			if (hit)
				done[hit - sorted] = 1;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
}

/* add_missing - record id as not acted on. */
static int add_missing(struct queue_act_result *r, const char *id)
{
	char **v = realloc(r->missing, (r->nmissing + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	r->missing = v;
	if ((v[r->nmissing] = strdup(id)) == NULL)
		return -1;
	r->nmissing++;
	return 0;
}

/* act_postsuper - one postsuper for every ID, on its stdin. */
static int act_postsuper(struct target *t, enum queue_action a, const char *const *ids,
			 size_t n, struct queue_act_result *r, struct err *e)
{
	const char *argv[] = { "postsuper", "-c", t->config_dir, actions[a].flag, "-", NULL };
	struct buf in = BUF_INIT;
	struct run_out o;
	char **sorted = NULL, what[64];
	unsigned char *done = NULL;
	int timeout = 60000 + (int)(n < 1000000 ? n : 1000000) * 2, rc = -1;

	snprintf(what, sizeof(what), "postsuper %s", actions[a].flag);
	run_out_init(&o);
	if ((sorted = malloc(n * sizeof(*sorted))) == NULL || (done = calloc(n, 1)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sorted[i] = (char *)ids[i];
		if (buf_printf(&in, "%s\n", ids[i]) < 0) {
			err_set(e, ERR_LIMIT, "too many queue IDs");
			goto out;
		}
	}
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	if (target_run(t, argv, &in, &o, timeout, e) < 0)
		goto out;
	if (o.timed_out || o.exit_code != 0) {
		run_failed(what, &o, timeout, e);
		goto out;
	}
	mark_done(o.err.data, actions[a].postsuper_says, sorted, done, n);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0) {
			r->requested--;	/* the same ID twice counts once */
			continue;
		}
		if (done[i])
			r->done++;
		else if (add_missing(r, sorted[i]) < 0) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&in);
	run_out_free(&o);
	free(sorted);
	free(done);
	return rc;
}

/* act_flush - postqueue -i, one ID a process (it takes no list). */
static int act_flush(struct target *t, const char *const *ids, size_t n,
		     struct queue_act_result *r, struct err *e)
{
	if (n > QUEUE_FLUSH_MAX)
		return err_set(e, ERR_LIMIT, "flush takes at most %d messages one by one "
			       "(postqueue -i takes one queue ID); flush the whole queue or one "
			       "destination instead", QUEUE_FLUSH_MAX);
	r->flush_unknown = 1;
	for (size_t i = 0; i < n; i++) {
		const char *argv[] = { "postqueue", "-c", t->config_dir, "-i", ids[i], NULL };
		struct run_out o;
		int bad;

		run_out_init(&o);
		if (target_run(t, argv, NULL, &o, 30000, e) < 0) {
			run_out_free(&o);
			return -1;
		}
		bad = o.timed_out || o.exit_code != 0;
		if (bad)
			run_failed("postqueue -i", &o, 30000, e);
		run_out_free(&o);
		if (bad)
			return -1;
		r->done++;
	}
	return 0;
}

int queue_act(struct target *t, enum queue_action a, const char *const *ids, size_t n,
	      struct queue_act_result *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->action = a;
	r->requested = n;
	if (a >= QA_COUNT)
		return err_set(e, ERR_USAGE, "unknown queue action");
	for (size_t i = 0; i < n; i++)
		if (!queue_id_valid(ids[i]))
			return err_set(e, ERR_INVALID, "not a queue ID: \"%.*s\"", 64, ids[i]);
	if (n == 0)
		return 0;
	return a == QA_FLUSH ? act_flush(t, ids, n, r, e) : act_postsuper(t, a, ids, n, r, e);
}

/* run_simple - argv must exit 0; its complaint otherwise. */
static int run_simple(struct target *t, const char *const *argv, const char *what,
		      struct err *e)
{
	struct run_out o;
	int rc = 0;

	run_out_init(&o);
	if (target_run(t, argv, NULL, &o, 60000, e) < 0)
		rc = -1;
	else if (o.timed_out || o.exit_code != 0)
		rc = run_failed(what, &o, 60000, e);
	run_out_free(&o);
	return rc;
}

int queue_flush_all(struct target *t, struct err *e)
{
	const char *argv[] = { "postqueue", "-c", t->config_dir, "-f", NULL };

	return run_simple(t, argv, "postqueue -f", e);
}

int queue_flush_site(struct target *t, const char *site, struct err *e)
{
	const char *argv[] = { "postqueue", "-c", t->config_dir, "-s", site, NULL };

	if (site == NULL || site[0] == '\0' || site[0] == '-' || strlen(site) > 255)
		return err_set(e, ERR_INVALID, "flush: \"%s\" is not a destination", site ? site : "");
	for (const char *p = site; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_[]:", *p))
			return err_set(e, ERR_INVALID, "flush: \"%.60s\" is not a destination "
				       "(a domain or [address])", site);
	return run_simple(t, argv, "postqueue -s", e);
}

int queue_show(struct target *t, const char *id, int body, struct buf *out, struct err *e)
{
	const char *argv[] = { "postcat", "-c", t->config_dir, "-e", "-h", body ? "-b" : "-q",
			       body ? "-q" : id, body ? id : NULL, NULL };
	struct run_out o;
	int rc = 0;

	if (!queue_id_valid(id))
		return err_set(e, ERR_INVALID, "not a queue ID: \"%.64s\"", id);
	run_out_init(&o);
	if (target_run(t, argv, NULL, &o, 60000, e) < 0) {
		rc = -1;
	} else if (o.exit_code != 0 && strstr(o.err.data, "No such file")) {
		rc = err_set(e, ERR_NOTFOUND, "%s: no longer in the queue (delivered, expired or "
			     "removed)", id);
	} else if (o.timed_out || o.exit_code != 0) {
		rc = run_failed("postcat", &o, 60000, e);
	} else {
		buf_reset(out);
		if (buf_append(out, o.out.data, o.out.len) < 0)
			rc = err_set(e, ERR_LIMIT, "postcat: output too large");
	}
	run_out_free(&o);
	return rc;
}

/* ---- queue files ------------------------------------------------------------ */

/* an envelope is a few hundred bytes; more is read when a record needs it */
#define QF_WINDOW 1024

/* A queue file read a window at a time. */
struct qfile {
	struct target *t;
	const char *path;
	struct buf win;
	long long base;		/* file offset of win.data[0] */
};

/* qf_have - make [off, off+len) readable in the window; 0 when the file
 * ends before. */
static int qf_have(struct qfile *f, long long off, size_t len, struct err *e)
{
	if (off >= f->base && off + (long long)len <= f->base + (long long)f->win.len)
		return 1;
	if (f->t->ops->read_at(f->t, f->path, off, len > QF_WINDOW ? len : QF_WINDOW, &f->win,
			       e) < 0)
		return -1;
	f->base = off;
	return off + (long long)len <= f->base + (long long)f->win.len;
}

/* qf_record - the record at *off: type, data (NUL-terminated copy, cut
 * at max) and *off moved past it; 0 at the end of the file or on a
 * malformed record, -1 on a read error. */
static int qf_record(struct qfile *f, long long *off, int *type, char *data, size_t max,
		     long long *dlen, struct err *e)
{
	long long len = 0;
	int shift = 0, r;
	unsigned char c;

	if ((r = qf_have(f, *off, 1, e)) <= 0)
		return r;
	*type = (unsigned char)f->win.data[*off - f->base];
	(*off)++;
	do {
		if (shift > 14)
			return 0;	/* as qshape: at most three length bytes */
		if ((r = qf_have(f, *off, 1, e)) <= 0)
			return r;
		c = (unsigned char)f->win.data[*off - f->base];
		(*off)++;
		len |= (long long)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*dlen = len;
	if (max > 0) {
		size_t take = (size_t)len < max - 1 ? (size_t)len : max - 1;

		if ((r = qf_have(f, *off, take, e)) <= 0)
			return r;
		memcpy(data, f->win.data + (*off - f->base), take);
		data[take] = '\0';
	}
	*off += len;
	return 1;
}

/* A message's envelope, as much as the shape needs. */
struct qenv {
	long long arrival;
	int have_time;
	char sender[1024];
	int have_sender;
	char **rcpts;
	size_t nrcpt, alloc;
};

static int env_rcpt(struct qenv *v, const char *a)
{
	if (v->nrcpt == v->alloc) {
		size_t n = v->alloc ? v->alloc * 2 : 8;
		char **p = realloc(v->rcpts, n * sizeof(*p));

		if (p == NULL)
			return -1;
		v->rcpts = p;
		v->alloc = n;
	}
	if ((v->rcpts[v->nrcpt] = strdup(a)) == NULL)
		return -1;
	v->nrcpt++;
	return 0;
}

static void env_reset(struct qenv *v)
{
	for (size_t i = 0; i < v->nrcpt; i++)
		free(v->rcpts[i]);
	v->nrcpt = 0;
	v->have_time = v->have_sender = 0;
}

/* read_env - qshape's reading of one queue file: 1 when it is a complete
 * message with a time, a sender and recipients, 0 when not (yet). */
static int read_env(struct qfile *f, struct qenv *v, struct err *e)
{
	char data[1024];
	long long off = 0, dlen = 0, clen = -1, rcpt_count = -1, jumps = 0;
	long long seen = 0;
	int type, r;

	env_reset(v);
	if ((r = qf_record(f, &off, &type, data, sizeof(data), &dlen, e)) <= 0)
		return r;
	if (type == 'C') {
		char *p = data, *end;
		long long a, c;

		/* content size, data offset, recipients, ... */
		a = strtoll(p, &end, 10);
		if (end != p) {
			p = end;
			(void)strtoll(p, &end, 10);
			p = end;
			c = strtoll(p, &end, 10);
			if (end != p) {
				clen = a;
				rcpt_count = c;
			}
		}
		if ((r = qf_record(f, &off, &type, data, sizeof(data), &dlen, e)) <= 0 || type != 'T')
			return r < 0 ? -1 : 0;
		v->arrival = strtoll(data, NULL, 10);
		v->have_time = 1;
	} else if (type == 'S' || type == 'F') {
		struct target_stat st;

		/* a maildrop file: no time record; its modification time */
		if (target_stat(f->t, f->path, &st, e) < 0 || !st.exists)
			return st.exists ? -1 : 0;
		v->arrival = st.mtime;
		v->have_time = 1;
		if (type == 'F' && ((r = qf_record(f, &off, &type, data, sizeof(data), &dlen, e)) <= 0 ||
				    type != 'S'))
			return r < 0 ? -1 : 0;
		snprintf(v->sender, sizeof(v->sender), "%s", data);
		v->have_sender = 1;
	} else {
		return 0;
	}
	for (;;) {
		if ((r = qf_record(f, &off, &type, data, sizeof(data), &dlen, e)) <= 0)
			return r;
		switch (type) {
		case 'p': {
			long long to = strtoll(data, NULL, 10);

			if (to > 0) {
				if (++jumps > 10000)
					return 0;
				off = to;
			}
			break;
		}
		case 'R':
			if (env_rcpt(v, data) < 0)
				return err_set(e, ERR_NOMEM, "out of memory");
			seen++;
			break;
		case 'D':
		case '/':
			seen++;
			break;
		case 'S':
			snprintf(v->sender, sizeof(v->sender), "%s", data);
			v->have_sender = 1;
			break;
		case 'M':
			if (!v->have_sender)
				return 0;
			/* every recipient was in the envelope: the rest is content */
			if (rcpt_count > 0 && seen >= rcpt_count)
				return v->nrcpt > 0;
			if (clen >= 0) {
				off += clen;
				if ((r = qf_record(f, &off, &type, data, sizeof(data), &dlen, e)) <= 0)
					return r;
			} else {
				do {
					if ((r = qf_record(f, &off, &type, data, 0, &dlen, e)) <= 0)
						return r;
				} while (type == 'N' || type == 'L');
			}
			if (type != 'X')
				return 0;
			break;
		case 'E':
			return v->have_time && v->have_sender && v->nrcpt > 0;
		default:
			break;
		}
	}
}

static int scan_dir(struct target *t, const char *dir, int depth, struct qenv *v,
		    struct queue_shape *s, struct err *e);

/* scan_path - one queue file (or a hashed subdirectory) into s. */
static int scan_path(struct target *t, const char *path, int depth, struct qenv *v,
		     struct qfile *f, struct queue_shape *s, struct err *e)
{
	struct err fe;
	int r;

	f->t = t;
	f->path = path;
	f->base = 0;
	buf_reset(&f->win);
	err_clear(&fe);
	r = read_env(f, v, &fe);
	if (r < 0 && fe.sys_errno == EISDIR && depth < 4)
		return scan_dir(t, path, depth + 1, v, s, e);
	if (r < 0 && (fe.code == ERR_NOTFOUND || fe.sys_errno == ENOENT))
		return 0;	/* delivered or moved meanwhile */
	if (r < 0) {
		*e = fe;
		return -1;
	}
	if (r == 0)
		return 0;
	queue_shape_add_message(s);
	if (s->by_sender)
		return queue_shape_add(s, v->arrival, v->sender, e);
	for (size_t k = 0; k < v->nrcpt; k++)
		if (queue_shape_add(s, v->arrival, v->rcpts[k], e) < 0)
			return -1;
	return 0;
}

/* scan_dir - every queue file below dir. */
static int scan_dir(struct target *t, const char *dir, int depth, struct qenv *v,
		    struct queue_shape *s, struct err *e)
{
	char **names = NULL;
	size_t n = 0;
	struct qfile f;
	int rc = 0;

	if (t->ops->list_dir(t, dir, &names, &n, e) < 0)
		return -1;
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path))
			rc = scan_path(t, path, depth, v, &f, s, e);
	}
	buf_free(&f.win);
	target_names_free(names, n);
	return rc;
}

#define SCAN_THREADS_MAX 4

/* The top-level entries of the queues, shared by the scanning threads. */
struct scan_work {
	struct target *t;
	char **paths;
	size_t n, next;
	pthread_mutex_t mu;
	int failed;
	struct err e;
};

struct scanner {
	struct scan_work *w;
	struct queue_shape s;
	pthread_t th;
	int started;
};

/* scan_main - take entries until none are left (or one thread failed). */
static void *scan_main(void *arg)
{
	struct scanner *sc = arg;
	struct scan_work *w = sc->w;
	struct qenv v;
	struct qfile f;

	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	for (;;) {
		size_t i;
		struct err e;

		pthread_mutex_lock(&w->mu);
		i = w->failed ? w->n : w->next++;
		pthread_mutex_unlock(&w->mu);
		if (i >= w->n)
			break;
		err_clear(&e);
		if (scan_path(w->t, w->paths[i], 0, &v, &f, &sc->s, &e) < 0) {
			pthread_mutex_lock(&w->mu);
			if (!w->failed) {
				w->failed = 1;
				w->e = e;
			}
			pthread_mutex_unlock(&w->mu);
			break;
		}
	}
	env_reset(&v);
	free(v.rcpts);
	buf_free(&f.win);
	return NULL;
}

/* list_top - the entries of each chosen queue directory. */
static int list_top(struct target *t, const char *qdir, unsigned mask, struct scan_work *w,
		    struct err *e)
{
	size_t alloc = 0;

	for (int qn = 0; qn < QN_OTHER; qn++) {
		char dir[4096], **names = NULL;
		size_t n = 0;

		if (!(mask & QUEUE_MASK(qn)))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", qdir, queue_name_str((enum queue_name)qn));
		if (t->ops->list_dir(t, dir, &names, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			char path[4096];

			if (w->n == alloc) {
				size_t na = alloc ? alloc * 2 : 64;
				char **v = realloc(w->paths, na * sizeof(*v));

				if (v == NULL) {
					target_names_free(names, n);
					return err_set(e, ERR_NOMEM, "out of memory");
				}
				w->paths = v;
				alloc = na;
			}
			if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
				continue;
			if ((w->paths[w->n] = strdup(path)) == NULL) {
				target_names_free(names, n);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			w->n++;
		}
		target_names_free(names, n);
	}
	return 0;
}

int queue_scan_shape(struct target *t, unsigned mask, struct queue_shape *s, struct err *e)
{
	struct scanner sc[SCAN_THREADS_MAX];
	struct scan_work w;
	struct buf qdir = BUF_INIT;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = ncpu < 1 ? 1 : ncpu > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : (int)ncpu;
	int rc = 0;

	/* Over SSH every small read is a round trip: postqueue -j is faster. */
	if (t->ops->read_at == NULL || strcmp(t->ops->kind, "local") != 0 || !t->is_root)
		return 1;
	if (postfix_expand(t, "queue_directory", &qdir, e) < 0)
		return -1;
	if (qdir.len == 0 || qdir.data[0] != '/') {
		buf_free(&qdir);
		return 1;
	}
	memset(&w, 0, sizeof(w));
	w.t = t;
	pthread_mutex_init(&w.mu, NULL);
	memset(sc, 0, sizeof(sc));
	rc = list_top(t, qdir.data, mask, &w, e);
	buf_free(&qdir);
	/* the local target is reentrant: the files are read on every CPU */
	for (int i = 0; i < nth && rc == 0; i++) {
		sc[i].w = &w;
		if (queue_shape_init(&sc[i].s, s->by_sender, s->now) < 0) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		sc[i].started = i == 0 || pthread_create(&sc[i].th, NULL, scan_main, &sc[i]) == 0;
		if (!sc[i].started)
			queue_shape_free(&sc[i].s);
	}
	if (rc == 0 && sc[0].started) {
		sc[0].started = 0;	/* the first share is done here */
		scan_main(&sc[0]);
	}
	for (int i = 1; i < nth; i++)
		if (sc[i].started)
			pthread_join(sc[i].th, NULL);
	if (rc == 0 && w.failed) {
		*e = w.e;
		rc = -1;
	}
	for (int i = 0; i < nth; i++) {
		if (rc == 0 && queue_shape_merge(s, &sc[i].s, e) < 0)
			rc = -1;
		queue_shape_free(&sc[i].s);
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	pthread_mutex_destroy(&w.mu);
	if (rc < 0 && e->sys_errno == EACCES) {
		/* not allowed to read the queue here: the caller lists instead */
		int by = s->by_sender;
		long long now = s->now;

		err_clear(e);
		queue_shape_free(s);
		queue_shape_init(s, by, now);
		return 1;
	}
	if (rc == 0)
		queue_shape_sort(s);
	return rc;
}
