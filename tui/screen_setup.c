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
 * empty password keeps the next hop's existing entry.
 *
 * Keys: Enter chooses/continues, Esc goes back one step, q leaves (asks
 * when answers would be lost), a/x add/delete a rewrite, Space toggles
 * the rate limits.
 */
#include "config.h"

#include <stdarg.h>
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
#include "screens.h"
#include "secret.h"
#include "setup.h"
#include "target.h"
#include "ui.h"

#define DETAIL_H 4
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

enum { TAG_HOST = 1, TAG_PORT, TAG_USER, TAG_PW, TAG_RW, TAG_APPLY, TAG_LEAVE };

struct line {
	char *text;
	enum theme_role role;
	int sel;	/* selectable; idx is what it stands for */
	int idx;
};

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
	char *rw[MAX_RW];
	size_t nrw;
	/* what the target had */
	char cur_host[256], cur_port[16], cur_user[256];
	/* review and result */
	struct changeset *cs;
	size_t nchanged;
	char nexthop[300];
	int applied;
	/* the panel */
	struct line *lines;
	size_t nlines, alloc;
	struct w_list list;
	char detail[1024];
};

/* add - append a panel line. */
static void add(struct wiz *w, enum theme_role role, int sel, int idx, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add(struct wiz *w, enum theme_role role, int sel, int idx, const char *fmt, ...)
{
	va_list ap;
	char *t;

	if (w->nlines == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		struct line *nl = realloc(w->lines, na * sizeof(*nl));

		if (nl == NULL)
			return;
		w->lines = nl;
		w->alloc = na;
	}
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	if (t == NULL)
		return;
	w->lines[w->nlines++] = (struct line){ t, role, sel, idx };
}

/* add_text - every line of a multi-line text. */
static void add_text(struct wiz *w, enum theme_role role, const char *prefix, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, "\n");

		add(w, role, 0, 0, "%s%.*s", prefix, (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void clear_lines(struct wiz *w)
{
	for (size_t i = 0; i < w->nlines; i++)
		free(w->lines[i].text);
	w->nlines = 0;
}

static const char *row_text(void *ctx, size_t i)
{
	return ((struct wiz *)ctx)->lines[i].text;
}

static int row_selectable(void *ctx, size_t i)
{
	struct wiz *w = ctx;

	/* Text panels scroll: every line may hold the cursor there. */
	if (w->step == ST_PROVIDER || w->step == ST_REGION || w->step == ST_PORT ||
	    w->step == ST_REWRITE)
		return w->lines[i].sel;
	return 1;
}

static void draw_row(void *ctx, WINDOW *win, int y, int x, int width, size_t i, int sel)
{
	struct wiz *w = ctx;
	int pick = w->step == ST_PROVIDER || w->step == ST_REGION || w->step == ST_PORT ||
		   w->step == ST_REWRITE;

	ui_put(win, y, x, width, sel && pick ? ROLE_SELECTED : w->lines[i].role, w->lines[i].text);
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
	struct buf b = BUF_INIT;
	size_t keep = 0;

	clear_lines(w);
	w->detail[0] = '\0';
	switch (w->step) {
	case ST_DETECT:
		add(w, ROLE_HEADER, 0, 0, " What this Postfix has now (%s)",
		    console_target(w->s->c)->config_dir);
		if (!w->have_state) {
			add(w, ROLE_ERROR, 0, 0, "   could not read the current state");
			break;
		}
		add(w, ROLE_NORMAL, 0, 0, "   Postfix:               %s",
		    w->st.running == 1 ? "installed, running" :
		    w->st.running == 0 ? "installed, not running" : "state unknown");
		add(w, ROLE_NORMAL, 0, 0, "   relayhost:             %s",
		    w->st.relayhost[0] ? w->st.relayhost : "(none: direct delivery)");
		add(w, ROLE_NORMAL, 0, 0, "   credentials:           %s:%s%s", w->st.src.type,
		    w->st.src.path, w->st.src.configured ? "" : " (not configured yet)");
		for (size_t i = 0; i < w->st.nentries; i++)
			add(w, ROLE_NORMAL, 0, 0, "                          %s %s",
			    w->st.entries[i].key, w->st.entries[i].masked);
		add(w, ROLE_NORMAL, 0, 0, "   default_database_type: %s", w->st.db_type);
		for (const char *const *mt = setup_map_types(); *mt; mt++)
			if (params_host_has_map_type(console_host(w->s->c), *mt))
				buf_printf(&b, " %s", *mt);
		add(w, ROLE_NORMAL, 0, 0, "   lookup table types:   %s", b.data ? b.data : " (unknown)");
		add(w, ROLE_NORMAL, 0, 0, "%s", "");
		add(w, ROLE_HELP, 0, 0, " Enter: choose a provider");
		break;
	case ST_PROVIDER:
		for (size_t i = 0; i < w->cat->n; i++) {
			add(w, ROLE_NORMAL, 1, (int)i, "   %-26s %s", w->cat->v[i].id, w->cat->v[i].name);
			if (&w->cat->v[i] == p)
				keep = w->nlines - 1;
		}
		break;
	case ST_HOST:
		add(w, ROLE_NORMAL, 0, 0, "   host: %s", w->host[0] ? w->host : "(not set)");
		add(w, ROLE_HELP, 0, 0, " Enter: edit the host, then choose the port");
		break;
	case ST_REGION:
		for (size_t i = 0; i < p->nregions; i++) {
			char h[256];

			region_host(p, &p->regions[i], h, sizeof(h));
			add(w, ROLE_NORMAL, 1, (int)i, "   %-16s %s%s", p->regions[i].id, h,
			    strcmp(p->regions[i].id, p->default_region ? p->default_region : "") ?
			    "" : "  (default)");
			if (strcmp(p->regions[i].id, w->region[0] ? w->region :
				   p->default_region ? p->default_region : "") == 0)
				keep = w->nlines - 1;
		}
		break;
	case ST_PORT:
		for (size_t i = 0; i < p->nports; i++) {
			add(w, ROLE_NORMAL, 1, (int)i, "   %-6d %s%s", p->ports[i].port,
			    p->ports[i].tls == PROV_TLS_IMPLICIT ? "implicit TLS (wrapper mode)" :
			    "STARTTLS", p->ports[i].port == p->default_port ? "  (default)" : "");
			if (p->ports[i].port == (w->port ? w->port : p->default_port))
				keep = w->nlines - 1;
		}
		if (p->host == NULL) {
			add(w, ROLE_NORMAL, 1, -1, "   other port…");
			if (w->port && providers_port_tls(p, w->port) == PROV_TLS_STARTTLS &&
			    keep == 0 && w->port != p->ports[0].port)
				keep = w->nlines - 1;
		}
		break;
	case ST_CREDS:
		if (w->no_auth) {
			add(w, ROLE_NORMAL, 0, 0, "   no SMTP AUTH: the smart host relays for this "
			    "host's address");
		} else {
			add(w, ROLE_NORMAL, 0, 0, "   user:     %s", w->user[0] ? w->user :
			    p->username ? p->username : "(not set)");
			add(w, ROLE_NORMAL, 0, 0, "   password: %s", w->have_pw ? "set (hidden)" :
			    w->keep_pw ? "unchanged (the current entry stays)" : "(not set)");
		}
		add(w, ROLE_HELP, 0, 0, " Enter: continue   a: enter the credentials again");
		break;
	case ST_REWRITE:
		add(w, ROLE_HEADER, 0, 0, " Sender addresses rewritten on the way out "
		    "(smtp_generic_maps), optional");
		for (size_t i = 0; i < w->nrw; i++)
			add(w, ROLE_NORMAL, 1, (int)i, "   %s", w->rw[i]);
		if (w->nrw == 0)
			add(w, ROLE_DIM, 0, 0, "   (none)");
		add(w, ROLE_HELP, 0, 0, " a: add FROM=TO (root@localhost=admin@example.com)   "
		    "x: delete   Enter: continue");
		break;
	case ST_LIMITS:
		setup_limits_text(&p->limits, &b);
		add(w, ROLE_NORMAL, 0, 0, "   published limits: %s", b.data);
		if (p->limits.note)
			add(w, ROLE_DIM, 0, 0, "   %s", p->limits.note);
		add(w, ROLE_NORMAL, 0, 0, "%s", "");
		if (p->npostfix == 0)
			add(w, ROLE_DIM, 0, 0, "   no rate settings proposed for this provider");
		for (size_t i = 0; i < p->npostfix; i++)
			add(w, w->skip_limits ? ROLE_DIM : ROLE_NORMAL, 0, 0, "   [%c] %s = %s",
			    w->skip_limits ? ' ' : 'x', p->postfix[i].name, p->postfix[i].value);
		add(w, ROLE_HELP, 0, 0, " Space: include or leave out these settings   "
		    "Enter: review");
		break;
	case ST_REVIEW:
		build_review(w);
		break;
	case ST_DONE:
		add(w, ROLE_OK, 0, 0, " Applied: mail now leaves through %s", w->nexthop);
		add(w, ROLE_NORMAL, 0, 0, "%s", "");
		add(w, ROLE_HELP, 0, 0, " Enter: test the connection (opens the Probe screen on %s)",
		    w->nexthop);
		add(w, ROLE_HELP, 0, 0, " q: leave the wizard");
		break;
	default:
		break;
	}
	if (p && (w->step == ST_PROVIDER || w->step == ST_REGION || w->step == ST_PORT))
		snprintf(w->detail, sizeof(w->detail), "%s%s%s", p->notice ? p->notice : "",
			 p->notice && p->notes ? "\n" : "", p->notes ? p->notes : "");
	buf_free(&b);
	w_list_set_count(&w->list, w->nlines);
	w->list.top = 0;
	w->list.sel = 0;
	w_list_select(&w->list, keep);
}

/* build_review - plan and stage everything in a fresh change set, show the diff. */
static void build_review(struct wiz *w)
{
	struct console *c = w->s->c;
	struct target *t = console_target(c);
	struct prov_plan plan = { 0 };
	struct setup_answers a;
	struct buf mc = BUF_INIT, diff = BUF_INIT, changed = BUF_INIT, generic = BUF_INIT;
	struct maincf *m = NULL;
	char *path = target_config_path(t, "main.cf");
	struct err e;

	err_clear(&e);
	changeset_free(w->cs);
	w->cs = NULL;
	w->nchanged = 0;
	answers(w, &a);
	if (path == NULL || maincf_serialize(console_maincf(c), &mc) < 0 ||
	    (m = maincf_parse(path, mc.data ? mc.data : "", mc.len, &e)) == NULL ||
	    setup_plan(t, w->p, &w->st, &a, &plan, &e) < 0 ||
	    (w->cs = changeset_new(t)) == NULL ||
	    setup_stage(w->cs, t, m, path, console_host(c), w->p, &w->st, &a, &plan,
			w->have_pw ? &w->pw : NULL, &changed, &generic, &e) < 0 ||
	    changeset_diff(w->cs, &diff, &e) < 0) {
		char msg[1024];

		if (e.code == ERR_OK)
			err_set(&e, ERR_NOMEM, "out of memory");
		add(w, ROLE_ERROR, 0, 0, " cannot build the change: %s", err_format(&e, msg,
											 sizeof(msg)));
		add(w, ROLE_HELP, 0, 0, " Esc: go back and change the answers");
		changeset_free(w->cs);
		w->cs = NULL;
		goto out;
	}
	w->nchanged = changeset_changed(w->cs, &e);
	snprintf(w->nexthop, sizeof(w->nexthop), "%s", plan.nexthop);
	add(w, ROLE_HEADER, 0, 0, " %s: next hop %s (%s), %s", w->p->name, plan.nexthop,
	    plan.tls == PROV_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS",
	    plan.auth ? "SMTP AUTH" : "no SMTP AUTH (relay by IP address)");
	if (changed.len) {
		add(w, ROLE_NORMAL, 0, 0, " main.cf parameters that change:");
		add_text(w, ROLE_NORMAL, "   ", changed.data);
	}
	if (generic.len)
		add(w, ROLE_NORMAL, 0, 0, " sender rewriting: %s", generic.data);
	if (w->nchanged == 0) {
		add(w, ROLE_OK, 0, 0, " Nothing to change: the relay is already set up this way.");
		goto out;
	}
	add(w, ROLE_HELP, 0, 0, " Enter: apply %zu changed file(s)   Esc: back", w->nchanged);
	add(w, ROLE_NORMAL, 0, 0, "%s", "");
	for (const char *s = diff.data; s && *s;) {
		size_t n = strcspn(s, "\n");
		enum theme_role r = ROLE_NORMAL;

		if (s[0] == '+' && strncmp(s, "+++", 3) != 0)
			r = ROLE_DIFF_ADD;
		else if (s[0] == '-' && strncmp(s, "---", 3) != 0)
			r = ROLE_DIFF_DEL;
		else if (s[0] == '@')
			r = ROLE_DIFF_HUNK;
		add(w, r, 0, 0, "%.*s", (int)n, s);
		s += n + (s[n] == '\n');
	}
out:
	providers_plan_free(&plan);
	maincf_free(m);
	free(path);
	buf_free(&mc);
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
		snprintf(prompt, sizeof(prompt), "Password for %s at %s (never shown):",
			 w->p->username, w->nexthop);
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
	w_list_select(&w->list, w->nlines > 1 ? w->nlines - 2 : 0);
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
	if (*v == '\0') {
		const char *u = w->p->username ? w->p->username : w->user;

		for (size_t i = 0; i < w->st.nentries; i++)
			if (strcmp(w->st.entries[i].key, w->nexthop) == 0 && w->st.entries[i].user &&
			    strcmp(w->st.entries[i].user, u) == 0)
				w->keep_pw = 1;
		if (!w->keep_pw) {
			w_dialog_set_error(d, "a password is needed (no entry for this next hop yet)");
			return 1;
		}
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
		snprintf(msg, sizeof(msg), "Password for %s at %s (never shown)%s:", v, w->nexthop,
			 strcmp(v, w->cur_user) == 0 ? "\nEmpty: keep the current one" : "");
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
	struct line *l = w->list.sel < w->nlines ? &w->lines[w->list.sel] : NULL;
	struct err e;

	err_clear(&e);
	switch (w->step) {
	case ST_PROVIDER: {
		const struct provider *np;

		if (l == NULL || !l->sel)
			return;
		np = &w->cat->v[l->idx];
		if (np != w->p) {
			w->p = np;
			w->region[0] = '\0';
			w->port = 0;
			w->tls_set = 0;
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
		if (l == NULL || !l->sel)
			return;
		snprintf(w->region, sizeof(w->region), "%s", w->p->regions[l->idx].id);
		next(w);
		return;
	case ST_PORT:
		if (l == NULL || !l->sel)
			return;
		if (l->idx < 0) {
			ask(w, TAG_PORT, "Port", "Port (465 and 2465 are implicit TLS, others STARTTLS):",
			    "", 0);
			return;
		}
		w->port = w->p->ports[l->idx].port;
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
		if (w->step == ST_REWRITE && w->list.sel < w->nlines && w->lines[w->list.sel].sel) {
			size_t i = (size_t)w->lines[w->list.sel].idx;

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

/* setup_draw - title, step, panel, detail. */
static void setup_draw(struct screen *s, WINDOW *win, int y, int h, int wd)
{
	struct wiz *w = s->data;
	char line[512];
	const char *d = w->detail;
	int i;

	ui_put(win, y, 0, wd, ROLE_TITLE, " relaydeck - Setup wizard");
	snprintf(line, sizeof(line), " Step %d of %d: %s%s%s", (int)w->step + 1, (int)ST_COUNT,
		 step_names[w->step], w->p ? "   provider: " : "", w->p ? w->p->name : "");
	ui_put(win, y + 1, 0, wd, ROLE_HEADER, line);
	w_list_draw(&w->list, win, y + 2, 0, h - 2 - DETAIL_H, wd);
	for (i = 0; i < DETAIL_H; i++) {
		size_t n = d && *d ? ui_wrap(d, wd - 2) : 0;

		snprintf(line, sizeof(line), " %.*s", (int)n, d ? d : "");
		for (char *nl = line; (nl = strchr(nl, '\n')) != NULL;)
			*nl = '\0';
		ui_put(win, y + h - DETAIL_H + i, 0, wd, i == 0 && w->p && w->p->notice ?
		       ROLE_WARNING : ROLE_HELP, line);
		if (d) {
			d += n;
			while (*d == ' ' || *d == '\n')
				d++;
		}
	}
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
	w_list_init(&w->list, w, row_text, row_selectable, draw_row);
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
	clear_lines(w);
	free(w->lines);
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
	return &((struct wiz *)s->data)->list;
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
