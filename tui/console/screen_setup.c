/*
 * screen_setup - the Setup wizard: a sequence of panels that takes a
 * Postfix from direct delivery (or an old smart host) to an
 * authenticated, TLS-enforced relay through a catalog provider.
 *
 * Steps: detect the current state → provider (catalog, notes, notices)
 * → host (custom relays) → region → port (STARTTLS / implicit TLS) →
 * credentials (masked password, never drawn, wiped) → sender rewriting
 * (FROM=TO pairs) → rate limits from the provider's catalog entry →
 * review (the change set's diff, secrets masked) → apply (confirmation,
 * result dialog) → done (offers the Probe screen on the new next hop).
 *
 * The logic is core/setup's, the same the `setup` command runs; the
 * screen only collects answers. A configured relay pre-fills provider,
 * region, port and user, and setup_stage changes only what differs; an
 * empty password keeps the next hop's existing entry. A password (typed
 * or kept) belongs to the next hop and user it was given for: when either
 * changes on the way back and forth, it is forgotten and asked again, so
 * one provider's secret never goes to another.
 *
 * Keys: Enter chooses/continues, Esc goes back one step, q leaves (asks
 * when answers would be lost), a/x add/delete a rewrite, Space toggles
 * the rate limits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "changeset.h"
#include "maincf.h"
#include "params.h"
#include "probe.h"
#include "providers.h"
#include "result.h"
#include "review.h"
#include "screens.h"
#include "secret.h"
#include "setup.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define MAX_RW 32
#define HIST_MAX 16

enum step {
	ST_DETECT, ST_PROVIDER, ST_HOST, ST_REGION, ST_PORT, ST_CREDS, ST_REWRITE, ST_LIMITS,
	ST_REVIEW, ST_DONE, ST_COUNT
};

static const char *const step_names[ST_COUNT] = {
	"Current state", "Provider", "Smart host", "Region", "Port", "Credentials",
	"Sender rewriting", "Rate limits", "Review", "Done",
};

enum { TAG_HOST = 1, TAG_PORT, TAG_USER, TAG_PW, TAG_RW, TAG_APPLY, TAG_LEAVE, TAG_RESULT };

struct wiz {
	struct screen *s;
	enum step step;
	enum step hist[HIST_MAX];
	int nhist;
	struct provider_catalog *cat;
	const struct provider *p;
	struct setup_state st;
	int have_state;
	/* answers */
	char host[256], region[64], user[256];
	int port, tls_set;
	enum prov_tls tls;
	int no_auth, keep_pw, have_pw, skip_limits, touched;
	struct secret pw;
	char pw_for[600];	/* "nexthop user" the password (or keep) was given for */
	char *rw[MAX_RW];
	size_t nrw;
	/* what the target had */
	char cur_host[256], cur_port[16], cur_user[256];
	/* review and result */
	struct changeset *cs;
	size_t nchanged;
	char nexthop[300];
	int applied;
	/* the previous relay's credential that the change leaves unused */
	char stale_key[300], stale_user[256];
	struct review rv;	/* its removal, offered after the apply */
	/* the panel: list steps pick lines (tag: what they stand for), the
	 * other steps are read and scroll as a pager */
	struct w_text panel;
	struct w_text detail;	/* the provider's notice and notes */
	int notice;		/* detail starts with the notice */
};

/* is_pick_step - steps whose panel is a list to choose from. */
static int is_pick_step(enum step st)
{
	return st == ST_PROVIDER || st == ST_REGION || st == ST_PORT || st == ST_REWRITE;
}

/* region_host - the host a region of p means. */
static void region_host(const struct provider *p, const struct prov_region *r, char *out,
			size_t len)
{
	const char *t = r->host ? r->host : p->host;
	const char *at = t ? strstr(t, "{region}") : NULL;

	if (t == NULL)
		snprintf(out, len, "%s", "");
	else if (at == NULL)
		snprintf(out, len, "%s", t);
	else
		snprintf(out, len, "%.*s%s%s", (int)(at - t), t, r->id, at + 8);
}

/* matches - does provider p serve cur_host (and which region)? */
static int matches(const struct provider *p, const char *host, const char **region)
{
	char h[256];

	*region = NULL;
	for (size_t i = 0; i < p->nregions; i++) {
		region_host(p, &p->regions[i], h, sizeof(h));
		if (strcasecmp(h, host) == 0) {
			*region = p->regions[i].id;
			return 1;
		}
	}
	return p->host && strchr(p->host, '{') == NULL && strcasecmp(p->host, host) == 0;
}

/* prefill - what the configured relay says: provider, region, port, user. */
static void prefill(struct wiz *w)
{
	const char *region = NULL, *custom = NULL;
	struct err e;
	int br;

	if (w->st.relayhost[0] == '\0' ||
	    probe_parse_hostport(w->st.relayhost, "25", w->cur_host, sizeof(w->cur_host),
				 w->cur_port, sizeof(w->cur_port), &br, &e) < 0) {
		w->cur_host[0] = '\0';
		return;
	}
	for (size_t i = 0; i < w->cat->n; i++) {
		if (strcmp(w->cat->v[i].id, "custom") == 0)
			custom = w->cat->v[i].id;
		if (w->p == NULL && matches(&w->cat->v[i], w->cur_host, &region)) {
			w->p = &w->cat->v[i];
			if (region)
				snprintf(w->region, sizeof(w->region), "%s", region);
		}
	}
	if (w->p == NULL && custom)
		w->p = providers_find(w->cat, custom);
	if (w->p && w->p->host == NULL)
		snprintf(w->host, sizeof(w->host), "%s", w->cur_host);
	w->port = atoi(w->cur_port);
	for (size_t i = 0; i < w->st.nentries; i++) {
		char key[300];

		snprintf(key, sizeof(key), "[%s]:%s", w->cur_host, w->cur_port);
		if (strcmp(w->st.entries[i].key, key) == 0 && w->st.entries[i].user)
			snprintf(w->cur_user, sizeof(w->cur_user), "%s", w->st.entries[i].user);
	}
	snprintf(w->user, sizeof(w->user), "%s", w->cur_user);
}

/* answers - the setup_answers the collected answers make. */
static void answers(struct wiz *w, struct setup_answers *a)
{
	memset(a, 0, sizeof(*a));
	a->host = w->host[0] ? w->host : NULL;
	a->region = w->region[0] ? w->region : NULL;
	a->port = w->port;
	a->tls_set = w->tls_set;
	a->tls = w->tls;
	a->user = w->user[0] && !(w->p && w->p->username) ? w->user : NULL;
	a->no_auth = w->no_auth;
	a->rewrites = (const char *const *)w->rw;
	a->nrewrites = w->nrw;
	a->skip_limits = w->skip_limits;
	a->keep_password = w->keep_pw;
}

/* auth_user - the user the credential is for: the provider's fixed name
 * (SendGrid's apikey) or the one typed. */
static const char *auth_user(const struct wiz *w)
{
	return w->p && w->p->username ? w->p->username : w->user;
}

/* has_entry - the target has a sasl_passwd entry for the next hop and user. */
static int has_entry(const struct wiz *w, const char *user)
{
	for (size_t i = 0; i < w->st.nentries; i++)
		if (strcmp(w->st.entries[i].key, w->nexthop) == 0 && w->st.entries[i].user &&
		    strcmp(w->st.entries[i].user, user) == 0)
			return 1;
	return 0;
}

/* pw_stamp - what the password answer is for: next hop and user. */
static void pw_stamp(const struct wiz *w, char *out, size_t len)
{
	snprintf(out, len, "%s %s", w->nexthop, auth_user(w));
}

/* forget_stale_password - a password typed (or kept) for another next hop
 * or user is dropped: it would go to a server it was never meant for. */
static void forget_stale_password(struct wiz *w)
{
	char now[sizeof(w->pw_for)];

	if (!w->have_pw && !w->keep_pw)
		return;
	pw_stamp(w, now, sizeof(now));
	if (strcmp(now, w->pw_for) == 0)
		return;
	secret_free(&w->pw);
	w->have_pw = w->keep_pw = 0;
	w->pw_for[0] = '\0';
}

/* plan_now - the plan for the answers so far (next hop), or -1 with e. */
static int plan_now(struct wiz *w, struct prov_plan *plan, struct err *e)
{
	struct setup_answers a;

	answers(w, &a);
	a.nrewrites = 0;
	return setup_plan(console_target(w->s->c), w->p, &w->st, &a, plan, e);
}

static void build_review(struct wiz *w);

/* rebuild - the panel lines of the current step. */
static void rebuild(struct wiz *w)
{
	const struct provider *p = w->p;
	struct w_text *t = &w->panel;
	struct buf b = BUF_INIT;
	size_t keep = 0;

	forget_stale_password(w);
	w_text_clear(t);
	w_text_clear(&w->detail);
	w->notice = 0;
	w_text_pager(t, !is_pick_step(w->step));
	switch (w->step) {
	case ST_DETECT:
		w_text_add(t, ROLE_HEADER, " What this Postfix has now (%s)",
		    console_target(w->s->c)->config_dir);
		if (!w->have_state) {
			w_text_add(t, ROLE_ERROR, "   could not read the current state");
			break;
		}
		w_text_add(t, ROLE_NORMAL, "   Postfix:               %s",
		    w->st.running == 1 ? "installed, running" :
		    w->st.running == 0 ? "installed, not running" : "state unknown");
		w_text_add(t, ROLE_NORMAL, "   relayhost:             %s",
		    w->st.relayhost[0] ? w->st.relayhost : "(none: direct delivery)");
		w_text_add(t, ROLE_NORMAL, "   credentials:           %s:%s%s", w->st.src.type,
		    w->st.src.path, w->st.src.configured ? "" : " (not configured yet)");
		for (size_t i = 0; i < w->st.nentries; i++)
			w_text_add(t, ROLE_NORMAL, "                          %s %s",
			    w->st.entries[i].key, w->st.entries[i].masked);
		w_text_add(t, ROLE_NORMAL, "   default_database_type: %s", w->st.db_type);
		for (const char *const *mt = setup_map_types(); *mt; mt++)
			if (params_host_has_map_type(console_host(w->s->c), *mt))
				buf_printf(&b, " %s", *mt);
		w_text_add(t, ROLE_NORMAL, "   lookup table types:   %s", b.data ? b.data : " (unknown)");
		w_text_add(t, ROLE_NORMAL, "%s", "");
		w_text_add(t, ROLE_HELP, " Enter: choose a provider");
		break;
	case ST_PROVIDER:
		for (size_t i = 0; i < w->cat->n; i++) {
			w_text_pick(t, ROLE_NORMAL, (int)i, "   %-26s %s", w->cat->v[i].id, w->cat->v[i].name);
			if (&w->cat->v[i] == p)
				keep = t->lines.n - 1;
		}
		break;
	case ST_HOST:
		w_text_add(t, ROLE_NORMAL, "   host: %s", w->host[0] ? w->host : "(not set)");
		w_text_add(t, ROLE_HELP, " Enter: edit the host, then choose the port");
		break;
	case ST_REGION:
		for (size_t i = 0; i < p->nregions; i++) {
			char h[256];

			region_host(p, &p->regions[i], h, sizeof(h));
			w_text_pick(t, ROLE_NORMAL, (int)i, "   %-16s %s%s", p->regions[i].id, h,
			    strcmp(p->regions[i].id, p->default_region ? p->default_region : "") ?
			    "" : "  (default)");
			if (strcmp(p->regions[i].id, w->region[0] ? w->region :
				   p->default_region ? p->default_region : "") == 0)
				keep = t->lines.n - 1;
		}
		break;
	case ST_PORT:
		for (size_t i = 0; i < p->nports; i++) {
			w_text_pick(t, ROLE_NORMAL, (int)i, "   %-6d %s%s", p->ports[i].port,
			    p->ports[i].tls == PROV_TLS_IMPLICIT ? "implicit TLS (wrapper mode)" :
			    "STARTTLS", p->ports[i].port == p->default_port ? "  (default)" : "");
			if (p->ports[i].port == (w->port ? w->port : p->default_port))
				keep = t->lines.n - 1;
		}
		if (p->host == NULL) {
			w_text_pick(t, ROLE_NORMAL, -1, "   other port…");
			if (w->port && providers_port_tls(p, w->port) == PROV_TLS_STARTTLS &&
			    keep == 0 && w->port != p->ports[0].port)
				keep = t->lines.n - 1;
		}
		break;
	case ST_CREDS:
		if (w->no_auth) {
			w_text_add(t, ROLE_NORMAL, "   no SMTP AUTH: the smart host relays for this "
			    "host's address");
		} else {
			w_text_add(t, ROLE_NORMAL, "   user:     %s", *auth_user(w) ? auth_user(w) :
			    "(not set)");
			w_text_add(t, ROLE_NORMAL, "   password: %s", w->have_pw ? "set (hidden)" :
			    w->keep_pw ? "unchanged (the current entry stays)" : "(not set)");
		}
		w_text_add(t, ROLE_HELP, " Enter: continue   a: enter the credentials again");
		break;
	case ST_REWRITE:
		w_text_add(t, ROLE_HEADER, " Sender addresses rewritten on the way out "
		    "(smtp_generic_maps), optional");
		for (size_t i = 0; i < w->nrw; i++)
			w_text_pick(t, ROLE_NORMAL, (int)i, "   %s", w->rw[i]);
		if (w->nrw == 0)
			w_text_add(t, ROLE_DIM, "   (none)");
		w_text_add(t, ROLE_HELP, " a: add FROM=TO (root@localhost=admin@example.com)   "
		    "x: delete   Enter: continue");
		break;
	case ST_LIMITS:
		setup_limits_text(&p->limits, &b);
		w_text_add(t, ROLE_NORMAL, "   published limits: %s", b.data);
		if (p->limits.note)
			w_text_add(t, ROLE_DIM, "   %s", p->limits.note);
		w_text_add(t, ROLE_NORMAL, "%s", "");
		if (p->npostfix == 0)
			w_text_add(t, ROLE_DIM, "   no rate settings proposed for this provider");
		for (size_t i = 0; i < p->npostfix; i++)
			w_text_add(t, w->skip_limits ? ROLE_DIM : ROLE_NORMAL, "   [%c] %s = %s",
			    w->skip_limits ? ' ' : 'x', p->postfix[i].name, p->postfix[i].value);
		w_text_add(t, ROLE_HELP, " Space: include or leave out these settings   "
		    "Enter: review");
		break;
	case ST_REVIEW:
		build_review(w);
		break;
	case ST_DONE:
		w_text_add(t, ROLE_OK, " Applied: mail now leaves through %s", w->nexthop);
		w_text_add(t, ROLE_NORMAL, "%s", "");
		w_text_add(t, ROLE_HELP, " Enter: test the connection (opens the Probe screen on %s)",
		    w->nexthop);
		if (w->stale_key[0])
			w_text_add(t, ROLE_WARNING, " The previous relay's credential %s is not used "
				   "any more: remove it on the Credentials screen (2).", w->stale_key);
		w_text_add(t, ROLE_HELP, " q: leave the wizard");
		break;
	default:
		break;
	}
	if (p && (w->step == ST_PROVIDER || w->step == ST_REGION || w->step == ST_PORT)) {
		w->notice = p->notice != NULL;
		w_text_add_text(&w->detail, ROLE_WARNING, " ", p->notice);
		w_text_add_text(&w->detail, ROLE_HELP, " ", p->notes);
	}
	buf_free(&b);
	t->list.top = 0;
	t->list.sel = 0;
	w_text_select(t, keep);
}

static int dialog_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r);

/* find_stale - the previous relay's entry the change leaves unused (m:
 * main.cf as it will be); none when it cannot be told. */
static void find_stale(struct wiz *w, const struct maincf *m, const char *nexthop)
{
	const struct creds_entry *ce = NULL;
	struct err e;

	w->stale_key[0] = w->stale_user[0] = '\0';
	err_clear(&e);
	if (w->have_state &&
	    setup_stale_credential(console_target(w->s->c), m, &w->st, nexthop, &ce, &e) == 1) {
		snprintf(w->stale_key, sizeof(w->stale_key), "%s", ce->key);
		snprintf(w->stale_user, sizeof(w->stale_user), "%s", ce->user);
	}
}

/* offer_remove - stage the removal of the stale entry and open the review
 * (its diff, masked, and the question). */
static void offer_remove(struct wiz *w)
{
	struct console *c = w->s->c;
	struct changeset *cs = changeset_new(console_target(c));
	char what[700], desc[400];
	struct err e;

	err_clear(&e);
	if (cs == NULL || creds_remove(cs, console_target(c), &w->st.src, w->stale_key, &e) < 0) {
		if (cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		console_error(c, &e);
		changeset_free(cs);
		return;
	}
	snprintf(what, sizeof(what), "The previous relay's credential %s (user %s) is not used "
		 "any more, and a stale secret is a liability. Remove it", w->stale_key,
		 w->stale_user);
	snprintf(desc, sizeof(desc), "setup wizard: remove the unused credential of %s",
		 w->stale_key);
	review_open(&w->rv, w->s, cs, what, desc, dialog_done);
}

/* build_review - plan and stage everything in a fresh change set, show the diff. */
static void build_review(struct wiz *w)
{
	struct w_text *pt = &w->panel;
	struct console *c = w->s->c;
	struct target *t = console_target(c);
	struct prov_plan plan = { 0 };
	struct setup_answers a;
	struct buf diff = BUF_INIT, changed = BUF_INIT, generic = BUF_INIT;
	struct maincf *m = NULL;
	char *path = target_config_path(t, "main.cf");
	struct err e;

	err_clear(&e);
	changeset_free(w->cs);
	w->cs = NULL;
	w->nchanged = 0;
	answers(w, &a);
	if (path == NULL || (m = maincf_copy(console_maincf(c), path, &e)) == NULL ||
	    setup_plan(t, w->p, &w->st, &a, &plan, &e) < 0 ||
	    (w->cs = changeset_new(t)) == NULL ||
	    setup_stage(w->cs, t, m, path, console_host(c), w->p, &w->st, &a, &plan,
			w->have_pw ? &w->pw : NULL, &changed, &generic, &e) < 0 ||
	    changeset_diff(w->cs, &diff, &e) < 0) {
		char msg[1024];

		if (e.code == ERR_OK)
			err_set(&e, ERR_NOMEM, "out of memory");
		w_text_add(pt, ROLE_ERROR, " cannot build the change: %s", err_format(&e, msg,
											 sizeof(msg)));
		w_text_add(pt, ROLE_HELP, " Esc: go back and change the answers");
		changeset_free(w->cs);
		w->cs = NULL;
		goto out;
	}
	w->nchanged = changeset_changed(w->cs, &e);
	snprintf(w->nexthop, sizeof(w->nexthop), "%s", plan.nexthop);
	find_stale(w, m, plan.nexthop);
	w_text_add(pt, ROLE_HEADER, " %s: next hop %s (%s), %s", w->p->name, plan.nexthop,
	    plan.tls == PROV_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS",
	    plan.auth ? "SMTP AUTH" : "no SMTP AUTH (relay by IP address)");
	if (changed.len) {
		w_text_add(pt, ROLE_NORMAL, " main.cf parameters that change:");
		w_text_add_text(pt, ROLE_NORMAL, "   ", changed.data);
	}
	if (generic.len)
		w_text_add(pt, ROLE_NORMAL, " sender rewriting: %s", generic.data);
	if (w->stale_key[0])
		w_text_add(pt, ROLE_WARNING, " The previous relay's credential %s (user %s) will "
			   "not be used any more: after the apply the wizard offers to remove it.",
			   w->stale_key, w->stale_user);
	if (w->nchanged == 0) {
		w_text_add(pt, ROLE_OK, " Nothing to change: the relay is already set up this way.");
		goto out;
	}
	w_text_add(pt, ROLE_HELP, " Enter: apply %zu changed file(s)   Esc: back", w->nchanged);
	w_text_add(pt, ROLE_NORMAL, "%s", "");
	w_text_add_diff(pt, diff.data);
out:
	providers_plan_free(&plan);
	maincf_free(m);
	free(path);
	buf_free(&diff);
	buf_free(&changed);
	buf_free(&generic);
}

/* applies - does step st apply to the chosen provider? */
static int applies(struct wiz *w, enum step st)
{
	switch (st) {
	case ST_HOST:
		return w->p->host == NULL;
	case ST_REGION:
		return w->p->nregions > 0;
	case ST_CREDS:
		return w->p->auth != PROV_AUTH_NONE;
	default:
		return 1;
	}
}

static void open_step_dialog(struct wiz *w);

/* go - show step st (forward: remember where we were). */
static void go(struct wiz *w, enum step st, int forward)
{
	if (forward && w->nhist < HIST_MAX)
		w->hist[w->nhist++] = w->step;
	w->step = st;
	rebuild(w);
	console_message(w->s->c, ROLE_NORMAL, "%s", "");
	console_dirty(w->s->c, DIRTY_SCREEN | DIRTY_STATUS);
	if (forward)
		open_step_dialog(w);
}

/* next - the next step that applies. */
static void next(struct wiz *w)
{
	enum step st = w->step + 1;

	while (st < ST_DONE && !applies(w, st))
		st++;
	go(w, st, 1);
}

/* back_step - Esc: the step before, or leave from the first. */
static int back_step(struct wiz *w)
{
	if (w->nhist == 0 || w->step == ST_DONE)
		return -1;
	go(w, w->hist[--w->nhist], 0);
	return 0;
}

static int dialog_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r);

/* ask - an input dialog tagged tag. */
static void ask(struct wiz *w, int tag, const char *title, const char *prompt, const char *init,
		int masked)
{
	struct w_dialog *d = w_dialog_input(title, prompt, init, masked);

	if (d)
		w_dialog_set_tag(d, tag);
	console_dialog(w->s->c, w->s, d, dialog_done);
}

/* ask_user - the user name dialog, or the password one for a fixed name. */
static void ask_user(struct wiz *w)
{
	char prompt[512];

	if (w->p->username) {
		snprintf(prompt, sizeof(prompt), "Password for %s at %s (never shown)%s:",
			 w->p->username, w->nexthop, has_entry(w, w->p->username) ?
			 "\nEmpty: keep the current one" : "");
		ask(w, TAG_PW, "Password", prompt, "", 1);
		return;
	}
	snprintf(prompt, sizeof(prompt), "User name (%s)%s:",
		 w->p->username_hint ? w->p->username_hint : "the SMTP user name",
		 w->p->auth == PROV_AUTH_OPTIONAL ? "\nEmpty: no SMTP AUTH, relay by IP address" : "");
	ask(w, TAG_USER, "User name", prompt, w->user, 0);
}

/* open_step_dialog - steps that need typing open their field at once. */
static void open_step_dialog(struct wiz *w)
{
	char prompt[512];

	if (w->step == ST_HOST) {
		snprintf(prompt, sizeof(prompt), "Smart host (%s):",
			 w->p->host_hint ? w->p->host_hint : "name or IP address");
		ask(w, TAG_HOST, "Smart host", prompt, w->host, 0);
	} else if (w->step == ST_CREDS) {
		ask_user(w);
	}
}

/* set_rw - validate and add a FROM=TO pair. */
static int add_rw(struct wiz *w, const char *v, struct w_dialog *d)
{
	const char *eq = strchr(v, '=');

	if (eq == NULL || eq == v || eq[1] == '\0' || strpbrk(v, " \t") != NULL) {
		w_dialog_set_error(d, "write FROM=TO, e.g. root@localhost=admin@example.com");
		return 1;
	}
	if (w->nrw == MAX_RW) {
		w_dialog_set_error(d, "too many rewrites");
		return 1;
	}
	if ((w->rw[w->nrw] = strdup(v)) != NULL)
		w->nrw++;
	w->touched = 1;
	rebuild(w);
	w_text_select(&w->panel, w->panel.lines.n > 1 ? w->panel.lines.n - 2 : 0);
	return 0;
}

/* set_password - keep the typed password in a secret; empty keeps the
 * next hop's entry when it has one for the same user. */
static int set_password(struct wiz *w, struct w_dialog *d)
{
	const char *v = w_dialog_value(d);
	struct err e;
	char msg[512];

	secret_free(&w->pw);
	w->have_pw = w->keep_pw = 0;
	pw_stamp(w, w->pw_for, sizeof(w->pw_for));
	if (*v == '\0') {
		if (!has_entry(w, auth_user(w))) {
			w_dialog_set_error(d, "a password is needed (no entry for this next hop yet)");
			return 1;
		}
		w->keep_pw = 1;
		next(w);
		return 0;
	}
	err_clear(&e);
	if (secret_set(&w->pw, v, strlen(v), &e) < 0 || creds_check_password(&w->pw, &e) < 0) {
		secret_free(&w->pw);
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	w->have_pw = 1;
	w->touched = 1;
	next(w);
	return 0;
}

/* apply - the confirmed change set. */
static void apply(struct wiz *w)
{
	struct apply_report r;
	struct err e;
	int rc;

	err_clear(&e);
	apply_report_init(&r);
	console_busy(w->s->c, "applying…");
	rc = changeset_apply(w->cs, "setup wizard", &r, &e);
	changeset_free(w->cs);
	w->cs = NULL;
	if (rc == 0) {
		w->applied = 1;
		/* The secret is on disk now; memory keeps no copy. */
		secret_free(&w->pw);
		w->have_pw = 0;
		go(w, ST_DONE, 1);
		console_reload(w->s->c);
	}
	/* The offer to remove the old relay's secret follows the result. */
	if (rc == 0 && w->stale_key[0])
		result_show_then(w->s->c, w->s, "Apply", rc, &r, &e, dialog_done, TAG_RESULT);
	else
		result_show(w->s->c, w->s, "Apply", rc, &r, &e);
	apply_report_free(&r);
}

/* dialog_done - answers of the wizard's dialogs. */
static int dialog_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct wiz *w = s->data;
	struct prov_plan plan = { 0 };
	const char *v;
	char msg[1024];
	struct err e;
	int tag = w_dialog_tag(d);

	err_clear(&e);
	if (tag == REVIEW_TAG) {
		review_done(&w->rv, s, r);
		if (r == W_DLG_OK)
			w->stale_key[0] = '\0';
		rebuild(w);
		return 0;
	}
	if (tag == TAG_RESULT) {
		offer_remove(w);
		return 0;
	}
	if (r != W_DLG_OK) {
		/* Cancelling a step's own field goes back a step. */
		if (tag == TAG_HOST || tag == TAG_USER || (tag == TAG_PW && w->p->username))
			back_step(w);
		return 0;
	}
	v = w_dialog_value(d);
	switch (tag) {
	case TAG_LEAVE:
		console_pop(s->c);
		return 0;
	case TAG_APPLY:
		apply(w);
		return 0;
	case TAG_HOST:
		snprintf(w->host, sizeof(w->host), "%s", v);
		if (strcmp(w->host, w->cur_host) != 0)
			w->touched = 1;
		w->port = 0;
		/* The same checks setup_plan runs, with the catalog's default port. */
		if (plan_now(w, &plan, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		providers_plan_free(&plan);
		next(w);
		return 0;
	case TAG_PORT:
		w->port = atoi(v);
		w->tls_set = 0;
		if (w->port < 1 || w->port > 65535 || strspn(v, "0123456789") != strlen(v)) {
			w_dialog_set_error(d, "a port is a number from 1 to 65535");
			return 1;
		}
		/* The next hop (for the credentials) follows from host and port. */
		if (plan_now(w, &plan, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		snprintf(w->nexthop, sizeof(w->nexthop), "%s", plan.nexthop);
		providers_plan_free(&plan);
		w->touched = 1;
		next(w);
		return 0;
	case TAG_USER:
		snprintf(w->user, sizeof(w->user), "%s", v);
		w->no_auth = *v == '\0' && w->p->auth == PROV_AUTH_OPTIONAL;
		if (*v == '\0' && !w->no_auth) {
			w_dialog_set_error(d, "this provider needs a user name");
			return 1;
		}
		if (*v && creds_check_user(v, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		if (strcmp(w->user, w->cur_user) != 0)
			w->touched = 1;
		if (w->no_auth) {
			next(w);
			return 0;
		}
		/* The panel shows the new user (and drops a password given for
		 * another) even when the password question is cancelled. */
		rebuild(w);
		snprintf(msg, sizeof(msg), "Password for %s at %s (never shown)%s:", v, w->nexthop,
			 has_entry(w, v) ? "\nEmpty: keep the current one" : "");
		ask(w, TAG_PW, "Password", msg, "", 1);
		return 0;
	case TAG_PW:
		return set_password(w, d);
	case TAG_RW:
		return add_rw(w, v, d);
	default:
		return 0;
	}
}

/* choose - Enter on a list step. */
static void choose(struct wiz *w)
{
	struct prov_plan plan = { 0 };
	const struct line *l = w_text_sel_line(&w->panel);
	struct err e;

	err_clear(&e);
	switch (w->step) {
	case ST_PROVIDER: {
		const struct provider *np;

		if (l == NULL)
			return;
		np = &w->cat->v[l->tag];
		if (np != w->p) {
			w->p = np;
			w->region[0] = '\0';
			w->port = 0;
			w->tls_set = 0;
			w->no_auth = 0;
			w->touched = 1;
			if (np->host != NULL)
				w->host[0] = '\0';
		}
		if (np->notice)
			console_dialog(w->s->c, w->s,
				       w_dialog_message(np->name, np->notice, ROLE_WARNING), NULL);
		next(w);
		return;
	}
	case ST_REGION:
		if (l == NULL)
			return;
		snprintf(w->region, sizeof(w->region), "%s", w->p->regions[l->tag].id);
		next(w);
		return;
	case ST_PORT:
		if (l == NULL)
			return;
		if (l->tag < 0) {
			ask(w, TAG_PORT, "Port", "Port (465 and 2465 are implicit TLS, others STARTTLS):",
			    "", 0);
			return;
		}
		w->port = w->p->ports[l->tag].port;
		w->tls_set = 0;
		/* The next hop (for the credentials) follows from host, region, port. */
		if (plan_now(w, &plan, &e) < 0) {
			console_error(w->s->c, &e);
			return;
		}
		snprintf(w->nexthop, sizeof(w->nexthop), "%s", plan.nexthop);
		providers_plan_free(&plan);
		next(w);
		return;
	default:
		return;
	}
}

/* setup_unsaved - answers given but not applied (the console asks before a switch). */
static int setup_unsaved(struct screen *s)
{
	struct wiz *w = s->data;

	return w && !w->applied && w->touched && w->step != ST_DONE;
}

/* leave - q: ask when answers would be lost. */
static void leave(struct wiz *w)
{
	struct w_dialog *d;

	if (!setup_unsaved(w->s)) {
		console_pop(w->s->c);
		return;
	}
	d = w_dialog_confirm("Leave the wizard", "Your answers are not applied and will be lost. "
			     "Leave? y/n");
	if (d)
		w_dialog_set_tag(d, TAG_LEAVE);
	console_dialog(w->s->c, w->s, d, dialog_done);
}

/* setup_key - the wizard's keys, by step. */
static void setup_key(struct screen *s, enum act a, int key)
{
	struct wiz *w = s->data;
	struct w_dialog *d;
	char q[512];

	(void)key;
	switch (a) {
	case ACT_WIZ_LEAVE:
		leave(w);
		return;
	case ACT_WIZ_BACK:
		if (back_step(w) < 0)
			leave(w);
		return;
	case ACT_WIZ_ADD:
		if (w->step == ST_REWRITE)
			ask(w, TAG_RW, "Rewrite", "Rewrite the sender FROM=TO:", "", 0);
		else if (w->step == ST_CREDS)
			ask_user(w);
		return;
	case ACT_WIZ_DEL:
		if (w->step == ST_REWRITE && w_text_sel_line(&w->panel) != NULL) {
			size_t i = (size_t)w_text_sel_line(&w->panel)->tag;

			free(w->rw[i]);
			memmove(&w->rw[i], &w->rw[i + 1], (w->nrw - i - 1) * sizeof(w->rw[0]));
			w->nrw--;
			rebuild(w);
		}
		return;
	case ACT_WIZ_TOGGLE:
		if (w->step == ST_LIMITS) {
			w->skip_limits = !w->skip_limits;
			w->touched = 1;
			rebuild(w);
		}
		return;
	case ACT_ENTER:
		break;
	default:
		return;
	}
	switch (w->step) {
	case ST_PROVIDER:
	case ST_REGION:
	case ST_PORT:
		choose(w);
		break;
	case ST_HOST:
		open_step_dialog(w);
		break;
	case ST_CREDS:
		if (!w->no_auth && !w->have_pw && !w->keep_pw)
			ask_user(w);
		else
			next(w);
		break;
	case ST_REVIEW:
		if (w->cs == NULL || w->nchanged == 0) {
			console_message(s->c, ROLE_WARNING, "nothing to apply");
			break;
		}
		snprintf(q, sizeof(q), "Apply %zu changed file(s) to %s? y/n", w->nchanged,
			 console_target(s->c)->config_dir);
		d = w_dialog_confirm("Apply", q);
		if (d)
			w_dialog_set_tag(d, TAG_APPLY);
		console_dialog(s->c, s, d, dialog_done);
		break;
	case ST_DONE:
		screen_probe_prefill(w->nexthop, 0);
		console_push(s->c, &screen_probe_ops);
		break;
	default:
		next(w);
		break;
	}
}

/* setup_draw - title, step (wrapped), panel, then the provider's notice
 * and notes, wrapped, in as many rows as they need (up to half the screen). */
static void setup_draw(struct screen *s, WINDOW *win, int y, int h, int wd)
{
	struct wiz *w = s->data;
	char line[512];
	int head, det;

	ui_put(win, y, 0, wd, ROLE_TITLE, " relaydeck - Setup wizard");
	snprintf(line, sizeof(line), " Step %d of %d: %s%s%s", (int)w->step + 1, (int)ST_COUNT,
		 step_names[w->step], w->p ? "   provider: " : "", w->p ? w->p->name : "");
	head = 1 + ui_put_wrapped(win, y + 1, 0, wd, 2, ROLE_HEADER, line);
	det = (int)w_text_rows(&w->detail, wd);
	if (det > (h - head) / 2)
		det = (h - head) / 2;
	w_text_draw(&w->panel, win, y + head, 0, h - head - det, wd);
	if (det > 0)
		w_text_draw(&w->detail, win, y + h - det, 0, det, wd);
}

/* setup_init - catalog and the current state, pre-filled answers. */
static int setup_init(struct screen *s, struct err *e)
{
	struct wiz *w = calloc(1, sizeof(*w));
	struct err de;

	if (w == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((w->cat = providers_load(e)) == NULL) {
		free(w);
		return -1;
	}
	w->s = s;
	s->data = w;
	w_text_init(&w->panel);
	w_text_init(&w->detail);
	w_text_pager(&w->detail, 1);
	err_clear(&de);
	console_busy(s->c, "reading the current state…");
	if (setup_detect(console_target(s->c), console_maincf(s->c), &w->st, &de) == 0) {
		w->have_state = 1;
		prefill(w);
	} else {
		console_error(s->c, &de);
	}
	w->step = ST_DETECT;
	rebuild(w);
	if (w->have_state)
		console_message(s->c, ROLE_NORMAL, "%s", "");
	return 0;
}

static void setup_free(struct screen *s)
{
	struct wiz *w = s->data;

	if (w == NULL)
		return;
	secret_free(&w->pw);
	review_clear(&w->rv);
	w_text_free(&w->panel);
	w_text_free(&w->detail);
	for (size_t i = 0; i < w->nrw; i++)
		free(w->rw[i]);
	changeset_free(w->cs);
	setup_state_free(&w->st);
	providers_free(w->cat);
	free(w);
	s->data = NULL;
}

static struct w_list *setup_list(struct screen *s)
{
	return w_text_list(&((struct wiz *)s->data)->panel);
}

/* setup_reload - main.cf changed elsewhere: the review is stale. */
static void setup_reload(struct screen *s)
{
	struct wiz *w = s->data;

	if (w->step == ST_REVIEW)
		rebuild(w);
}

const struct screen_ops screen_setup_ops = {
	.title = "Setup wizard",
	.keys = keymap_setup,
	.init = setup_init,
	.free = setup_free,
	.resize = NULL,
	.key = setup_key,
	.draw = setup_draw,
	.list = setup_list,
	.on_reload = setup_reload,
	.unsaved = setup_unsaved,
};
