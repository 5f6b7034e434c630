/*
 * screen_fleetchange - one change on the hosts marked on the Fleet
 * screen: what is staged on each (its pending edits: `relaydeck -g G
 * set`, Relay settings on that host, or s here, which stages NAME=VALUE
 * on every one of them) as a diff per host, grouped where the diffs are
 * the same ("2 hosts: h01, h02" and the diff once); then a applies it
 * the way `relaydeck -g G apply --canary H --batch N` does
 * (remote/rollout): the first marked host alone first, where postfix
 * check (the apply's own validation, with its rollback) and then a TLS
 * and AUTH probe from that relay must pass (a failed probe rolls the
 * canary back); then the others, N at a time, stopping after the first
 * batch with a failure. At the end every host's result is listed: ok,
 * failed (why, and whether its files were restored) or not reached.
 *
 * Hosts are read and changed by a worker thread over remote/fleet (one
 * poll loop, the console keeps taking keys); the screen shows progress.
 * Each host keeps its own connection until the screen closes.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "canary.h"
#include "postfix.h"
#include "changeset.h"
#include "console.h"
#include "fleet.h"
#include "maincf.h"
#include "params.h"
#include "pending.h"
#include "rollout.h"
#include "samegroup.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define FC_BATCH_DEFAULT "5"
#define TAG_FC_SET 1
#define TAG_FC_BATCH 2
#define TAG_FC_CONFIRM 3

/* The hosts the next screen works on (screen_fleetchange_hosts). */
static const char *const *next_names;
static size_t next_n;

void screen_fleetchange_hosts(const char *const *names, size_t n)
{
	next_names = names;
	next_n = n;
}

enum fc_phase { FC_IDLE, FC_READ, FC_APPLY };
enum fc_result { FR_NONE, FR_OK, FR_FAILED, FR_SKIPPED };

struct fc;

/* One host as the worker leaves it. */
struct fc_host {
	struct fc *owner;
	const char *name;
	int canary;
	struct target *t;	/* kept between phases (only the worker uses it) */
	/* read: what is staged there */
	int read_ok;
	int staged;		/* the edit asked for was staged (set_name) */
	size_t edits;		/* staged edits */
	size_t nchanged;	/* files they change */
	int stale;		/* main.cf changed since they were staged */
	char *diff;		/* its diff, or NULL */
	size_t diff_len;
	char *key;		/* the diff with its config dir named alike, for grouping */
	size_t key_len;
	char read_why[600];	/* why it could not be read */
	/* apply */
	enum fc_result result;
	int restored;		/* its files were put back */
	char why[600];		/* what failed, or what the read found wrong */
	char done_what[256];	/* on success: what passed */
};

struct fc {
	struct screen *s;
	const struct console_fleet *f;
	struct fc_host *hosts;
	size_t n;
	struct w_text text;
	/* the edit s asks the worker to stage before it reads */
	char *set_name, *set_value;
	int set_unset;
	size_t batch;
	/* the worker */
	pthread_mutex_t mu;
	pthread_t th;
	enum fc_phase phase;	/* what runs, FC_IDLE when nothing */
	enum fc_phase last;	/* what ran last */
	size_t done;		/* hosts finished in this phase */
	int applied;		/* an apply has run: the results are shown */
};

static void set_error(char *out, size_t len, const char *what, const struct err *e)
{
	snprintf(out, len, "%.60s%s%.500s", what, *what ? ": " : "", e->msg);
}

/* connect - the host's connection, opened the first time. */
static struct target *connect_host(struct fc_host *h, struct err *e)
{
	if (h->t == NULL)
		h->t = h->owner->f->open(h->owner->f->arg, h->name, e);
	return h->t;
}

/* stage - the edit s asked for, on this host's pending edits. */
static int stage(struct fc_host *h, struct pending *pd, struct err *e)
{
	struct fc *p = h->owner;
	struct maincf *m;
	int rc;

	if (p->set_name == NULL)
		return 0;
	if ((m = postfix_read_maincf(h->t, e)) == NULL)
		return -1;
	rc = p->set_unset ? pending_stage_unset(pd, m, p->set_name, e)
			  : pending_stage_set(pd, m, p->set_name, p->set_value, e);
	maincf_free(m);
	if (rc < 0 || pending_save(pd, e) < 0)
		return -1;
	return 0;
}

/* grouping_key - the diff with the host's config dir written
 * $config_directory: hosts whose Postfix lives in different directories
 * but get the same edit group together. */
static void grouping_key(struct fc_host *h)
{
	const char *dir = h->t->config_dir, *at, *from = h->diff;
	struct buf k = BUF_INIT;
	size_t dl = dir ? strlen(dir) : 0;

	if (dl == 0)
		return;
	buf_init(&k, 0);	/* the default cap: a diff is capped already */
	while ((at = strstr(from, dir)) != NULL) {
		buf_append(&k, from, (size_t)(at - from));
		buf_puts(&k, "$config_directory");
		from = at + dl;
	}
	buf_puts(&k, from);
	h->key_len = k.len;
	h->key = buf_steal(&k);
}

/* read_job - stage (when asked), then the diff of what is staged. */
static void read_job(struct fleet_job *job)
{
	struct fc_host *h = job->arg;
	struct pending *pd = NULL;
	struct changeset *cs = NULL;
	struct buf diff = BUF_INIT;
	struct err e;

	err_clear(&e);
	free(h->diff);
	free(h->key);
	h->diff = h->key = NULL;
	h->diff_len = h->key_len = 0;
	h->read_ok = 0;
	h->staged = 0;
	h->read_why[0] = '\0';
	if (connect_host(h, &e) == NULL) {
		set_error(h->read_why, sizeof(h->read_why), err_code_name(e.code), &e);
		return;
	}
	if ((pd = pending_load(h->t, &e)) == NULL || stage(h, pd, &e) < 0) {
		set_error(h->read_why, sizeof(h->read_why), "stage", &e);
		goto out;
	}
	h->staged = 1;
	h->edits = pending_count(pd);
	if (h->edits > 0) {
		if ((cs = changeset_new(h->t)) == NULL || pending_build(pd, cs, &e) < 0 ||
		    changeset_diff(cs, &diff, &e) < 0) {
			set_error(h->read_why, sizeof(h->read_why), "diff", &e);
			goto out;
		}
		h->nchanged = changeset_changed(cs, &e);
		h->stale = pending_stale(pd);
		if (diff.len > 0) {
			h->diff_len = diff.len;
			h->diff = buf_steal(&diff);
			grouping_key(h);
		}
	}
	h->read_ok = 1;
out:
	buf_free(&diff);
	changeset_free(cs);
	pending_free(pd);
}

/* canary_probe - after the canary's apply: core/canary's probe, the
 * backup put back when it fails. 0 passed. */
static int canary_probe(struct fc_host *h, const char *backup)
{
	struct canary_result res;

	if (canary_check(h->t, backup, &res) == 0) {
		snprintf(h->done_what, sizeof(h->done_what), "%s", res.said);
		return 0;
	}
	snprintf(h->why, sizeof(h->why), "%s", res.why);
	h->restored = res.restored;
	return -1;
}

/* apply_job - apply what is staged (backup, write, postfix check,
 * reload, restore on failure); the canary is probed after. */
static void apply_job(struct fleet_job *job)
{
	struct fc_host *h = job->arg;
	struct pending *pd = NULL;
	struct changeset *cs = NULL;
	struct apply_report r;
	char desc[256];
	size_t nchanged;
	struct err e;

	err_clear(&e);
	apply_report_init(&r);
	h->result = FR_FAILED;
	h->restored = 0;
	h->why[0] = h->done_what[0] = '\0';
	if (connect_host(h, &e) == NULL) {
		set_error(h->why, sizeof(h->why), err_code_name(e.code), &e);
		goto out;
	}
	if ((pd = pending_load(h->t, &e)) == NULL || (cs = changeset_new(h->t)) == NULL ||
	    pending_build(pd, cs, &e) < 0) {
		if (e.code == ERR_OK)
			err_set(&e, ERR_NOMEM, "out of memory");
		set_error(h->why, sizeof(h->why), "build", &e);
		goto out;
	}
	if (pending_stale(pd)) {
		snprintf(h->why, sizeof(h->why), "main.cf changed since the edits were staged "
			 "(by someone else): open the host, review the diff, rebase");
		goto out;
	}
	err_clear(&e);
	nchanged = pending_count(pd) ? changeset_changed(cs, &e) : 0;
	if (nchanged == 0 && e.code != ERR_OK) {
		set_error(h->why, sizeof(h->why), "read", &e);
		goto out;
	}
	if (nchanged == 0) {
		h->result = FR_OK;
		snprintf(h->done_what, sizeof(h->done_what), "nothing to change");
		goto out;
	}
	pending_describe(pd, desc, sizeof(desc));
	if (changeset_apply(cs, desc, &r, &e) < 0) {
		h->restored = r.restored;
		set_error(h->why, sizeof(h->why), err_code_name(e.code), &e);
		goto out;
	}
	snprintf(h->done_what, sizeof(h->done_what), "applied%s (backup %s)",
		 r.validated ? ", postfix check passed" : "", r.backup_id);
	/* probed before the edits are cleared: a canary rolled back keeps
	 * them staged, or the next apply would find nothing to change on
	 * it, pass it unprobed and roll the change out to the others */
	if (h->canary && canary_probe(h, r.backup_id) < 0)
		goto out;
	err_clear(&e);
	if (pending_clear(pd, &e) < 0) {
		set_error(h->why, sizeof(h->why), "applied, but the staged edits were not cleared", &e);
		goto out;
	}
	h->result = FR_OK;
out:
	apply_report_free(&r);
	changeset_free(cs);
	pending_free(pd);
}

static int apply_failed(const struct fleet_job *job)
{
	return ((const struct fc_host *)job->arg)->result != FR_OK;
}

static void job_done(void *arg, size_t done, size_t total, const struct fleet_job *job)
{
	struct fc *p = arg;

	(void)total;
	(void)job;
	pthread_mutex_lock(&p->mu);
	p->done++;
	pthread_mutex_unlock(&p->mu);
	(void)done;
	console_wake(p->s->c);
}

static void *worker(void *arg)
{
	struct fc *p = arg;
	struct fleet_job *jobs = calloc(p->n ? p->n : 1, sizeof(*jobs));
	struct fleet_run_opts o = { 0 };
	struct err e;

	err_clear(&e);
	o.parallel = p->f->parallel;
	o.host_timeout_ms = p->f->host_timeout_ms;
	o.progress = job_done;
	o.progress_arg = p;
	for (size_t i = 0; jobs && i < p->n; i++) {
		jobs[i].host = p->hosts[i].name;
		jobs[i].arg = &p->hosts[i];
	}
	if (jobs && p->phase == FC_READ) {
		fleet_run(jobs, p->n, read_job, &o, &e);
	} else if (jobs) {
		struct fleet_rollout r = { 1, p->batch, 0, apply_failed };

		for (size_t i = 0; i < p->n; i++)
			p->hosts[i].result = FR_SKIPPED;	/* until its job runs */
		fleet_rollout(jobs, p->n, apply_job, &r, &o, &e);
	}
	free(jobs);
	pthread_mutex_lock(&p->mu);
	p->done = p->n + 1;	/* the worker has finished */
	pthread_mutex_unlock(&p->mu);
	console_wake(p->s->c);
	return NULL;
}

/* start - run phase in the worker. */
static int start(struct fc *p, enum fc_phase phase)
{
	if (p->phase != FC_IDLE) {
		console_message(p->s->c, ROLE_WARNING, "busy: wait until the hosts are done");
		return -1;
	}
	p->phase = phase;
	p->done = 0;
	if (pthread_create(&p->th, NULL, worker, p) != 0) {
		p->phase = FC_IDLE;
		console_message(p->s->c, ROLE_ERROR, "cannot start a thread");
		return -1;
	}
	console_dirty(p->s->c, DIRTY_SCREEN);
	return 0;
}

/* ---- what is shown ------------------------------------------------------ */

/* names - "h01, h02, ..." of a group, the first 12. */
static void names(const struct fc *p, const size_t *idx, size_t n, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t k = 0; k < n && k < 12 && used + 1 < len; k++) {
		int w = snprintf(out + used, len - used, "%s%s", k ? ", " : "", p->hosts[idx[k]].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n > 12 && used + 6 < len)
		snprintf(out + used, len - used, ", ...");
}

/* show_groups - the hosts with something staged, one diff per group. */
static void show_groups(struct fc *p)
{
	const char **keys = calloc(p->n ? p->n : 1, sizeof(*keys));
	size_t *lens = calloc(p->n ? p->n : 1, sizeof(*lens));
	size_t *idx = calloc(p->n ? p->n : 1, sizeof(*idx));
	struct same_group *g = NULL;
	size_t ng = 0, k;
	char list[400];
	struct err e;

	if (keys == NULL || lens == NULL || idx == NULL)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		keys[i] = p->hosts[i].key ? p->hosts[i].key : p->hosts[i].diff;
		lens[i] = p->hosts[i].key ? p->hosts[i].key_len : p->hosts[i].diff_len;
	}
	if (same_groups(keys, lens, p->n, &g, &ng, &e) < 0) {
		w_text_add(&p->text, ROLE_ERROR, "%s", e.msg);
		goto out;
	}
	for (size_t i = 0; i < ng; i++) {
		const struct fc_host *first = &p->hosts[g[i].members[0]];

		names(p, g[i].members, g[i].n, list, sizeof(list));
		w_text_add(&p->text, ROLE_HEADER, "%zu host%s: %s", g[i].n, g[i].n == 1 ? "" : "s",
			   list);
		if (g[i].n > 1)
			w_text_add(&p->text, ROLE_DIM, "  the diff on %s (the same on the others, in "
				   "their own config directory)", first->name);
		w_text_add_diff(&p->text, first->diff);
	}
	/* read, but nothing to change */
	k = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->hosts[i].read_ok && p->hosts[i].diff == NULL)
			idx[k++] = i;
	if (k > 0) {
		names(p, idx, k, list, sizeof(list));
		w_text_add(&p->text, ROLE_DIM, "%zu host%s with nothing to change: %s", k,
			   k == 1 ? "" : "s", list);
	}
out:
	same_groups_free(g, ng);
	free(keys);
	free(lens);
	free(idx);
}

static const char *result_word(const struct fc_host *h)
{
	switch (h->result) {
	case FR_OK:
		return "ok";
	case FR_FAILED:
		return h->restored ? "FAILED, restored" : "FAILED";
	case FR_SKIPPED:
		return "not reached";
	default:
		return "-";
	}
}

/* rebuild - the text: the hosts, then the results of an apply, or the
 * grouped diffs of what is staged. */
static void rebuild(struct fc *p)
{
	struct w_text *t = &p->text;
	size_t ok = 0, failed = 0, skipped = 0;

	w_text_clear(t);
	w_text_add(t, ROLE_NORMAL, "Canary: %s (applied alone first; postfix check and a TLS/AUTH "
		   "probe from it must pass)", p->hosts[0].name);
	if (p->applied) {
		for (size_t i = 0; i < p->n; i++) {
			ok += p->hosts[i].result == FR_OK;
			failed += p->hosts[i].result == FR_FAILED;
			skipped += p->hosts[i].result == FR_SKIPPED;
		}
		w_text_add(t, failed ? ROLE_ERROR : ROLE_OK, "Result: %zu ok, %zu failed, %zu not "
			   "reached (batches of %zu after the canary, stopping at the first failure)",
			   ok, failed, skipped, p->batch);
		for (size_t i = 0; i < p->n; i++) {
			const struct fc_host *h = &p->hosts[i];

			w_text_add(t, h->result == FR_OK ? ROLE_OK : h->result == FR_FAILED
				   ? ROLE_ERROR : ROLE_DIM, "  %-16s %-16s %s", h->name,
				   result_word(h), h->result == FR_OK ? h->done_what
				   : h->result == FR_SKIPPED ? "the rollout stopped before it" : h->why);
		}
		w_text_add(t, ROLE_NORMAL, "%s", "");
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct fc_host *h = &p->hosts[i];

		if (!h->read_ok && h->read_why[0])
			w_text_add(t, ROLE_ERROR, "%s: %s", h->name, h->read_why);
		else if (h->stale)
			w_text_add(t, ROLE_WARNING, "%s: main.cf changed since its edits were staged: "
				   "apply refuses there until they are rebased (open the host)",
				   h->name);
	}
	w_text_add(t, ROLE_HEADER, "%s", p->applied ? "Still staged:" : "Staged, per host:");
	show_groups(p);
	w_text_pick_all(t);
	console_dirty(p->s->c, DIRTY_SCREEN);
}

/* ---- keys and dialogs ------------------------------------------------- */

/* set_done - "NAME=VALUE" or "-NAME": checked here, staged on every host
 * by the worker, which reads the diffs again. */
static int set_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct fc *p = s->data;
	const char *v = w_dialog_value(d), *eq;
	char name[256];
	struct err e;

	if (r != W_DLG_OK)
		return 0;
	err_clear(&e);
	free(p->set_name);
	free(p->set_value);
	p->set_name = p->set_value = NULL;
	p->set_unset = *v == '-';
	if (p->set_unset) {
		snprintf(name, sizeof(name), "%s", v + 1);
	} else if ((eq = strchr(v, '=')) == NULL || eq == v || (size_t)(eq - v) >= sizeof(name)) {
		w_dialog_set_error(d, "NAME=VALUE, or -NAME to unset");
		return 1;
	} else {
		snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
		while (eq[1] == ' ')
			eq++;
		if (params_validate_name_value(NULL, name, eq + 1, &e) < 0) {
			w_dialog_set_error(d, e.msg);
			return 1;
		}
		p->set_value = strdup(eq + 1);
	}
	name[strcspn(name, " \t")] = '\0';
	if (name[0] == '\0') {
		w_dialog_set_error(d, "a parameter name");
		return 1;
	}
	p->set_name = strdup(name);
	if (p->set_name == NULL || (!p->set_unset && p->set_value == NULL)) {
		console_message(s->c, ROLE_ERROR, "out of memory");
		return 0;
	}
	p->applied = 0;
	start(p, FC_READ);
	return 0;
}

static int confirm_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct fc *p = s->data;

	(void)d;
	if (r != W_DLG_OK)
		return 0;
	free(p->set_name);
	p->set_name = NULL;
	if (start(p, FC_APPLY) == 0)
		console_message(s->c, ROLE_WARNING, "applying: %s first, then batches of %zu ...",
				p->hosts[0].name, p->batch);
	return 0;
}

/* batch_done - the batch size, then the confirmation. */
static int batch_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct fc *p = s->data;
	size_t staged = 0, changed = 0;
	struct w_dialog *q;
	char *end, text[600];
	long b;

	if (r != W_DLG_OK)
		return 0;
	b = strtol(w_dialog_value(d), &end, 10);
	if (*end != '\0' || b < 1 || b > 100000) {
		w_dialog_set_error(d, "a number of hosts, 1 or more");
		return 1;
	}
	p->batch = (size_t)b;
	for (size_t i = 0; i < p->n; i++) {
		staged += p->hosts[i].edits > 0;
		changed += p->hosts[i].diff != NULL;
	}
	snprintf(text, sizeof(text), "Apply what is staged to %zu host%s (%zu with a change): "
		 "%s first (postfix check and a probe from it must pass, else it is rolled back "
		 "and nothing else is touched), then %zu at a time, stopping after the first "
		 "batch with a failure. Apply? y/n", p->n, p->n == 1 ? "" : "s", changed,
		 p->hosts[0].name, p->batch);
	(void)staged;
	if ((q = w_dialog_confirm("Fleet change", text)) != NULL)
		w_dialog_set_tag(q, TAG_FC_CONFIRM);
	console_dialog(s->c, s, q, confirm_done);
	return 0;
}

static void open_apply(struct fc *p)
{
	struct w_dialog *d;
	size_t changed = 0;
	char prompt[200];

	if (p->phase != FC_IDLE) {
		console_message(p->s->c, ROLE_WARNING, "busy: wait until the hosts are done");
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		changed += p->hosts[i].diff != NULL;
	if (changed == 0) {
		console_message(p->s->c, ROLE_WARNING, "nothing to apply: no marked host has a "
				"staged change (s: stage NAME=VALUE on all of them)");
		return;
	}
	snprintf(prompt, sizeof(prompt), "Hosts at a time after the canary %s:", p->hosts[0].name);
	d = w_dialog_input("Fleet change", prompt, FC_BATCH_DEFAULT, 0);
	if (d)
		w_dialog_set_tag(d, TAG_FC_BATCH);
	console_dialog(p->s->c, p->s, d, batch_done);
}

static void fc_key(struct screen *s, enum act a, int key)
{
	struct fc *p = s->data;
	struct w_dialog *d;
	char prompt[200];

	(void)key;
	switch (a) {
	case ACT_FC_SET:
		if (p->phase != FC_IDLE) {
			console_message(s->c, ROLE_WARNING, "busy: wait until the hosts are done");
			break;
		}
		snprintf(prompt, sizeof(prompt), "Stage on the %zu host%s (NAME=VALUE, or -NAME to "
			 "unset):", p->n, p->n == 1 ? "" : "s");
		d = w_dialog_input("Fleet change", prompt, "", 0);
		if (d)
			w_dialog_set_tag(d, TAG_FC_SET);
		console_dialog(s->c, s, d, set_done);
		break;
	case ACT_APPLY:
		open_apply(p);
		break;
	default:
		break;
	}
}

/* ---- screen ------------------------------------------------------------ */

static int fc_init(struct screen *s, struct err *e)
{
	struct fc *p;

	if (console_fleet(s->c) == NULL || next_n == 0)
		return err_set(e, ERR_USAGE, "mark hosts on the Fleet screen first");
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->hosts = calloc(next_n, sizeof(*p->hosts))) == NULL) {
		free(p);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	p->s = s;
	p->f = console_fleet(s->c);
	p->n = next_n;
	p->batch = (size_t)atoi(FC_BATCH_DEFAULT);
	for (size_t i = 0; i < p->n; i++) {
		p->hosts[i].owner = p;
		p->hosts[i].name = next_names[i];
		p->hosts[i].canary = i == 0;
	}
	next_names = NULL;
	next_n = 0;
	pthread_mutex_init(&p->mu, NULL);
	w_text_init(&p->text);
	s->data = p;
	rebuild(p);
	start(p, FC_READ);
	return 0;
}

/* collect - the worker has finished: join it, show what it found. */
static void fc_wake(struct screen *s)
{
	struct fc *p = s->data;
	int finished;

	if (p->phase == FC_IDLE)
		return;
	pthread_mutex_lock(&p->mu);
	finished = p->done > p->n;
	pthread_mutex_unlock(&p->mu);
	console_dirty(s->c, DIRTY_SCREEN);
	if (!finished)
		return;
	pthread_join(p->th, NULL);
	p->last = p->phase;
	p->phase = FC_IDLE;
	if (p->last == FC_APPLY) {
		size_t failed = 0;

		p->applied = 1;
		for (size_t i = 0; i < p->n; i++)
			failed += p->hosts[i].result == FR_FAILED;
		console_message(s->c, failed ? ROLE_ERROR : ROLE_OK, "fleet change: %s", failed
				? "stopped at a failure: see the results" : "applied to every host");
		screen_fleet_reread();
		start(p, FC_READ);	/* what is left staged */
		return;
	}
	if (p->set_name) {
		size_t staged = 0;

		for (size_t i = 0; i < p->n; i++)
			staged += p->hosts[i].staged;
		/* count what was staged, not what was asked: a host that could
		 * not be reached or written says why in its row */
		if (staged == p->n)
			console_message(s->c, ROLE_OK, "staged %s%s%s on %zu host%s",
					p->set_unset ? "unset " : "", p->set_name,
					p->set_unset ? "" : "=...", p->n, p->n == 1 ? "" : "s");
		else
			console_message(s->c, ROLE_ERROR, "staged %s%s%s on %zu of %zu hosts; "
					"%zu failed: see their rows", p->set_unset ? "unset " : "",
					p->set_name, p->set_unset ? "" : "=...", staged, p->n,
					p->n - staged);
		free(p->set_name);
		free(p->set_value);
		p->set_name = p->set_value = NULL;
	}
	rebuild(p);
}

static void fc_free(struct screen *s)
{
	struct fc *p = s->data;

	if (p == NULL)
		return;
	if (p->phase != FC_IDLE)
		pthread_join(p->th, NULL);	/* every host has its own deadline */
	for (size_t i = 0; i < p->n; i++) {
		target_free(p->hosts[i].t);
		free(p->hosts[i].diff);
		free(p->hosts[i].key);
	}
	free(p->hosts);
	free(p->set_name);
	free(p->set_value);
	w_text_free(&p->text);
	pthread_mutex_destroy(&p->mu);
	free(p);
	s->data = NULL;
}

static void fc_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct fc *p = s->data;
	char title[256];
	size_t done;

	pthread_mutex_lock(&p->mu);
	done = p->done > p->n ? p->n : p->done;
	pthread_mutex_unlock(&p->mu);
	if (p->phase != FC_IDLE)
		snprintf(title, sizeof(title), " relaydeck - Fleet change: %zu hosts  %s %zu/%zu ...",
			 p->n, p->phase == FC_APPLY ? "applying" : "reading", done, p->n);
	else
		snprintf(title, sizeof(title), " relaydeck - Fleet change: %zu hosts  (s: set, "
			 "a: apply, q: back)", p->n);
	ui_put_cut(w, y, 0, wd, ROLE_TITLE, title);
	w_text_draw(&p->text, w, y + 1, 0, h - 1, wd);
}

static struct w_list *fc_list(struct screen *s)
{
	return w_text_list(&((struct fc *)s->data)->text);
}

const struct screen_ops screen_fleetchange_ops = {
	.title = "Fleet change",
	.keys = keymap_fleetchange,
	.init = fc_init,
	.free = fc_free,
	.key = fc_key,
	.draw = fc_draw,
	.list = fc_list,
	.on_wake = fc_wake,
};
