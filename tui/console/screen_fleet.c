/*
 * screen_fleet - every host of a fleet console in one list: state
 * (ok, or what stopped it: network, timeout, host key, auth), Postfix
 * running, relayhost, queue (all, deferred, the age of the oldest as
 * qshape's bucket), drift (parameters that differ from what most hosts
 * of the selection have), the last probe's TLS verdict with the smart
 * host certificate's days left and its AUTH verdict, and the last error.
 * A worker thread reads every host through remote/fleet (many hosts at a
 * time, one poll loop) and wakes the console as hosts finish: a progress
 * bar shows how far it is. Sort (s), filter (f), refresh (r, and every
 * minute), Enter opens the host in every other screen
 * (console_open_host); F comes back.
 *
 * Marks (Space or m; * marks every host shown, u clears) pick hosts for
 * the probe key (p: TLS and AUTH from each relay's own position, in the
 * background, those rows read again after) and for a fleet change (c:
 * screen_fleetchange, the first host marked is the canary). Without a
 * mark both act on the host under the cursor.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "fleet.h"
#include "health_probe.h"
#include "hostfacts.h"
#include "queue_shape.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define FLEET_REFRESH_MS 60000
#define TAG_FLEET_FILTER 1

enum fleet_sort { FS_NAME, FS_STATE, FS_QUEUE, FS_DEFERRED, FS_DRIFT, FS_TLS, FS_AUTH, FS_COUNT };
static const char *const sort_names[FS_COUNT] = { "name",  "state", "queue", "deferred",
						  "drift", "tls",   "auth" };

/* The row's columns: one format for the header and the rows; the
 * HOST cell comes padded or cut by name_cell. */
#define NAME_W 14
#define ROW_FMT "%c %s %-16s %6s %6s %6s %5s %-9s %-4s  %s%s%s"

struct fleet_scr;

/* One host as the worker leaves it. */
struct fleet_host {
	struct fleet_scr *owner;
	const char *name;	/* the console_fleet's */
	int done;		/* read in this round */
	int in_round;		/* the round reads it (a probe round: the picked hosts) */
	unsigned marked;	/* 0, or the order it was marked in (1 first) */
	int ok;
	char status[24];	/* "ok" or an error code name */
	char error[520];
	struct hostfacts facts;	/* valid when ok */
	struct target *t;	/* kept open between rounds (only the worker uses it) */
	size_t drift;
	char drift_names[200];
	char *line;		/* display line, rebuilt when it changes */
};

struct fleet_scr {
	struct screen *s;
	const struct console_fleet *f;
	struct fleet_host *hosts;	/* the list shown; guarded by mu while a round runs */
	size_t n;
	size_t *order;			/* shown rows: filtered and sorted indices */
	size_t shown;
	struct w_list wl;
	struct w_text detail;
	enum fleet_sort sort;
	char filter[128];
	/* the worker */
	pthread_mutex_t mu;
	pthread_t th;
	int running;			/* a round is under way */
	size_t done;			/* hosts finished in this round */
	long long round_ms;		/* how long the last round took */
	long long next_round;		/* when the next round starts by itself */
	int probing;			/* the round probes before it reads */
	size_t round_n;			/* hosts in the round */
	unsigned marks;			/* marks handed out (the next is marks + 1) */
	size_t nmarked;
	struct fleet_host *work;	/* the worker's copy of the round */
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *oldest_text(const struct hostfacts *f, char *out, size_t n)
{
	char label[16];

	if (f->oldest_bucket < 0)
		return "-";
	/* qshape's buckets: the label is the upper end in minutes */
	snprintf(out, n, "<%sm", queue_shape_label(f->oldest_bucket, label, sizeof(label)));
	if (f->oldest_bucket == QUEUE_SHAPE_BUCKETS - 1)
		snprintf(out, n, ">%sm", queue_shape_label(f->oldest_bucket - 1, label, sizeof(label)));
	return out;
}

/* tls_text - "ok 87d", "untrusted", "failed" or "-". */
static const char *tls_text(const struct hostfacts *f, char *out, size_t n)
{
	if (f->tls == HFV_OK && f->have_cert)
		snprintf(out, n, "ok %ldd", f->cert_days);
	else
		snprintf(out, n, "%s", hostfacts_verdict_word(f->tls));
	return out;
}

/* name_cell - a host name as the HOST column shows it: padded to NAME_W
 * columns, or cut to NAME_W - 1 and a visible "…" (the detail pane has
 * it whole), so a long name does not push the other columns right. A cut
 * never splits a UTF-8 sequence. */
static void name_cell(const char *name, char *out, size_t n)
{
	size_t len = strlen(name), cut = NAME_W - 1;

	if (len <= NAME_W) {
		snprintf(out, n, "%-*s", NAME_W, name);
		return;
	}
	while (cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
		cut--;
	snprintf(out, n, "%.*s\xe2\x80\xa6%*s", (int)cut, name, (int)(NAME_W - 1 - cut), "");
}

/* format_host - the row: mark, name, state (Postfix running or stopped
 * when the host was read, else why not), queue, deferred, oldest, drift,
 * TLS, AUTH, relayhost, error. */
static void format_host(struct fleet_host *h)
{
	char q[24] = "-", d[24] = "-", old[24] = "-", drift[16] = "-", tls[24] = "-";
	char name[4 * NAME_W];
	const char *state = h->done ? h->status : "...", *auth = "-", *relay = "";

	free(h->line);
	h->line = NULL;
	if (h->ok) {
		state = h->facts.running == 1 ? "running" : h->facts.running == 0 ? "STOPPED" : "ok";
		if (h->facts.queued >= 0)
			snprintf(q, sizeof(q), "%ld", h->facts.queued);
		if (h->facts.deferred >= 0)
			snprintf(d, sizeof(d), "%ld", h->facts.deferred);
		oldest_text(&h->facts, old, sizeof(old));
		snprintf(drift, sizeof(drift), "%zu", h->drift);
		tls_text(&h->facts, tls, sizeof(tls));
		auth = hostfacts_verdict_word(h->facts.auth);
		relay = h->facts.relayhost ? h->facts.relayhost : "";
	}
	name_cell(h->name, name, sizeof(name));
	if (asprintf(&h->line, ROW_FMT, h->marked ? '*' : ' ', name, state, q, d, old, drift,
		     tls, auth, relay, h->error[0] ? "  " : "", h->error) < 0)
		h->line = NULL;
}

/* ---- the worker: one round over every host ---------------------------- */

/* probe_host - a probe round's part of a host that was read: TLS and
 * AUTH (when it logs in) from the relay, the records saved there, the
 * verdicts read back. A probe that cannot run says why in the row. */
static void probe_host(struct fleet_host *h, struct target *t)
{
	struct health_probe *rec = malloc(sizeof(*rec));
	struct err e;

	err_clear(&e);
	if (rec == NULL)
		return;
	/* -1 with a result: it ran, but its record could not be saved on
	 * the relay (the columns would show the old one): say so too */
	if (health_probe_run(t, h->facts.relayhost, h->facts.sasl, rec, &e) < 0)
		snprintf(h->error, sizeof(h->error), "%s%.480s", rec->have ? "probe ran, its record "
			 "not saved: " : "probe: ", e.msg);
	free(rec);
	hostfacts_load_probes(t, &h->facts);
}

static void host_job(struct fleet_job *job)
{
	struct fleet_host *h = job->arg;
	struct fleet_scr *p = h->owner;
	struct target *t;
	struct err e;

	err_clear(&e);
	/* the connection of the last round, if it still answers */
	t = h->t;
	h->t = NULL;
	if (t && hostfacts_load(t, &h->facts, &e) == 0) {
		h->ok = 1;
		snprintf(h->status, sizeof(h->status), "ok");
		if (h->facts.why[0])
			snprintf(h->error, sizeof(h->error), "%s", h->facts.why);
		if (p->probing)
			probe_host(h, t);
		h->t = t;
		h->done = 1;
		return;
	}
	target_free(t);
	err_clear(&e);
	t = p->f->open(p->f->arg, job->host, &e);
	if (t == NULL || hostfacts_load(t, &h->facts, &e) < 0) {
		snprintf(h->status, sizeof(h->status), "%s", err_code_name(e.code));
		snprintf(h->error, sizeof(h->error), "%s", e.msg);
	} else {
		h->ok = 1;
		snprintf(h->status, sizeof(h->status), "ok");
		if (h->facts.why[0])
			snprintf(h->error, sizeof(h->error), "%s", h->facts.why);
		if (p->probing)
			probe_host(h, t);
	}
	if (h->ok)
		h->t = t;	/* reused by the next round */
	else
		target_free(t);
	h->done = 1;
}

static void host_done(void *arg, size_t done, size_t total, const struct fleet_job *job)
{
	struct fleet_scr *p = arg;

	(void)total;
	(void)job;
	/* the worker's progress; the console thread reads it to draw */
	pthread_mutex_lock(&p->mu);
	p->done = done;
	pthread_mutex_unlock(&p->mu);
	console_wake(p->s->c);
}

static void *worker(void *arg)
{
	struct fleet_scr *p = arg;
	struct fleet_job *jobs = calloc(p->n ? p->n : 1, sizeof(*jobs));
	struct fleet_run_opts o = { 0 };
	long long t0 = mono_ms();
	struct err e;

	size_t n = 0;

	if (jobs != NULL) {
		for (size_t i = 0; i < p->n; i++) {
			if (!p->work[i].in_round)
				continue;
			jobs[n].host = p->work[i].name;
			jobs[n].arg = &p->work[i];
			n++;
		}
		o.parallel = p->f->parallel;
		o.host_timeout_ms = p->f->host_timeout_ms;
		o.progress = host_done;
		o.progress_arg = p;
		err_clear(&e);
		fleet_run(jobs, n, host_job, &o, &e);
		free(jobs);
	}
	pthread_mutex_lock(&p->mu);
	p->done = p->round_n;
	p->round_ms = mono_ms() - t0;
	pthread_mutex_unlock(&p->mu);
	console_wake(p->s->c);
	return NULL;
}

/* start_round - read every host again, in the background; a probe
 * round (probe) probes the picked hosts (pick[i]) and reads only them. */
static void start_round(struct fleet_scr *p, int probe, const char *pick)
{
	if (p->running || p->n == 0)
		return;
	p->work = calloc(p->n, sizeof(*p->work));
	if (p->work == NULL)
		return;
	p->round_n = 0;
	for (size_t i = 0; i < p->n; i++) {
		p->work[i].owner = p;
		p->work[i].name = p->hosts[i].name;
		if (probe && !pick[i])
			continue;
		p->work[i].in_round = 1;
		p->work[i].t = p->hosts[i].t;	/* the worker's until the round ends */
		p->hosts[i].t = NULL;
		p->round_n++;
	}
	p->probing = probe;
	p->done = 0;
	if (pthread_create(&p->th, NULL, worker, p) != 0) {
		for (size_t i = 0; i < p->n; i++)
			if (p->work[i].in_round)
				p->hosts[i].t = p->work[i].t;
		free(p->work);
		p->work = NULL;
		return;
	}
	p->running = 1;
}

static void host_clear(struct fleet_host *h)
{
	target_free(h->t);
	h->t = NULL;
	hostfacts_free(&h->facts);
	free(h->line);
	h->line = NULL;
}

/* ---- rows: filter and sort -------------------------------------------- */

static struct fleet_scr *sort_ctx;	/* qsort has no argument; the console is one thread */

static long key_num(const struct fleet_host *h)
{
	switch (sort_ctx->sort) {
	case FS_QUEUE:
		return h->ok ? h->facts.queued : -2;
	case FS_DEFERRED:
		return h->ok ? h->facts.deferred : -2;
	case FS_DRIFT:
		return h->ok ? (long)h->drift : -2;
	case FS_TLS:
		/* failures first, then the fewest days left, unprobed last */
		if (!h->ok || h->facts.tls == HFV_NONE)
			return -2;
		if (h->facts.tls != HFV_OK)
			return 1L << 30;
		return h->facts.have_cert ? 100000L - h->facts.cert_days : 0;
	case FS_AUTH:
		if (!h->ok || h->facts.auth == HFV_NONE)
			return -2;
		return h->facts.auth == HFV_OK ? 0 : 1;
	case FS_STATE:
		return h->ok ? (h->facts.running == 1 ? 0 : 1) : 2;
	default:
		return 0;
	}
}

static int by_sort(const void *a, const void *b)
{
	const struct fleet_host *x = &sort_ctx->hosts[*(const size_t *)a];
	const struct fleet_host *y = &sort_ctx->hosts[*(const size_t *)b];
	long kx = key_num(x), ky = key_num(y);

	/* numbers largest first (the busiest relay on top), state worst first */
	if (kx != ky)
		return kx < ky ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void rebuild(struct fleet_scr *p)
{
	const char *keep = p->wl.sel < p->shown ? p->hosts[p->order[p->wl.sel]].name : NULL;

	p->shown = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->hosts[i].line == NULL)
			format_host(&p->hosts[i]);
		if (p->filter[0] && (p->hosts[i].line == NULL ||
				     strcasestr(p->hosts[i].line, p->filter) == NULL))
			continue;
		p->order[p->shown++] = i;
	}
	sort_ctx = p;
	qsort(p->order, p->shown, sizeof(*p->order), by_sort);
	w_list_set_count(&p->wl, p->shown);
	for (size_t k = 0; keep && k < p->shown; k++)
		if (p->hosts[p->order[k]].name == keep) {
			w_list_select(&p->wl, k);
			break;
		}
	console_dirty(p->s->c, DIRTY_SCREEN);
}

/* collect - take the finished round: facts, drift, rows. */
static void collect(struct fleet_scr *p)
{
	const struct hostfacts **all;
	struct hostfacts_ref ref;
	int finished;
	struct err e;

	if (!p->running)
		return;
	pthread_mutex_lock(&p->mu);
	finished = p->done == p->round_n;
	pthread_mutex_unlock(&p->mu);
	if (!finished)
		return;
	pthread_join(p->th, NULL);
	p->running = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (!p->work[i].in_round)
			continue;	/* not read this time (a probe round): kept */
		p->work[i].marked = p->hosts[i].marked;
		host_clear(&p->hosts[i]);
		p->hosts[i] = p->work[i];
		p->hosts[i].in_round = 0;
	}
	free(p->work);
	p->work = NULL;
	/* drift against what most readable hosts have */
	all = calloc(p->n, sizeof(*all));
	err_clear(&e);
	if (all != NULL) {
		for (size_t i = 0; i < p->n; i++)
			all[i] = p->hosts[i].ok ? &p->hosts[i].facts : NULL;
		if (hostfacts_ref_build(all, p->n, &ref, &e) == 0) {
			for (size_t i = 0; i < p->n; i++)
				if (p->hosts[i].ok)
					p->hosts[i].drift = hostfacts_drift(&ref, &p->hosts[i].facts,
									    p->hosts[i].drift_names,
									    sizeof(p->hosts[i].drift_names));
			hostfacts_ref_free(&ref);
		}
		free(all);
	}
	for (size_t i = 0; i < p->n; i++)
		format_host(&p->hosts[i]);
	if (p->probing)
		console_message(p->s->c, ROLE_OK, "probed %zu host%s: TLS and AUTH columns updated",
				p->round_n, p->round_n == 1 ? "" : "s");
	p->probing = 0;
	rebuild(p);
	p->next_round = mono_ms() + FLEET_REFRESH_MS;
	console_wake_after(p->s->c, FLEET_REFRESH_MS);
}

/* ---- screen ------------------------------------------------------------ */

static const char *row_text(void *ctx, size_t i)
{
	struct fleet_scr *p = ctx;
	const char *l = i < p->shown ? p->hosts[p->order[i]].line : NULL;

	return l ? l : "";
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct fleet_scr *p = ctx;
	const struct fleet_host *h = &p->hosts[p->order[i]];
	enum theme_role r = ROLE_NORMAL;

	if (sel)
		r = ROLE_SELECTED;
	else if (h->done && !h->ok)
		r = ROLE_ERROR;
	else if (h->ok && (h->facts.running == 0 || h->drift > 0 || h->facts.tls == HFV_FAILED ||
			   h->facts.tls == HFV_UNTRUSTED || h->facts.auth == HFV_FAILED ||
			   h->facts.auth == HFV_HELD))
		r = ROLE_WARNING;
	ui_put_cut(w, y, x, width, r, row_text(ctx, i));
}

static int fleet_init(struct screen *s, struct err *e)
{
	struct fleet_scr *p;
	const struct console_fleet *f = console_fleet(s->c);

	if (f == NULL)
		return err_set(e, ERR_USAGE, "not a fleet console");
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	p->s = s;
	p->f = f;
	p->n = f->n;
	p->hosts = calloc(p->n ? p->n : 1, sizeof(*p->hosts));
	p->order = calloc(p->n ? p->n : 1, sizeof(*p->order));
	if (p->hosts == NULL || p->order == NULL) {
		free(p->hosts);
		free(p->order);
		free(p);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->n; i++)
		p->hosts[i].name = f->hosts[i];
	pthread_mutex_init(&p->mu, NULL);
	s->data = p;
	w_list_init(&p->wl, p, row_text, NULL, draw_row);
	w_text_init(&p->detail);
	w_text_pager(&p->detail, 1);
	rebuild(p);
	start_round(p, 0, NULL);
	return 0;
}

static void fleet_free(struct screen *s)
{
	struct fleet_scr *p = s->data;

	if (p == NULL)
		return;
	if (p->running) {
		/* every host has its own deadline: the round ends */
		pthread_join(p->th, NULL);
		for (size_t i = 0; i < p->n; i++)
			host_clear(&p->work[i]);
		free(p->work);
	}
	for (size_t i = 0; i < p->n; i++)
		host_clear(&p->hosts[i]);
	free(p->hosts);
	free(p->order);
	w_text_free(&p->detail);
	pthread_mutex_destroy(&p->mu);
	free(p);
	s->data = NULL;
}

static int filter_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct fleet_scr *p = s->data;

	if (r != W_DLG_OK)
		return 0;
	snprintf(p->filter, sizeof(p->filter), "%s", w_dialog_value(d));
	rebuild(p);
	return 0;
}

/* mark - set (1), clear (0) or flip (-1) host i's mark. */
static void mark(struct fleet_scr *p, size_t i, int how)
{
	struct fleet_host *h;
	int want;

	if (i >= p->n)
		return;
	h = &p->hosts[i];
	want = how < 0 ? !h->marked : how;
	if (want == (h->marked != 0))
		return;
	h->marked = want ? ++p->marks : 0;
	p->nmarked += want ? 1 : (size_t)-1;
	format_host(h);
	console_dirty(p->s->c, DIRTY_SCREEN);
}

/* picked - the marked hosts in the order they were marked, else the one
 * under the cursor: indices into hosts, malloc'd; 0 when none. */
static size_t picked(struct fleet_scr *p, size_t **out)
{
	size_t n = 0;

	*out = calloc(p->n ? p->n : 1, sizeof(**out));
	if (*out == NULL)
		return 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->hosts[i].marked)
			(*out)[n++] = i;
	for (size_t a = 1; a < n; a++)	/* by mark order: insertion sort, marks are few */
		for (size_t b = a; b > 0 && p->hosts[(*out)[b]].marked <
					    p->hosts[(*out)[b - 1]].marked; b--) {
			size_t t = (*out)[b];

			(*out)[b] = (*out)[b - 1];
			(*out)[b - 1] = t;
		}
	if (n == 0 && p->wl.sel < p->shown)
		(*out)[n++] = p->order[p->wl.sel];
	return n;
}

/* probe_picked - the probe key: a probe round over the picked hosts. */
static void probe_picked(struct fleet_scr *p)
{
	size_t *idx, n = picked(p, &idx);
	char *pick = calloc(p->n ? p->n : 1, 1);

	if (p->running) {
		console_message(p->s->c, ROLE_WARNING, "busy: the hosts are being read; "
				"p again when the round ends");
	} else if (n > 0 && pick != NULL) {
		for (size_t k = 0; k < n; k++)
			pick[idx[k]] = 1;
		start_round(p, 1, pick);
		console_message(p->s->c, ROLE_NORMAL, "probing TLS and AUTH from %zu relay%s ...", n,
				n == 1 ? "" : "s");
	}
	free(pick);
	free(idx);
	console_dirty(p->s->c, DIRTY_SCREEN);
}

/* change_picked - the change key: the fleet change screen on the picked
 * hosts, the first marked one its canary. */
static void change_picked(struct fleet_scr *p)
{
	size_t *idx, n = picked(p, &idx);
	const char **names = calloc(n ? n : 1, sizeof(*names));

	if (n > 0 && names != NULL) {
		for (size_t k = 0; k < n; k++)
			names[k] = p->hosts[idx[k]].name;
		screen_fleetchange_hosts(names, n);
		console_push(p->s->c, &screen_fleetchange_ops);
	}
	free(names);
	free(idx);
}

static void fleet_key(struct screen *s, enum act a, int key)
{
	struct fleet_scr *p = s->data;
	struct w_dialog *d;

	(void)key;
	switch (a) {
	case ACT_ENTER:
		if (p->wl.sel < p->shown)
			console_open_host(s->c, p->hosts[p->order[p->wl.sel]].name);
		break;
	case ACT_FLEET_SORT:
		p->sort = (enum fleet_sort)((p->sort + 1) % FS_COUNT);
		rebuild(p);
		break;
	case ACT_FLEET_FILTER:
		d = w_dialog_input("Filter", "Hosts whose row contains (a name, a status such as "
				   "timeout, a relayhost; empty: all)", p->filter, 0);
		if (d)
			w_dialog_set_tag(d, TAG_FLEET_FILTER);
		console_dialog(s->c, s, d, filter_done);
		break;
	case ACT_FLEET_REFRESH:
		start_round(p, 0, NULL);
		console_dirty(s->c, DIRTY_SCREEN);
		break;
	case ACT_FLEET_MARK:
		mark(p, p->wl.sel < p->shown ? p->order[p->wl.sel] : p->n, -1);
		w_list_act(&p->wl, ACT_DOWN);
		break;
	case ACT_FLEET_MARK_ALL:
		for (size_t k = 0; k < p->shown; k++)
			mark(p, p->order[k], 1);
		console_message(s->c, ROLE_NORMAL, "%zu host%s marked", p->nmarked,
				p->nmarked == 1 ? "" : "s");
		break;
	case ACT_FLEET_MARK_CLEAR:
		for (size_t i = 0; i < p->n; i++)
			mark(p, i, 0);
		p->marks = 0;
		break;
	case ACT_FLEET_PROBE:
		probe_picked(p);
		break;
	case ACT_FLEET_CHANGE:
		change_picked(p);
		break;
	default:
		break;
	}
}

/* build_detail - the selected host whole: error, drift names. */
static void build_detail(struct fleet_scr *p)
{
	const struct fleet_host *h = p->wl.sel < p->shown ? &p->hosts[p->order[p->wl.sel]] : NULL;

	w_text_clear(&p->detail);
	if (h == NULL || !h->done)
		return;
	if (h->ok)
		w_text_add(&p->detail, ROLE_HEADER, " %s: relayhost %s", h->name,
			   h->facts.relayhost && h->facts.relayhost[0] ? h->facts.relayhost
								       : "(not set)");
	if (!h->ok)
		w_text_add(&p->detail, ROLE_HEADER, " %s", h->name);
	if (h->error[0])
		w_text_add(&p->detail, h->ok ? ROLE_WARNING : ROLE_ERROR, " %s: %s", h->status,
			   h->error);
	if (h->ok && h->drift)
		w_text_add(&p->detail, ROLE_WARNING, " differs from most hosts: %s",
			   h->drift_names);
	if (h->ok && h->facts.tls != HFV_NONE) {
		char tls[24];

		w_text_add(&p->detail, h->facts.tls == HFV_OK ? ROLE_NORMAL : ROLE_WARNING,
			   " last probe: TLS %s%s, AUTH %s", tls_text(&h->facts, tls, sizeof(tls)),
			   h->facts.have_cert && h->facts.tls == HFV_OK ? " (certificate days left)" : "",
			   h->facts.sasl ? hostfacts_verdict_word(h->facts.auth) : "off");
	}
}

static void fleet_draw(struct screen *s, WINDOW *w, int y, int hgt, int wd)
{
	struct fleet_scr *p = s->data;
	char title[256], name[4 * NAME_W];
	size_t done;
	int det, top = 2;

	pthread_mutex_lock(&p->mu);
	done = p->done;
	pthread_mutex_unlock(&p->mu);
	if (p->running) {
		/* a progress bar: how many hosts this round has read */
		int bar = 20, fill = p->round_n ? (int)(done * (size_t)bar / p->round_n) : bar;
		char b[64];

		memset(b, '#', (size_t)fill);
		memset(b + fill, '.', (size_t)(bar - fill));
		b[bar] = '\0';
		snprintf(title, sizeof(title), " relaydeck - Fleet: %zu hosts  %s[%s] %zu/%zu  sort: %s%s%s",
			 p->n, p->probing ? "probing " : "", b, done, p->round_n, sort_names[p->sort],
			 p->filter[0] ? "  filter: " : "", p->filter);
	} else {
		snprintf(title, sizeof(title), " relaydeck - Fleet: %zu hosts, %zu shown  read in %.1f s"
			 "  sort: %s%s%s", p->n, p->shown, (double)p->round_ms / 1000.0,
			 sort_names[p->sort], p->filter[0] ? "  filter: " : "", p->filter);
	}
	if (p->nmarked) {
		/* before the sort and filter: the title is cut at the screen's edge */
		char *at = strstr(title, "  sort: ");
		char rest[200];

		if (at) {
			snprintf(rest, sizeof(rest), "%s", at);
			snprintf(at, sizeof(title) - (size_t)(at - title), ", %zu marked%s", p->nmarked,
				 rest);
		}
	}
	ui_put_cut(w, y, 0, wd, ROLE_TITLE, title);
	name_cell("HOST", name, sizeof(name));
	snprintf(title, sizeof(title), ROW_FMT, ' ', name, "STATE", "QUEUE", "DEFER", "OLDEST",
		 "DRIFT", "TLS", "AUTH", "RELAYHOST", "", "");
	ui_put_cut(w, y + 1, 0, wd, ROLE_HEADER, title);
	build_detail(p);
	det = w_text_pane_rows(&p->detail, wd, 0, hgt - top);
	w_list_draw(&p->wl, w, y + top, 0, hgt - top - det, wd);
	if (det > 0)
		w_text_draw(&p->detail, w, y + hgt - det, 0, det, wd);
}

/* Set by screen_fleet_reread: the next wake starts a round. */
static int reread_asked;

void screen_fleet_reread(void)
{
	reread_asked = 1;
}

static struct w_list *fleet_list(struct screen *s)
{
	return &((struct fleet_scr *)s->data)->wl;
}

static void fleet_wake(struct screen *s)
{
	struct fleet_scr *p = s->data;

	if (p->running) {
		collect(p);
		console_dirty(s->c, DIRTY_SCREEN);
	} else if (reread_asked || mono_ms() >= p->next_round) {
		reread_asked = 0;
		start_round(p, 0, NULL);	/* the minute is up, or hosts were changed */
	}
}

const struct screen_ops screen_fleet_ops = {
	.title = "Fleet",
	.keys = keymap_fleet,
	.init = fleet_init,
	.free = fleet_free,
	.key = fleet_key,
	.draw = fleet_draw,
	.list = fleet_list,
	.on_wake = fleet_wake,
};
