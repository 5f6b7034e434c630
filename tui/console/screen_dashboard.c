/*
 * screen_dashboard - the Dashboard: "is this relay well?" on one screen,
 * the console's first once a relayhost is set. It shows core/health's
 * report in the same words as `relaydeck health`: one line per item in
 * its level's colour and, under an item that is not well, what to do and
 * the key of the screen that fixes it. Enter on an item opens that
 * screen (q comes back here); a probes the relayhost's TLS and AUTH now
 * (kept as the last probe); s starts a stopped Postfix after asking;
 * r checks again, as does a timer every minute.
 *
 * The check runs in a worker thread (health_gather through the target:
 * postfix status, postfix check, postqueue -j, the mail log), so the
 * screen draws at once with "loading…" and the console keeps taking
 * keys; the worker wakes the loop through console_wake and the screen
 * takes the result in on_wake. Leaving the console stops a running check
 * after its current command and waits for that (the worker uses the
 * target, which the caller frees after us).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "health_probe.h"
#include "lines.h"
#include "postfix.h"
#include "probe.h"
#include "providers.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define REFRESH_MS 60000

enum job_kind { J_CHECK, J_PROBE, J_START };

struct job {
	enum job_kind kind;
	pthread_t th;
	pthread_mutex_t mu;
	int done;
	volatile int stop;	/* the screen is leaving: end after the current command */
	struct console *c;
	struct target *t;
	struct health_thresholds limits;
	char relayhost[300];
	int auth;
	int rc;			/* of the probe or the start */
	int probe_ok;
	struct err e;
	int have_facts;
	struct health_facts f;
};

struct dash {
	struct screen *s;
	struct w_text text;
	struct job *job;
	struct health_report *rep;	/* the last check, NULL until one ends */
	struct health_thresholds th;
	long long checked;		/* monotonic ms of the last check's start */
	int again;			/* check again once the running job ends */
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* job_main - the worker: the probe or start first when asked, then the check. */
static void *job_main(void *arg)
{
	struct job *j = arg;
	struct provider_catalog *cat;
	struct err e;

	err_clear(&j->e);
	if (j->kind == J_PROBE) {
		struct probe_result r;
		struct health_probe hp;

		j->rc = health_probe_relay(j->t, j->relayhost, j->auth, &r, &j->e);
		if (j->rc >= 0) {
			j->probe_ok = r.ok;
			health_probe_from(&r, (long long)time(NULL), &hp);
			if (health_probe_save(j->t, &hp, j->auth, &e) < 0)
				j->e = e;
		}
		probe_result_free(&r);
	} else if (j->kind == J_START) {
		j->rc = postfix_start(j->t, &j->e);
	}
	err_clear(&e);
	/* Without a catalog the provider and its quota stay unknown. */
	cat = providers_load(&e);
	j->have_facts = health_gather(j->t, cat, &j->limits, &j->f, &j->stop, &e) == 0;
	providers_free(cat);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	pthread_mutex_unlock(&j->mu);
	console_wake(j->c);
	return NULL;
}

/* start - run a job of kind in a thread; "busy" when one runs already. */
static void start(struct dash *d, enum job_kind kind)
{
	struct job *j;

	if (d->job) {
		if (kind == J_CHECK)
			d->again = 1;
		else
			console_message(d->s->c, ROLE_WARNING, "busy: the check is still running");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		console_message(d->s->c, ROLE_ERROR, "out of memory");
		return;
	}
	j->kind = kind;
	j->c = d->s->c;
	j->t = console_target(d->s->c);
	j->limits = d->th;
	if (d->rep) {
		snprintf(j->relayhost, sizeof(j->relayhost), "%s", d->rep->f.relayhost);
		j->auth = d->rep->f.sasl_enabled;
	}
	pthread_mutex_init(&j->mu, NULL);
	if (pthread_create(&j->th, NULL, job_main, j) != 0) {
		pthread_mutex_destroy(&j->mu);
		free(j);
		console_message(d->s->c, ROLE_ERROR, "cannot start a thread");
		return;
	}
	d->job = j;
	d->checked = mono_ms();
	console_dirty(d->s->c, DIRTY_SCREEN);
}

/* role_of - a report line's kind as a theme role. */
static enum theme_role role_of(int kind)
{
	switch (kind) {
	case LK_OK:
		return ROLE_OK;
	case LK_WARN:
		return ROLE_WARNING;
	case LK_ERROR:
		return ROLE_ERROR;
	case LK_DIM:
		return ROLE_DIM;
	case LK_HEADER:
		return ROLE_HEADER;
	default:
		return ROLE_NORMAL;
	}
}

/* rebuild - the report's lines; the cursor stays on its item. */
static void rebuild(struct dash *d)
{
	const struct line *sel = w_text_sel_line(&d->text);
	int tag = sel ? sel->tag : -1;
	struct lines l = LINES_INIT;
	size_t pick = W_TEXT_NONE, first_bad = W_TEXT_NONE;

	w_text_clear(&d->text);
	if (d->rep == NULL) {
		w_text_add(&d->text, ROLE_DIM, " loading\xe2\x80\xa6 postfix status, postfix check, "
			   "the queue (postqueue -j) and the mail log");
		return;
	}
	health_lines(d->rep, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].tag < 0) {
			w_text_add(&d->text, role_of(l.v[i].kind), " %s", l.v[i].text);
			continue;
		}
		w_text_pick(&d->text, role_of(l.v[i].kind), l.v[i].tag, " %s", l.v[i].text);
		if (pick == W_TEXT_NONE && l.v[i].tag == tag)
			pick = d->text.lines.n - 1;
		if (first_bad == W_TEXT_NONE && (l.v[i].kind == LK_ERROR || l.v[i].kind == LK_WARN))
			first_bad = d->text.lines.n - 1;
	}
	lines_free(&l);
	/* first look: the cursor on the first item that is not well */
	w_text_select(&d->text, pick != W_TEXT_NONE ? pick : first_bad != W_TEXT_NONE ? first_bad : 1);
}

/* collect - take a finished job's result. */
static void collect(struct dash *d)
{
	struct job *j = d->job;
	int done;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return;
	pthread_join(j->th, NULL);
	d->job = NULL;
	if (j->kind == J_PROBE && j->rc < 0)
		console_error(d->s->c, &j->e);
	else if (j->kind == J_PROBE)
		console_message(d->s->c, j->probe_ok ? ROLE_OK : ROLE_ERROR, "probe of %s %s",
				j->relayhost, j->probe_ok ? "passed" : "failed: see TLS and AUTH");
	else if (j->kind == J_START && j->rc < 0)
		console_error(d->s->c, &j->e);
	else if (j->kind == J_START)
		console_message(d->s->c, ROLE_OK, "Postfix started");
	if (j->have_facts) {
		if (d->rep == NULL)
			d->rep = malloc(sizeof(*d->rep));
		if (d->rep)
			health_judge(&j->f, &d->th, d->rep);
	}
	pthread_mutex_destroy(&j->mu);
	free(j);
	rebuild(d);
	console_dirty(d->s->c, DIRTY_SCREEN | DIRTY_STATUS);
	if (d->again) {
		d->again = 0;
		start(d, J_CHECK);
	}
}

static int dash_init(struct screen *s, struct err *e)
{
	struct dash *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	d->s = s;
	s->data = d;
	health_thresholds_default(&d->th);
	w_text_init(&d->text);
	w_text_hang(&d->text, 16);
	rebuild(d);
	start(d, J_CHECK);
	console_wake_after(s->c, REFRESH_MS);
	return 0;
}

static void dash_free(struct screen *s)
{
	struct dash *d = s->data;

	if (d == NULL)
		return;
	if (d->job) {
		d->job->stop = 1;
		pthread_join(d->job->th, NULL);
		pthread_mutex_destroy(&d->job->mu);
		free(d->job);
	}
	free(d->rep);
	w_text_free(&d->text);
	free(d);
	s->data = NULL;
}

/* start_done - the answer to "start Postfix?". */
static int start_done(struct screen *s, struct w_dialog *dlg, enum w_dlg_result r)
{
	(void)dlg;
	if (r == W_DLG_OK) {
		console_message(s->c, ROLE_WARNING, "starting Postfix\xe2\x80\xa6");
		start(s->data, J_START);
	}
	return 0;
}

/* ask_start - confirm, then postfix start in the worker. */
static void ask_start(struct dash *d)
{
	char q[700];

	if (d->rep && d->rep->f.running == 1) {
		console_message(d->s->c, ROLE_OK, "Postfix is running");
		return;
	}
	snprintf(q, sizeof(q), "Start Postfix (postfix -c %s start) on %s? y/n",
		 console_target(d->s->c)->config_dir, console_target(d->s->c)->name);
	console_dialog(d->s->c, d->s, w_dialog_confirm("Start Postfix", q), start_done);
}

/* open_fix - what Enter on an item does: its fixing screen or action. */
static void open_fix(struct dash *d)
{
	const struct line *sel = w_text_sel_line(&d->text);
	const struct health_item *it;

	if (d->rep == NULL || sel == NULL || sel->tag < 0 || sel->tag >= HI_COUNT)
		return;
	it = &d->rep->items[sel->tag];
	switch (it->fix) {
	case HFIX_START:
		ask_start(d);
		break;
	case HFIX_REPROBE:
		start(d, J_PROBE);
		break;
	case HFIX_RELAY:
		console_switch(d->s->c, &screen_relay_ops);
		break;
	case HFIX_CREDS:
		console_switch(d->s->c, &screen_creds_ops);
		break;
	case HFIX_SETUP:
		console_switch(d->s->c, &screen_setup_ops);
		break;
	case HFIX_PROBE:
		console_switch(d->s->c, &screen_probe_ops);
		break;
	case HFIX_QUEUE:
		console_switch(d->s->c, &screen_queue_ops);
		break;
	default:
		console_message(d->s->c, ROLE_OK, "%s: nothing to fix", it->label);
		break;
	}
}

static void dash_key(struct screen *s, enum act a, int key)
{
	struct dash *d = s->data;

	(void)key;
	switch (a) {
	case ACT_ENTER:
		open_fix(d);
		break;
	case ACT_D_REFRESH:
		start(d, J_CHECK);
		break;
	case ACT_D_PROBE:
		if (d->rep == NULL || d->rep->f.relayhost[0] == '\0')
			console_message(s->c, ROLE_WARNING, "no relayhost to probe");
		else if (d->job)
			console_message(s->c, ROLE_WARNING, "busy: the check is still running");
		else
			start(d, J_PROBE);
		break;
	case ACT_D_START:
		ask_start(d);
		break;
	default:
		break;
	}
}

static void dash_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct dash *d = s->data;
	static const char *const doing[] = { "checking", "probing the relayhost",
					     "starting Postfix" };
	char title[160];
	int help;

	snprintf(title, sizeof(title), " relaydeck - Dashboard%s%s%s", d->job ? "  (" : "",
		 d->job ? doing[d->job->kind] : "", d->job ? "\xe2\x80\xa6)" : "");
	ui_put_cut(w, y, 0, wd, ROLE_TITLE, title);
	help = ui_put_wrapped(w, y + 1, 0, wd, 2, ROLE_HELP,
			      " Enter: fix the selected item  a: probe TLS+AUTH  r: check again  "
			      "s: start Postfix");
	w_text_draw(&d->text, w, y + 1 + help, 0, h - 1 - help, wd);
}

static struct w_list *dash_list(struct screen *s)
{
	return w_text_list(&((struct dash *)s->data)->text);
}

/* dash_wake - a finished job, or the minute's timer. */
static void dash_wake(struct screen *s)
{
	struct dash *d = s->data;

	collect(d);
	if (d->job == NULL && mono_ms() - d->checked >= REFRESH_MS)
		start(d, J_CHECK);
	{
		long long left = REFRESH_MS - (mono_ms() - d->checked);

		/* a check slower than the period: look again in a second, not at once */
		console_wake_after(s->c, left < 1000 ? 1000 : (long)left);
	}
}

/* dash_reload - main.cf changed (an apply, a rollback): check again. */
static void dash_reload(struct screen *s)
{
	start(s->data, J_CHECK);
}

const struct screen_ops screen_dashboard_ops = {
	.title = "Dashboard",
	.keys = keymap_dashboard,
	.init = dash_init,
	.free = dash_free,
	.resize = NULL,
	.key = dash_key,
	.draw = dash_draw,
	.list = dash_list,
	.on_reload = dash_reload,
	.on_wake = dash_wake,
};
