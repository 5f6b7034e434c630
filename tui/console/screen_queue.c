/*
 * screen_queue - the Queue screen: the mail queue as a list of messages
 * (virtual: only the rows on screen are drawn), as qshape's age x domain
 * table drawn as a heat table, and grouped by normalised delay reason;
 * marks, filters, sort orders, search as you type, and actions (hold,
 * release, requeue, delete, flush) on the marked messages or the
 * selected one. Enter opens a message (postcat, screen_queue_msg_ops).
 *
 * Loading: `postqueue -j` streams in a worker thread (queue_stream over
 * the target's run_stream) into the model, which the worker feeds under
 * the data's mutex; the loop is woken as pieces arrive and the rows are
 * rebuilt at most every REBUILD_MS, so the first rows show while
 * postqueue still runs. Every screen entry point that reads the model
 * takes the mutex; the worker holds it only while it parses a piece.
 *
 * Refresh (r, and every REFRESH_S seconds while the screen is open)
 * reads the queue again into the same model: the filter, sort and view
 * are the screen's; the marks and the cursor are remembered by queue ID
 * and put back as those messages come in again (the cursor only while
 * the admin has not moved it meanwhile).
 *
 * Actions run in the worker too (postsuper with the IDs on stdin; see
 * core/queue_act), after a confirmation that states the count; delete
 * asks a second time. Messages already in the state asked for (hold of
 * a held one) are left out and counted; those gone from the queue since
 * the list was read are reported, not treated as errors. Then the queue
 * is read again.
 *
 * One job at a time (load, action or message view). Leaving the screen
 * stops a load (postqueue is killed) and waits for an action to end.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "queue.h"
#include "queue_act.h"
#include "queue_shape.h"
#include "report.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define REBUILD_MS 200
#define REFRESH_S 60
#define DETAIL_ROWS 3

enum view { V_LIST, V_SHAPE, V_REASONS, V_COUNT };
enum job_kind { J_LOAD, J_ACT, J_SHOW };
enum { TAG_FILTER = 1, TAG_ACT, TAG_ACT2, TAG_FLUSH_ALL, TAG_FLUSH_SITE };

/* The model and its reader, shared with a loading worker. */
struct qdata {
	pthread_mutex_t mu;
	struct queue q;
	struct queue_reader *r;
	int cancel;		/* under mu: the screen is gone or wants a new load */
	long long last_wake;	/* the worker's last console_wake (ms) */
};

/* A background job; freed by whoever is last (the screen joins it). */
struct job {
	pthread_t th;
	pthread_mutex_t mu;
	int done;
	enum job_kind kind;
	struct console *c;
	struct target *t;
	struct qdata *qd;
	/* action */
	enum queue_action a;
	char **ids;
	size_t nids;
	size_t skipped;		/* left out: already in the state asked for */
	int flush_all;
	char site[256];
	struct queue_act_result res;
	/* message view */
	char id[QUEUE_ID_MAX];
	int body;
	struct buf text;
	/* result */
	int rc, cancelled;
	struct err e;
	long long started, first_rows;	/* ms */
};

struct qscreen {
	struct screen *s;
	struct qdata *qd;
	struct job *job;
	enum view view;
	struct queue_filter f;
	enum queue_sort sort;
	int reverse;
	uint32_t *rows;		/* the list: message indices, filtered and sorted */
	size_t nrows;
	size_t rows_built;	/* q.count when rows were built */
	long long rows_at;	/* when (ms) */
	long long rows_cost;	/* how long that took (ms) */
	struct w_list wl, sl, rl;	/* list, shape rows, reason groups */
	struct w_text detail;
	struct queue_shape shape;
	int have_shape;
	unsigned shape_queues;
	int by_sender;
	struct queue_reasons reasons;
	int have_reasons;
	size_t nmarked;
	/* search as you type */
	int searching;
	char search[128];
	size_t search_from;	/* the selection when the search began */
	char last_search[128];
	/* loading */
	int loaded_once;
	long long load_started, load_ms, first_rows_ms;
	char load_error[600];
	char load_warning[400];
	long long next_refresh;	/* ms; 0: none */
	long long now;		/* ages are counted from here (the load's start) */
	char read_at[16];	/* "HH:MM:SS" of the last complete read */
	/* kept across a refresh by queue ID */
	char keep_sel[QUEUE_ID_MAX];
	int user_moved;
	size_t sel_rebuilt;	/* the selection the last rebuild left */
	char **keep_marks;
	size_t nkeep_marks;
	size_t marks_checked;	/* messages looked up in keep_marks so far */
	/* the action being confirmed */
	enum queue_action pending_act;
	char **pending_ids;
	size_t npending, pending_skipped;
	char pending_site[256];
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* fmt_size - 1530 -> "1.5k". */
static const char *fmt_size(unsigned long long n, char *out, size_t len)
{
	if (n < 1000)
		snprintf(out, len, "%llu", n);
	else if (n < 1000000)
		snprintf(out, len, "%.1fk", (double)n / 1000);
	else
		snprintf(out, len, "%.1fM", (double)n / 1000000);
	return out;
}

static void free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* ---- data and jobs ---------------------------------------------------- */

static struct qdata *qdata_new(void)
{
	struct qdata *d = calloc(1, sizeof(*d));

	pthread_mutexattr_t ma;

	if (d == NULL)
		return NULL;
	/* recursive: a key handler that holds it may start a load, which takes it */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&d->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (queue_init(&d->q) < 0) {
		pthread_mutex_destroy(&d->mu);
		free(d);
		return NULL;
	}
	return d;
}

static void qdata_free(struct qdata *d)
{
	if (d == NULL)
		return;
	queue_reader_free(d->r);
	queue_free(&d->q);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

static void job_free(struct job *j)
{
	if (j == NULL)
		return;
	free_ids(j->ids, j->nids);
	queue_act_result_free(&j->res);
	buf_free(&j->text);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* load_sink - a piece of postqueue's output into the model. */
static int load_sink(void *arg, const char *data, size_t len)
{
	struct job *j = arg;
	struct qdata *d = j->qd;
	long long now;
	int stop, first = 0;
	struct err e;

	pthread_mutex_lock(&d->mu);
	stop = d->cancel;
	if (!stop) {
		size_t before = d->q.count;

		if (queue_reader_feed(d->r, data, len, &e) < 0) {
			j->e = e;
			j->rc = -1;
			stop = 1;
		}
		first = before == 0 && d->q.count > 0;
	}
	pthread_mutex_unlock(&d->mu);
	now = mono_ms();
	if (first && j->first_rows == 0)
		j->first_rows = now;
	if (!stop && (first || now - d->last_wake >= 50)) {
		d->last_wake = now;
		console_wake(j->c);
	}
	return stop;
}

/* job_main - the worker. */
static void *job_main(void *arg)
{
	struct job *j = arg;
	struct err e;

	err_clear(&e);
	switch (j->kind) {
	case J_LOAD: {
		int rc = queue_stream(j->t, load_sink, j, &j->cancelled, &e);

		pthread_mutex_lock(&j->qd->mu);
		if (j->rc == 0 && rc < 0) {
			j->rc = -1;
			j->e = e;
		}
		queue_reader_end(j->qd->r, &e);
		pthread_mutex_unlock(&j->qd->mu);
		break;
	}
	case J_ACT:
		if (j->site[0])
			j->rc = queue_flush_site(j->t, j->site, &j->e);
		else if (j->flush_all)
			j->rc = queue_flush_all(j->t, &j->e);
		else
			j->rc = queue_act(j->t, j->a, (const char *const *)j->ids, j->nids, &j->res,
					  &j->e);
		break;
	case J_SHOW:
		j->rc = queue_show(j->t, j->id, j->body, &j->text, &j->e);
		break;
	}
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	pthread_mutex_unlock(&j->mu);
	console_wake(j->c);
	return NULL;
}

/* job_start - run j in a thread; it belongs to the screen from now on. */
static int job_start(struct qscreen *p, struct job *j)
{
	j->c = p->s->c;
	j->t = console_target(p->s->c);
	j->started = mono_ms();
	pthread_mutex_init(&j->mu, NULL);
	if (pthread_create(&j->th, NULL, job_main, j) != 0) {
		console_message(p->s->c, ROLE_ERROR, "cannot start a thread");
		job_free(j);
		return -1;
	}
	p->job = j;
	console_dirty(p->s->c, DIRTY_STATUS | DIRTY_SCREEN);
	return 0;
}

static int job_done(struct job *j)
{
	int d;

	pthread_mutex_lock(&j->mu);
	d = j->done;
	pthread_mutex_unlock(&j->mu);
	return d;
}

/* job_wait - stop a load, wait for any job, free it. */
static void job_wait(struct qscreen *p)
{
	if (p->job == NULL)
		return;
	if (p->job->kind == J_LOAD) {
		pthread_mutex_lock(&p->qd->mu);
		p->qd->cancel = 1;
		pthread_mutex_unlock(&p->qd->mu);
	}
	pthread_join(p->job->th, NULL);
	job_free(p->job);
	p->job = NULL;
}

/* ---- rows ------------------------------------------------------------- */

/* sel_msg - the message under the cursor, or -1. */
static long sel_msg(const struct qscreen *p)
{
	return p->wl.sel < p->nrows ? (long)p->rows[p->wl.sel] : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* restore_marks - messages read since the last call get their mark back. */
static void restore_marks(struct qscreen *p)
{
	struct queue *q = &p->qd->q;

	for (size_t i = p->marks_checked; i < q->count && p->nkeep_marks; i++) {
		const char *id = q->msgs[i].id;

		if (bsearch(&id, p->keep_marks, p->nkeep_marks, sizeof(char *), cmp_str)) {
			q->msgs[i].flags |= QM_MARKED;
			p->nmarked++;
		}
	}
	p->marks_checked = q->count;
}

/* rebuild - filter and sort again (under the data's lock); the cursor
 * stays on its message, or goes back to the one kept across a refresh. */
static void rebuild(struct qscreen *p)
{
	struct queue *q = &p->qd->q;
	int loading = p->job && p->job->kind == J_LOAD;
	long cur = sel_msg(p);
	char cur_id[QUEUE_ID_MAX] = "";
	uint32_t *rows = NULL;
	size_t n = 0;
	long long started = mono_ms();
	struct err e;

	if (cur >= 0 && (size_t)cur < q->count)
		snprintf(cur_id, sizeof(cur_id), "%s", q->msgs[cur].id);
	/* while the queue is read, the cursor stays at its row unless the
	 * admin moves it (then it stays on that message); after a refresh it
	 * goes back to the message it was on, as soon as that is read again */
	if ((loading || p->keep_sel[0]) && p->wl.sel != p->sel_rebuilt)
		p->user_moved = 1;
	if (!p->user_moved && p->keep_sel[0])
		snprintf(cur_id, sizeof(cur_id), "%s", p->keep_sel);
	else if (!p->user_moved && loading)
		cur_id[0] = '\0';
	restore_marks(p);
	err_clear(&e);
	if (queue_select(q, &p->f, p->now, p->sort, p->reverse, &rows, &n, &e) < 0) {
		console_error(p->s->c, &e);
		return;
	}
	free(p->rows);
	p->rows = rows;
	p->nrows = n;
	p->rows_built = q->count;
	p->rows_cost = mono_ms() - started;
	p->rows_at = mono_ms();
	w_list_set_count(&p->wl, n);
	if (cur_id[0]) {
		for (size_t k = 0; k < n; k++)
			if (strcmp(q->msgs[rows[k]].id, cur_id) == 0) {
				w_list_select(&p->wl, k);
				break;
			}
	}
	p->sel_rebuilt = p->wl.sel;
	p->have_shape = p->have_reasons = 0;
	console_dirty(p->s->c, DIRTY_SCREEN | DIRTY_STATUS);
}

/* build_shape - the table for the shape view, from what the filter shows
 * in the chosen queues. */
static void build_shape(struct qscreen *p)
{
	struct queue *q = &p->qd->q;
	struct queue_filter f = p->f;
	uint32_t *idx = NULL;
	size_t n = 0;
	struct err e;

	if (p->have_shape)
		return;
	queue_shape_free(&p->shape);
	queue_shape_init(&p->shape, p->by_sender, p->now);
	f.queues = p->shape_queues;
	err_clear(&e);
	if (queue_select(q, &f, p->now, QS_NONE, 0, &idx, &n, &e) < 0 ||
	    queue_shape_build(&p->shape, q, idx, n, &e) < 0)
		console_error(p->s->c, &e);
	free(idx);
	w_list_set_count(&p->sl, p->shape.nrows + 1);
	p->have_shape = 1;
}

static void build_reasons(struct qscreen *p)
{
	struct err e;

	if (p->have_reasons)
		return;
	queue_reasons_free(&p->reasons);
	err_clear(&e);
	if (queue_reasons_build(&p->reasons, &p->qd->q, p->rows, p->nrows, &e) < 0)
		console_error(p->s->c, &e);
	w_list_set_count(&p->rl, p->reasons.ngroups);
	p->have_reasons = 1;
}

/* ---- drawing ------------------------------------------------------------ */

static const char queue_letter[QN_COUNT] = { 'M', 'I', 'A', 'D', 'H', '?' };

/* list_row - one message in the columns of the header. */
static void list_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct qscreen *p = ctx;
	struct queue *q = &p->qd->q;
	const struct queue_msg *m = &q->msgs[p->rows[i]];
	const char *sender = queue_sender(q, m);
	char age[24], size[24], addr[600], line[1400];
	int sw = width >= 100 ? 30 : width >= 80 ? 22 : 16;
	enum theme_role r = sel ? ROLE_SELECTED : m->queue == QN_HOLD ? ROLE_WARNING : ROLE_NORMAL;

	queue_age_format(p->now - m->arrival, age, sizeof(age));
	fmt_size(m->size, size, sizeof(size));
	addr[0] = '\0';
	if (m->nrcpt > 0)
		queue_rcpt_address(q, &q->rcpts[m->rcpt], addr, sizeof(addr) - 16);
	if (m->nrcpt > 1)
		snprintf(addr + strlen(addr), 16, " +%u", m->nrcpt - 1);
	snprintf(line, sizeof(line), "%c %-12s %c %6s %6s ", (m->flags & QM_MARKED) ? '*' : ' ',
		 m->id, queue_letter[m->queue < QN_COUNT ? m->queue : QN_OTHER], age, size);
	{
		int used = ui_put_nopad(w, y, x, width, r, line);

		if (width - used > sw + 1) {
			ui_put_cut(w, y, x + used, sw, r, *sender ? sender : "<>");
			ui_put_cut(w, y, x + used + sw, 1, r, " ");
			ui_put_cut(w, y, x + used + sw + 1, width - used - sw - 1, r, addr);
		} else {
			ui_put_cut(w, y, x + used, width - used, r, addr);
		}
	}
}

/* heat - the role of a count against the largest: a log scale, so a
 * few stuck messages show as well as thousands. */
static enum theme_role heat(size_t n, size_t max)
{
	double f;

	if (n == 0)
		return ROLE_DIM;
	f = log1p((double)n) / log1p((double)(max ? max : 1));
	return f < 0.34 ? ROLE_NORMAL : f < 0.67 ? ROLE_WARNING : ROLE_ERROR;
}

/* shape_w - the width of column k (0: T, then the buckets): its heading
 * or four characters, and a blank. */
static int shape_w(int k)
{
	char l[16];
	int h = k == 0 ? 1 : (int)strlen(queue_shape_label(k - 1, l, sizeof(l)));

	return (h > 4 ? h : 4) + 1;
}

/* shape_nw - the width left for the domain. */
static int shape_nw(int width)
{
	int used = 0;

	for (int k = 0; k <= QUEUE_SHAPE_BUCKETS; k++)
		used += shape_w(k);
	return width - used > 8 ? width - used : 8;
}

/* fmt_cell - n in at most w characters: exact when it fits, else 54k, 1.2M. */
static const char *fmt_cell(size_t n, int w, char *out, size_t len)
{
	snprintf(out, len, "%zu", n);
	if ((int)strlen(out) <= w)
		return out;
	if (n < 1000000)
		snprintf(out, len, "%zuk", n / 1000);
	else
		snprintf(out, len, "%.1fM", (double)n / 1000000);
	return out;
}

static void shape_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct qscreen *p = ctx;
	const struct queue_shape *s = &p->shape;
	const struct queue_shape_row *row = i == 0 ? &s->total : &s->rows[i - 1];
	int nw = shape_nw(width), cx = x + nw;
	size_t max = 0;
	char num[32], cell[40];

	for (size_t r = 0; r < s->nrows; r++)
		for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
			if (s->rows[r].count[k] > max)
				max = s->rows[r].count[k];
	ui_put_cut(w, y, x, nw, sel ? ROLE_SELECTED : i == 0 ? ROLE_HEADER : ROLE_NORMAL, row->name);
	for (int k = 0; k <= QUEUE_SHAPE_BUCKETS; k++) {
		int cw = shape_w(k);
		size_t n = k == 0 ? row->total : row->count[k - 1];

		if (cx + cw > x + width)
			break;
		snprintf(cell, sizeof(cell), "%*s", cw, fmt_cell(n, cw - 1, num, sizeof(num)));
		ui_put(w, y, cx, cw, sel ? ROLE_SELECTED : i == 0 || k == 0 ? ROLE_HEADER :
		       heat(n, max), cell);
		cx += cw;
	}
}

static void reason_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct qscreen *p = ctx;
	const struct queue_reason_group *g = &p->reasons.groups[i];
	char n1[32], n2[32], line[900];

	snprintf(line, sizeof(line), "%9s %8s  %s", report_count(g->recipients, n1, sizeof(n1)),
		 report_count(g->messages, n2, sizeof(n2)),
		 g->text[0] ? g->text : "(no delay reason: not tried yet)");
	ui_put_cut(w, y, x, width, sel ? ROLE_SELECTED : ROLE_NORMAL, line);
}

/* detail_text - the pane under the list: the selected message's
 * recipients and reasons, a shape row's meaning, a group's example. */
static void detail_text(struct qscreen *p)
{
	struct queue *q = &p->qd->q;
	char addr[600], age[24];

	w_text_clear(&p->detail);
	if (p->view == V_LIST) {
		long i = sel_msg(p);
		const struct queue_msg *m;

		if (i < 0)
			return;
		m = &q->msgs[i];
		queue_age_format(p->now - m->arrival, age, sizeof(age));
		w_text_add(&p->detail, ROLE_HEADER, " %s  %s, %s old, %u bytes, from %s", m->id,
			   queue_name_str((enum queue_name)m->queue), age, m->size,
			   *queue_sender(q, m) ? queue_sender(q, m) : "<>");
		for (uint32_t k = 0; k < m->nrcpt; k++) {
			const struct queue_rcpt *r = &q->rcpts[m->rcpt + k];
			const char *why = queue_rcpt_reason(q, r);

			w_text_add(&p->detail, ROLE_DIM, "   %s%s%s",
				   queue_rcpt_address(q, r, addr, sizeof(addr)), why ? ": " : "",
				   why ? why : "");
		}
	} else if (p->view == V_SHAPE) {
		const struct queue_shape *sh = &p->shape;
		const struct queue_shape_row *row = p->sl.sel == 0 ? &sh->total :
						    p->sl.sel <= sh->nrows ? &sh->rows[p->sl.sel - 1] : NULL;
		struct buf b = BUF_INIT;
		char n[32], l[16];
		unsigned qm = p->shape_queues;

		if (row) {
			buf_printf(&b, " %s: %s %s in", row->name, report_count(row->total, n, sizeof(n)),
				   p->by_sender ? "messages" : "recipients");
			for (int k = 0; k < QN_OTHER; k++)
				if (qm & QUEUE_MASK(k))
					buf_printf(&b, " %s", queue_name_str((enum queue_name)k));
			buf_puts(&b, ";");
			for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
				if (row->count[k])
					buf_printf(&b, " %s%s min: %s;", k < QUEUE_SHAPE_BUCKETS - 1 ? "<" : "",
						   queue_shape_label(k, l, sizeof(l)),
						   report_count(row->count[k], n, sizeof(n)));
			w_text_add(&p->detail, ROLE_NORMAL, "%s", b.data);
			buf_free(&b);
		}
		w_text_add(&p->detail, ROLE_DIM, " Columns: age under N minutes (qshape's buckets); "
			   "colour: few, many, most. Enter: the messages; x: deliver to that domain now; "
			   "w: queue; b: by sender.");
	} else if (p->rl.sel < p->reasons.ngroups) {
		const struct queue_reason_group *g = &p->reasons.groups[p->rl.sel];

		w_text_add(&p->detail, ROLE_DIM, " e.g. %s", g->example[0] ? g->example :
			   "(none: these recipients have not been tried yet)");
	}
}

static const char *const view_names[V_COUNT] = { "messages", "shape", "reasons" };

/* title_line - counts per queue, the view, the loading state. */
static void title_line(struct qscreen *p, WINDOW *w, int y, int wd)
{
	struct queue *q = &p->qd->q;
	struct buf b = BUF_INIT;
	char n[32];

	buf_printf(&b, " Queue  %s", report_count(q->count, n, sizeof(n)));
	buf_printf(&b, " message%s:", q->count == 1 ? "" : "s");
	for (int k = 0; k < QN_COUNT; k++)
		if (q->per_queue[k])
			buf_printf(&b, " %s %s", queue_name_str((enum queue_name)k),
				   report_count(q->per_queue[k], n, sizeof(n)));
	buf_printf(&b, "   [%s]", view_names[p->view]);
	if (p->read_at[0])
		buf_printf(&b, "  read %s", p->read_at);
	ui_put_cut(w, y, 0, wd, ROLE_TITLE, b.data);
	buf_free(&b);
}

/* info_line - filter, sort, marks, or the search field, or progress. */
static void info_line(struct qscreen *p, WINDOW *w, int y, int wd)
{
	struct buf b = BUF_INIT;
	char f[700], n[32];
	enum theme_role r = ROLE_DIM;

	if (p->searching) {
		buf_printf(&b, " search: %s_   (Enter keeps the match, Esc goes back)", p->search);
		r = ROLE_WARNING;
	} else if (p->job && p->job->kind == J_LOAD) {
		buf_printf(&b, " reading the queue\xe2\x80\xa6 %s messages (%.1f s)",
			   report_count(p->qd->q.count, n, sizeof(n)),
			   (double)(mono_ms() - p->load_started) / 1000);
		r = ROLE_WARNING;
	} else if (p->job) {
		buf_puts(&b, " working\xe2\x80\xa6");
		r = ROLE_WARNING;
	} else if (p->load_error[0]) {
		buf_printf(&b, " %s", p->load_error);
		r = ROLE_ERROR;
	} else {
		queue_filter_format(&p->f, f, sizeof(f));
		if (p->f.group[0])
			buf_printf(&b, " reason: %s ", p->f.group);
		buf_printf(&b, " filter: %s  sort: %s%s  shown: %s", f[0] ? f : "none",
			   queue_sort_name(p->sort), p->reverse ? " (reversed)" : "",
			   report_count(p->nrows, n, sizeof(n)));
		if (p->nmarked)
			buf_printf(&b, "  marked: %s", report_count(p->nmarked, n, sizeof(n)));
		if (p->load_warning[0]) {
			buf_printf(&b, "  %s", p->load_warning);
			r = ROLE_WARNING;
		}
	}
	ui_put_cut(w, y, 0, wd, r, b.data);
	buf_free(&b);
}

static void queue_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct qscreen *p = s->data;
	int top = y + 3, det, body;
	char l[16];

	pthread_mutex_lock(&p->qd->mu);
	title_line(p, w, y, wd);
	info_line(p, w, y + 1, wd);
	if (p->view == V_LIST) {
		char hd[300];
		int sw = wd >= 100 ? 30 : wd >= 80 ? 22 : 16;

		snprintf(hd, sizeof(hd), "  %-12s %c %6s %6s %-*s %s", "ID", 'Q', "AGE", "SIZE", sw,
			 "SENDER", "RECIPIENT");
		ui_put_cut(w, y + 2, 0, wd, ROLE_HEADER, hd);
	} else if (p->view == V_SHAPE) {
		struct buf b = BUF_INIT;
		int nw = shape_nw(wd);

		build_shape(p);
		buf_printf(&b, "%-*.*s", nw, nw, p->by_sender ? "sender domain" : "recipient domain");
		buf_printf(&b, "%*s", shape_w(0), "T");
		for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
			buf_printf(&b, "%*s", shape_w(k + 1), queue_shape_label(k, l, sizeof(l)));
		ui_put_cut(w, y + 2, 0, wd, ROLE_HEADER, b.data);
		buf_free(&b);
	} else {
		build_reasons(p);
		ui_put_cut(w, y + 2, 0, wd, ROLE_HEADER, "RECIPIENTS MESSAGES  REASON (host, numbers "
			   "folded): Enter lists them");
	}
	detail_text(p);
	body = h - 3;
	det = w_text_pane_rows(&p->detail, wd, 1, body);
	if (det > DETAIL_ROWS + (p->view == V_LIST ? 2 : 0))
		det = DETAIL_ROWS + (p->view == V_LIST ? 2 : 0);
	if (p->view == V_LIST) {
		if (p->nrows == 0)
			ui_put_wrapped(w, top, 0, wd, 1, ROLE_DIM, p->job ? "" :
				       p->qd->q.count ? "no message matches the filter (F clears it)" :
				       p->loaded_once ? "the queue is empty" : "");
		w_list_draw(&p->wl, w, top + (p->nrows == 0), 0, body - det - (p->nrows == 0), wd);
	} else if (p->view == V_SHAPE) {
		w_list_draw(&p->sl, w, top, 0, body - det, wd);
	} else {
		w_list_draw(&p->rl, w, top, 0, body - det, wd);
	}
	if (det > 0)
		w_text_draw(&p->detail, w, y + h - det, 0, det, wd);
	pthread_mutex_unlock(&p->qd->mu);
}

/* ---- loading ---------------------------------------------------------------- */

/* load_start - read the queue again (see the header for what is kept). */
static void load_start(struct qscreen *p)
{
	struct qdata *d = p->qd;
	struct queue *q = &d->q;
	struct job *j;
	long cur;

	if (p->job)
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	/* remember the cursor and the marks by ID */
	cur = sel_msg(p);
	p->keep_sel[0] = '\0';
	if (cur >= 0)
		snprintf(p->keep_sel, sizeof(p->keep_sel), "%s", q->msgs[cur].id);
	p->user_moved = 0;
	free_ids(p->keep_marks, p->nkeep_marks);
	p->keep_marks = NULL;
	p->nkeep_marks = 0;
	if (p->nmarked && (p->keep_marks = malloc(p->nmarked * sizeof(char *))) != NULL) {
		for (size_t i = 0; i < q->count && p->nkeep_marks < p->nmarked; i++)
			if ((q->msgs[i].flags & QM_MARKED) &&
			    (p->keep_marks[p->nkeep_marks] = strdup(q->msgs[i].id)) != NULL)
				p->nkeep_marks++;
		qsort(p->keep_marks, p->nkeep_marks, sizeof(char *), cmp_str);
	}
	p->nmarked = 0;
	p->marks_checked = 0;
	queue_reader_free(d->r);
	queue_clear(q);
	d->r = queue_reader_new(q, NULL, NULL);
	d->cancel = 0;
	free(p->rows);
	p->rows = NULL;
	p->nrows = p->rows_built = 0;
	w_list_set_count(&p->wl, 0);
	p->sel_rebuilt = p->wl.sel;
	p->have_shape = p->have_reasons = 0;
	p->load_error[0] = p->load_warning[0] = '\0';
	p->now = (long long)time(NULL);
	pthread_mutex_unlock(&d->mu);
	if (d->r == NULL) {
		free(j);
		console_message(p->s->c, ROLE_ERROR, "out of memory");
		return;
	}
	j->kind = J_LOAD;
	j->qd = d;
	p->load_started = mono_ms();
	p->next_refresh = 0;
	job_start(p, j);
}

/* load_end - the worker finished reading. */
static void load_end(struct qscreen *p, struct job *j)
{
	char why[400];

	p->load_ms = mono_ms() - j->started;
	{
		time_t t = (time_t)p->now;
		struct tm tm;

		if (!j->cancelled && localtime_r(&t, &tm))
			strftime(p->read_at, sizeof(p->read_at), "%H:%M:%S", &tm);
	}
	if (j->first_rows)
		p->first_rows_ms = j->first_rows - j->started;
	p->loaded_once = 1;
	rebuild(p);
	queue_reader_describe(queue_reader_stats(p->qd->r), why, sizeof(why));
	snprintf(p->load_warning, sizeof(p->load_warning), "%s", why);
	if (j->rc < 0 && !j->cancelled) {
		char e[500];

		snprintf(p->load_error, sizeof(p->load_error), "%s%s", err_format(&j->e, e, sizeof(e)),
			 p->qd->q.count ? " (the messages read until then are shown)" : "");
		console_error(p->s->c, &j->e);
	}
	free_ids(p->keep_marks, p->nkeep_marks);
	p->keep_marks = NULL;
	p->nkeep_marks = 0;
	p->keep_sel[0] = '\0';
	/* a big queue costs the host seconds to list: not more than a tenth of the time */
	{
		long long every = REFRESH_S * 1000LL;

		if (p->load_ms * 10 > every)
			every = p->load_ms * 10;
		p->next_refresh = mono_ms() + every;
		console_wake_after(p->s->c, (long)every);
	}
}

/* act_end - an action finished: say what happened, read the queue again. */
static void act_end(struct qscreen *p, struct job *j)
{
	char n1[32], n2[32];

	if (j->rc < 0) {
		console_error(p->s->c, &j->e);
	} else if (j->site[0]) {
		console_message(p->s->c, ROLE_OK, "deliveries to %s scheduled (postqueue -s)", j->site);
	} else if (j->flush_all) {
		console_message(p->s->c, ROLE_OK, "the whole queue is scheduled for delivery "
				"(postqueue -f)");
	} else {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s: %s", queue_action_done(j->res.action),
			   report_count(j->res.done, n1, sizeof(n1)));
		if (j->skipped)
			buf_printf(&b, "; already %s: %s", queue_action_done(j->res.action),
				   report_count(j->skipped, n2, sizeof(n2)));
		if (j->res.nmissing) {
			buf_printf(&b, "; no longer in the queue: %s (",
				   report_count(j->res.nmissing, n2, sizeof(n2)));
			for (size_t i = 0; i < j->res.nmissing && i < 3; i++)
				buf_printf(&b, "%s%s", i ? " " : "", j->res.missing[i]);
			buf_printf(&b, "%s)", j->res.nmissing > 3 ? " \xe2\x80\xa6" : "");
		}
		console_message(p->s->c, j->res.nmissing ? ROLE_WARNING : ROLE_OK, "%s", b.data);
		buf_free(&b);
	}
}

/* show_end - open the message view on postcat's output. */
static void show_end(struct qscreen *p, struct job *j);

static void queue_wake(struct screen *s)
{
	struct qscreen *p = s->data;
	struct job *j = p->job;

	if (j && job_done(j)) {
		pthread_join(j->th, NULL);
		p->job = NULL;
		pthread_mutex_lock(&p->qd->mu);
		if (j->kind == J_LOAD)
			load_end(p, j);
		pthread_mutex_unlock(&p->qd->mu);
		if (j->kind == J_ACT) {
			act_end(p, j);
			job_free(j);
			load_start(p);
			return;
		}
		if (j->kind == J_SHOW)
			show_end(p, j);
		job_free(j);
		console_dirty(s->c, DIRTY_SCREEN | DIRTY_STATUS);
		return;
	}
	if (j && j->kind == J_LOAD) {
		pthread_mutex_lock(&p->qd->mu);
		/* while the queue streams in, at most a fifth of the time goes
		 * to sorting what has come so far */
		if (p->qd->q.count != p->rows_built &&
		    (p->rows_built == 0 ||
		     mono_ms() - p->rows_at >= (REBUILD_MS > 4 * p->rows_cost ? REBUILD_MS :
						4 * p->rows_cost)))
			rebuild(p);
		pthread_mutex_unlock(&p->qd->mu);
		console_dirty(s->c, DIRTY_SCREEN);
		return;
	}
	if (j == NULL && p->next_refresh && mono_ms() >= p->next_refresh)
		load_start(p);
}

/* ---- actions ------------------------------------------------------------- */

static int act_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r);

/* act_ask - the confirmation for action a on the marked messages (or the
 * selected one), with the count; those a does not apply to are left out. */
static void act_ask(struct qscreen *p, enum queue_action a)
{
	struct queue *q = &p->qd->q;
	struct w_dialog *d;
	char question[600], n1[32], n2[32];
	size_t want = p->nmarked ? p->nmarked : 1, k = 0;
	long cur = sel_msg(p);

	if (p->job) {
		console_message(p->s->c, ROLE_WARNING, "wait for the queue to be read (or leave and "
				"come back to stop it)");
		return;
	}
	if (p->nmarked == 0 && cur < 0) {
		console_message(p->s->c, ROLE_WARNING, "no message selected");
		return;
	}
	free_ids(p->pending_ids, p->npending);
	p->npending = p->pending_skipped = 0;
	if ((p->pending_ids = calloc(want, sizeof(char *))) == NULL)
		return;
	for (size_t i = 0; i < q->count && k < want; i++) {
		const struct queue_msg *m = &q->msgs[i];

		if (p->nmarked ? !(m->flags & QM_MARKED) : (long)i != cur)
			continue;
		k++;
		if (!queue_action_applies(a, m->queue)) {
			p->pending_skipped++;
			continue;
		}
		if ((p->pending_ids[p->npending] = strdup(m->id)) != NULL)
			p->npending++;
	}
	p->pending_act = a;
	if (p->npending == 0) {
		console_message(p->s->c, ROLE_WARNING, "%s: nothing to do (%s already %s)",
				queue_action_name(a), p->nmarked ? "every marked message is" :
				"the message is", queue_action_done(a));
		return;
	}
	if (a == QA_FLUSH && p->npending > QUEUE_FLUSH_MAX) {
		console_message(p->s->c, ROLE_WARNING, "flush takes at most %d messages one by one; "
				"X flushes the whole queue, x on a shape row one destination",
				QUEUE_FLUSH_MAX);
		return;
	}
	report_count(p->npending, n1, sizeof(n1));
	report_count(p->pending_skipped, n2, sizeof(n2));
	snprintf(question, sizeof(question), "%s %s %s message%s (%s)?%s%s%s y/n",
		 a == QA_HOLD ? "Hold" : a == QA_RELEASE ? "Release" : a == QA_REQUEUE ? "Requeue" :
		 a == QA_DELETE ? "Delete" : "Deliver now", n1, p->nmarked ? "marked" : "selected",
		 p->npending == 1 ? "" : "s", p->npending == 1 ? p->pending_ids[0] :
		 a == QA_FLUSH ? "postqueue -i, one by one" : "postsuper, IDs on stdin",
		 p->pending_skipped ? " " : "", p->pending_skipped ? n2 : "",
		 p->pending_skipped ? " others are left out: already so." : "");
	d = w_dialog_confirm(a == QA_DELETE ? "Delete" : "Queue action", question);
	if (d)
		w_dialog_set_tag(d, TAG_ACT);
	console_dialog(p->s->c, p->s, d, act_done);
}

/* act_run - start the confirmed action. */
static void act_run(struct qscreen *p)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return;
	j->kind = J_ACT;
	j->a = p->pending_act;
	j->ids = p->pending_ids;
	j->nids = p->npending;
	j->skipped = p->pending_skipped;
	j->site[0] = '\0';
	snprintf(j->site, sizeof(j->site), "%s", p->pending_site);
	j->flush_all = p->pending_site[0] == '\0' && p->pending_ids == NULL;
	p->pending_ids = NULL;
	p->npending = 0;
	p->pending_site[0] = '\0';
	console_message(p->s->c, ROLE_WARNING, "%s\xe2\x80\xa6", j->site[0] || j->flush_all ?
			"flushing" : queue_action_name(j->a));
	job_start(p, j);
}

static int act_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct qscreen *p = s->data;
	char q[300], n[32];

	if (r != W_DLG_OK) {
		console_message(s->c, ROLE_NORMAL, "nothing done");
		free_ids(p->pending_ids, p->npending);
		p->pending_ids = NULL;
		p->npending = 0;
		p->pending_site[0] = '\0';
		return 0;
	}
	if (w_dialog_tag(d) == TAG_ACT && p->pending_act == QA_DELETE) {
		struct w_dialog *d2;

		snprintf(q, sizeof(q), "Deleted mail cannot be brought back. Really delete %s "
			 "message%s? y/n", report_count(p->npending, n, sizeof(n)),
			 p->npending == 1 ? "" : "s");
		d2 = w_dialog_confirm("Delete: are you sure?", q);
		if (d2)
			w_dialog_set_tag(d2, TAG_ACT2);
		console_dialog(s->c, s, d2, act_done);
		return 0;
	}
	act_run(p);
	return 0;
}

/* flush_ask - X: the whole queue; x on a shape row: that destination. */
static void flush_ask(struct qscreen *p, const char *site)
{
	struct w_dialog *d;
	char q[400];

	if (p->job) {
		console_message(p->s->c, ROLE_WARNING, "wait for the queue to be read");
		return;
	}
	free_ids(p->pending_ids, p->npending);
	p->pending_ids = NULL;
	p->npending = p->pending_skipped = 0;
	p->pending_act = QA_FLUSH;
	snprintf(p->pending_site, sizeof(p->pending_site), "%s", site ? site : "");
	if (site)
		snprintf(q, sizeof(q), "Deliver the mail for %s now (postqueue -s %s)? y/n", site, site);
	else
		snprintf(q, sizeof(q), "Deliver the whole queue now (postqueue -f: %s deferred "
			 "messages are tried again)? y/n",
			 report_count(p->qd->q.per_queue[QN_DEFERRED], (char[32]){ 0 }, 32));
	d = w_dialog_confirm("Flush", q);
	if (d)
		w_dialog_set_tag(d, site ? TAG_FLUSH_SITE : TAG_FLUSH_ALL);
	console_dialog(p->s->c, p->s, d, act_done);
}

/* ---- message view ---------------------------------------------------------- */

struct qmsg {
	struct screen *s;
	char id[QUEUE_ID_MAX];
	int body;
	struct w_text text;
	struct job *job;
};

static char open_id[QUEUE_ID_MAX];	/* the message the next qmsg screen shows */
static struct buf open_text;		/* and postcat's output for it */

/* msg_fill - postcat's output, tabs as blanks, as lines of text. */
static void msg_fill(struct qmsg *m, const struct buf *out)
{
	struct buf b = BUF_INIT;
	const char *line = out->data ? out->data : "";

	w_text_clear(&m->text);
	w_text_add(&m->text, ROLE_HEADER, " %s (postcat%s; b: %s the body)", m->id,
		   m->body ? " -b" : "", m->body ? "hide" : "show");
	while (*line) {
		size_t n = strcspn(line, "\n");

		buf_reset(&b);
		for (size_t i = 0; i < n; i++) {
			if (line[i] == '\t')
				buf_printf(&b, "%*s", (int)(8 - b.len % 8), "");
			else
				buf_putc(&b, line[i]);
		}
		w_text_add(&m->text, strncmp(line, "*** ", 4) == 0 ? ROLE_GROUP : ROLE_NORMAL, "%s",
			   b.data ? b.data : "");
		line += n;
		if (*line)
			line++;
	}
	buf_free(&b);
}

static void show_end(struct qscreen *p, struct job *j)
{
	if (j->rc < 0) {
		console_error(p->s->c, &j->e);
		return;
	}
	snprintf(open_id, sizeof(open_id), "%s", j->id);
	buf_free(&open_text);
	open_text = j->text;
	memset(&j->text, 0, sizeof(j->text));
	console_push(p->s->c, &screen_queue_msg_ops);
}

static int msg_init(struct screen *s, struct err *e)
{
	struct qmsg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	m->s = s;
	s->data = m;
	snprintf(m->id, sizeof(m->id), "%s", open_id);
	w_text_init(&m->text);
	w_text_pager(&m->text, 1);
	w_text_hang(&m->text, 0);
	msg_fill(m, &open_text);
	buf_free(&open_text);
	return 0;
}

static void msg_free(struct screen *s)
{
	struct qmsg *m = s->data;

	if (m == NULL)
		return;
	if (m->job) {
		pthread_join(m->job->th, NULL);
		job_free(m->job);
	}
	w_text_free(&m->text);
	free(m);
	s->data = NULL;
}

static void msg_key(struct screen *s, enum act a, int key)
{
	struct qmsg *m = s->data;
	struct job *j;

	(void)key;
	if (a != ACT_Q_BODY || m->job)
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	j->kind = J_SHOW;
	snprintf(j->id, sizeof(j->id), "%s", m->id);
	j->body = !m->body;
	j->c = s->c;
	j->t = console_target(s->c);
	pthread_mutex_init(&j->mu, NULL);
	if (pthread_create(&j->th, NULL, job_main, j) != 0) {
		job_free(j);
		return;
	}
	m->job = j;
	console_message(s->c, ROLE_WARNING, "postcat %s\xe2\x80\xa6", m->id);
}

static void msg_wake(struct screen *s)
{
	struct qmsg *m = s->data;
	struct job *j = m->job;

	if (j == NULL || !job_done(j))
		return;
	pthread_join(j->th, NULL);
	m->job = NULL;
	if (j->rc < 0) {
		console_error(s->c, &j->e);
	} else {
		m->body = j->body;
		msg_fill(m, &j->text);
		console_message(s->c, ROLE_NORMAL, "%s", "");
	}
	job_free(j);
	console_dirty(s->c, DIRTY_SCREEN | DIRTY_STATUS);
}

static void msg_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct qmsg *m = s->data;

	ui_put_cut(w, y, 0, wd, ROLE_TITLE, " Queue: message (control characters are shown as "
		   "escapes; q: back)");
	w_text_draw(&m->text, w, y + 1, 0, h - 1, wd);
}

static struct w_list *msg_list(struct screen *s)
{
	return w_text_list(&((struct qmsg *)s->data)->text);
}

const struct screen_ops screen_queue_msg_ops = {
	.title = "Queue: message",
	.keys = keymap_queue_msg,
	.init = msg_init,
	.free = msg_free,
	.key = msg_key,
	.draw = msg_draw,
	.list = msg_list,
	.on_wake = msg_wake,
};

/* show_start - postcat the selected message in the background. */
static void show_start(struct qscreen *p)
{
	long i = sel_msg(p);
	struct job *j;

	if (i < 0)
		return;
	if (p->job) {
		console_message(p->s->c, ROLE_WARNING, "wait for the queue to be read");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	j->kind = J_SHOW;
	snprintf(j->id, sizeof(j->id), "%s", p->qd->q.msgs[i].id);
	console_message(p->s->c, ROLE_WARNING, "postcat %s\xe2\x80\xa6", j->id);
	job_start(p, j);
}

/* ---- keys ------------------------------------------------------------------ */

/* search_run - the next row from `from` (wrapping) holding the text. */
static int search_run(struct qscreen *p, size_t from, int skip_first)
{
	struct queue *q = &p->qd->q;

	if (p->search[0] == '\0' || p->nrows == 0)
		return -1;
	for (size_t k = skip_first ? 1 : 0; k <= p->nrows; k++) {
		size_t r = (from + k) % p->nrows;

		if (queue_match_text(q, p->rows[r], p->search)) {
			w_list_select(&p->wl, r);
			return 0;
		}
	}
	return -1;
}

/* search_key - a key while the search field is open. */
static void search_key(struct qscreen *p, int key)
{
	size_t n = strlen(p->search);

	if (key == UI_ESC) {
		p->searching = 0;
		w_list_select(&p->wl, p->search_from);
		return;
	}
	if (key == '\r' || key == '\n' || key == UI_KEY(KEY_ENTER)) {
		p->searching = 0;
		snprintf(p->last_search, sizeof(p->last_search), "%s", p->search);
		return;
	}
	if (key == UI_KEY(KEY_BACKSPACE) || key == 127 || key == 8) {
		/* one UTF-8 character back */
		while (n > 0 && ((unsigned char)p->search[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
		p->search[n] = '\0';
	} else if (key >= 32 && !(key & UI_FN) && key != 127) {
		char u[8];
		int len = 0;
		unsigned c = (unsigned)key;

		if (c < 0x80) {
			u[len++] = (char)c;
		} else if (c < 0x800) {
			u[len++] = (char)(0xc0 | (c >> 6));
			u[len++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			u[len++] = (char)(0xe0 | (c >> 12));
			u[len++] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[len++] = (char)(0x80 | (c & 0x3f));
		} else {
			u[len++] = (char)(0xf0 | (c >> 18));
			u[len++] = (char)(0x80 | ((c >> 12) & 0x3f));
			u[len++] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[len++] = (char)(0x80 | (c & 0x3f));
		}
		if (n + (size_t)len < sizeof(p->search)) {
			memcpy(p->search + n, u, (size_t)len);
			p->search[n + (size_t)len] = '\0';
		}
	} else {
		return;
	}
	/* as you type: the first match from where the search began */
	if (p->search[0] == '\0')
		w_list_select(&p->wl, p->search_from);
	else if (search_run(p, p->search_from, 0) < 0)
		console_message(p->s->c, ROLE_WARNING, "not found: %s", p->search);
	else
		console_message(p->s->c, ROLE_NORMAL, "%s", "");
}

static int filter_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct qscreen *p = s->data;
	struct queue_filter f;
	char msg[600];
	struct err e;

	if (r != W_DLG_OK)
		return 0;
	err_clear(&e);
	if (queue_filter_parse(&f, w_dialog_value(d), &e) < 0) {
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	pthread_mutex_lock(&p->qd->mu);
	snprintf(f.group, sizeof(f.group), "%s", p->f.group);
	p->f = f;
	rebuild(p);
	pthread_mutex_unlock(&p->qd->mu);
	return 0;
}

/* drill - Enter on a shape row or a reason group: its messages. */
static void drill(struct qscreen *p)
{
	struct queue_filter f;

	queue_filter_init(&f);
	if (p->view == V_SHAPE) {
		const char *name;

		if (p->sl.sel == 0 || p->sl.sel > p->shape.nrows) {
			f.queues = p->shape_queues;
		} else {
			name = p->shape.rows[p->sl.sel - 1].name;
			f.queues = p->shape_queues;
			if (!p->by_sender)
				snprintf(f.domain, sizeof(f.domain), "%s", name);
			else if (strcmp(name, "MAILER-DAEMON") == 0)
				snprintf(f.sender, sizeof(f.sender), "<>");
			else
				snprintf(f.sender, sizeof(f.sender), "@%s", name);
		}
	} else if (p->rl.sel < p->reasons.ngroups) {
		f = p->f;
		snprintf(f.group, sizeof(f.group), "%s", p->reasons.groups[p->rl.sel].text);
		if (f.group[0] == '\0')
			return;	/* recipients without a reason: nothing to match on */
	} else {
		return;
	}
	p->f = f;
	p->view = V_LIST;
	rebuild(p);
	w_list_select(&p->wl, 0);
}

/* next_queues - the shape's queue: deferred, active, incoming, hold, all. */
static unsigned next_queues(unsigned m)
{
	static const unsigned seq[] = {
		QUEUE_MASK(QN_DEFERRED), QUEUE_MASK(QN_ACTIVE), QUEUE_MASK(QN_INCOMING),
		QUEUE_MASK(QN_HOLD), QUEUE_MASK_ALL,
	};

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		if (seq[i] == m)
			return seq[(i + 1) % (sizeof(seq) / sizeof(seq[0]))];
	return seq[0];
}

static void queue_key_locked(struct qscreen *p, enum act a, int key)
{
	struct queue *q = &p->qd->q;
	struct console *c = p->s->c;
	char f[700];
	long cur;

	if (p->searching) {
		search_key(p, key);
		return;
	}
	switch (a) {
	case ACT_Q_VIEW:
		p->view = (enum view)((p->view + 1) % V_COUNT);
		break;
	case ACT_ENTER:
		if (p->view == V_LIST)
			show_start(p);
		else
			drill(p);
		break;
	case ACT_Q_MARK:
		if (p->view == V_LIST && (cur = sel_msg(p)) >= 0) {
			q->msgs[cur].flags ^= QM_MARKED;
			p->nmarked += (q->msgs[cur].flags & QM_MARKED) ? 1 : (size_t)-1;
			w_list_act(&p->wl, ACT_DOWN);
		}
		break;
	case ACT_Q_MARK_ALL:
		for (size_t k = 0; k < p->nrows; k++)
			if (!(q->msgs[p->rows[k]].flags & QM_MARKED)) {
				q->msgs[p->rows[k]].flags |= QM_MARKED;
				p->nmarked++;
			}
		console_message(c, ROLE_NORMAL, "%s messages marked", report_count(p->nmarked, f, 32));
		break;
	case ACT_Q_MARK_CLEAR:
		for (size_t i = 0; i < q->count; i++)
			q->msgs[i].flags &= (uint8_t)~QM_MARKED;
		p->nmarked = 0;
		break;
	case ACT_Q_FILTER: {
		struct w_dialog *d;

		queue_filter_format(&p->f, f, sizeof(f));
		d = w_dialog_input("Filter", "Messages with all of: queue:deferred,hold "
				   "domain:example.com sender:@shop reason:\"rate limited\" older:1h "
				   "younger:2d (empty: all)", f, 0);
		if (d)
			w_dialog_set_tag(d, TAG_FILTER);
		console_dialog(c, p->s, d, filter_done);
		break;
	}
	case ACT_Q_FILTER_CLEAR:
		queue_filter_init(&p->f);
		rebuild(p);
		break;
	case ACT_Q_SORT:
		p->sort = p->sort == QS_AGE ? QS_SIZE : p->sort == QS_SIZE ? QS_SENDER :
			  p->sort == QS_SENDER ? QS_DOMAIN : p->sort == QS_DOMAIN ? QS_NONE : QS_AGE;
		rebuild(p);
		break;
	case ACT_Q_SORT_REVERSE:
		p->reverse = !p->reverse;
		rebuild(p);
		break;
	case ACT_Q_HOLD:
	case ACT_Q_RELEASE:
	case ACT_Q_REQUEUE:
	case ACT_Q_DELETE:
	case ACT_Q_FLUSH:
		if (a == ACT_Q_FLUSH && p->view == V_SHAPE) {
			if (p->sl.sel > 0 && p->sl.sel <= p->shape.nrows && !p->by_sender)
				flush_ask(p, p->shape.rows[p->sl.sel - 1].name);
			else
				console_message(c, ROLE_WARNING, "select a recipient domain row");
			break;
		}
		if (p->view != V_LIST && p->nmarked == 0) {
			console_message(c, ROLE_WARNING, "mark messages first (or act from the list)");
			break;
		}
		act_ask(p, a == ACT_Q_HOLD ? QA_HOLD : a == ACT_Q_RELEASE ? QA_RELEASE :
			a == ACT_Q_REQUEUE ? QA_REQUEUE : a == ACT_Q_DELETE ? QA_DELETE : QA_FLUSH);
		break;
	case ACT_Q_FLUSH_ALL:
		flush_ask(p, NULL);
		break;
	case ACT_Q_REFRESH:
		if (p->job)
			console_message(c, ROLE_WARNING, "busy: wait for the current step");
		else
			load_start(p);
		break;
	case ACT_Q_SEARCH:
		if (p->view != V_LIST)
			p->view = V_LIST;
		p->searching = 1;
		p->search[0] = '\0';
		p->search_from = p->wl.sel;
		break;
	case ACT_Q_SEARCH_NEXT:
		if (p->last_search[0] == '\0')
			break;
		snprintf(p->search, sizeof(p->search), "%s", p->last_search);
		if (search_run(p, p->wl.sel, 1) < 0)
			console_message(c, ROLE_WARNING, "not found: %s", p->search);
		break;
	case ACT_Q_QUEUES:
		p->shape_queues = next_queues(p->shape_queues);
		p->have_shape = 0;
		p->view = V_SHAPE;
		break;
	case ACT_Q_BY:
		p->by_sender = !p->by_sender;
		p->have_shape = 0;
		p->view = V_SHAPE;
		break;
	default:
		return;
	}
	console_dirty(c, DIRTY_SCREEN | DIRTY_STATUS);
}

static void queue_key(struct screen *s, enum act a, int key)
{
	struct qscreen *p = s->data;

	pthread_mutex_lock(&p->qd->mu);
	queue_key_locked(p, a, key);
	pthread_mutex_unlock(&p->qd->mu);
}

static int queue_capture(struct screen *s)
{
	return ((struct qscreen *)s->data)->searching;
}

/* queue_list - the view's list for the console's movement keys and mouse. */
static struct w_list *queue_list(struct screen *s)
{
	struct qscreen *p = s->data;

	return p->view == V_LIST ? &p->wl : p->view == V_SHAPE ? &p->sl : &p->rl;
}

static int queue_init_screen(struct screen *s, struct err *e)
{
	struct qscreen *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->qd = qdata_new()) == NULL) {
		free(p);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	p->s = s;
	s->data = p;
	queue_filter_init(&p->f);
	p->sort = QS_AGE;
	p->shape_queues = QUEUE_MASK(QN_DEFERRED);
	w_list_init(&p->wl, p, NULL, NULL, list_row);
	w_list_init(&p->sl, p, NULL, NULL, shape_row);
	w_list_init(&p->rl, p, NULL, NULL, reason_row);
	w_text_init(&p->detail);
	w_text_pager(&p->detail, 1);
	queue_shape_init(&p->shape, 0, 0);
	load_start(p);
	return 0;
}

static void queue_free_screen(struct screen *s)
{
	struct qscreen *p = s->data;

	if (p == NULL)
		return;
	job_wait(p);
	free(p->rows);
	free_ids(p->keep_marks, p->nkeep_marks);
	free_ids(p->pending_ids, p->npending);
	queue_shape_free(&p->shape);
	queue_reasons_free(&p->reasons);
	w_text_free(&p->detail);
	qdata_free(p->qd);
	free(p);
	s->data = NULL;
}

const struct screen_ops screen_queue_ops = {
	.title = "Queue",
	.keys = keymap_queue,
	.init = queue_init_screen,
	.free = queue_free_screen,
	.key = queue_key,
	.draw = queue_draw,
	.list = queue_list,
	.on_wake = queue_wake,
	.capture = queue_capture,
};
