/*
 * screen_probe - the Probe screen: a small form (host[:port], TLS mode,
 * optional user and masked password) and the result of core/probe: one
 * line per step with ok/FAIL and milliseconds, TLS protocol and cipher,
 * the chain (subject, issuer, days left), fingerprints in Postfix's
 * form, the AUTH result with its likely meaning, and the redacted
 * transcript, all scrollable.
 *
 * The probe runs in a worker thread so the console keeps taking keys;
 * the thread wakes the loop through console_wake and the screen collects
 * the result in on_wake. Esc while it runs abandons it (the thread frees
 * its own job when it ends); the result is then ignored.
 *
 * The password lives in a struct secret (never drawn, wiped on free);
 * the job holds one copy, wiped as soon as the probe returns. With no
 * user typed, an AUTH probe uses the target's sasl_passwd entry for the
 * destination (probe_cred_lookup), as `relaydeck probe auth` does; the
 * screen says which source it used, never the secret.
 *
 * p pins the last result (core/pin): the rotation warning, the mode
 * (only those the result allows), then the shared review (diff,
 * confirm, apply, result dialog).
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "changeset.h"
#include "maincf.h"
#include "pin.h"
#include "postfix.h"
#include "probe.h"
#include "review.h"
#include "screens.h"
#include "secret.h"
#include "target.h"
#include "ui.h"

enum { ROW_HOST, ROW_TLS, ROW_USER, ROW_PW, ROW_RUN, NFORM };
enum { TAG_HOST = 1, TAG_USER, TAG_PW, TAG_PIN };

/* One probe in flight; freed by the screen, or by the thread when abandoned. */
struct job {
	pthread_mutex_t mu;
	int done, abandoned;
	struct console *c;
	struct probe_opts o;
	char host[256], port[16], user[256];
	char *password;
	size_t pwlen;
	char *ca_file, *ca_path;
	struct probe_result r;
	int rc;
	struct err e;
};

struct line {
	char *text;
	enum theme_role role;
};

struct pscreen {
	struct screen *s;
	char target[300];
	int tls_mode;
	char user[256];
	struct secret pw;
	struct job *job;
	char digest[16];
	struct line *lines;
	size_t nlines, alloc;
	struct w_list list;
	struct probe_result last;	/* the last finished probe (for p) */
	int have_last;
	char cred_source[800];	/* where the AUTH credential came from, or "" */
	struct review rv;
};

static char prefill_target[300];
static int prefill_tls;

/* screen_probe_prefill - remembered for the next probe_init. */
void screen_probe_prefill(const char *hostport, int tls_mode)
{
	snprintf(prefill_target, sizeof(prefill_target), "%s", hostport ? hostport : "");
	prefill_tls = tls_mode;
}

static const char *const tls_names[] = { "auto (465/2465 implicit, else STARTTLS)", "STARTTLS",
					 "implicit TLS" };

/* job_free - result, wiped password, the job. */
static void job_free(struct job *j)
{
	probe_result_free(&j->r);
	if (j->password) {
		OPENSSL_cleanse(j->password, j->pwlen);
		free(j->password);
	}
	free(j->ca_file);
	free(j->ca_path);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* job_main - the worker: probe, wipe, tell the loop (or clean up alone). */
static void *job_main(void *arg)
{
	struct job *j = arg;
	int abandoned;

	err_clear(&j->e);
	j->rc = probe_run(&j->o, &j->r, &j->e);
	if (j->password)
		OPENSSL_cleanse(j->password, j->pwlen);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	abandoned = j->abandoned;
	/* Under the lock: the console (and its pipe) outlive a job not abandoned. */
	if (!abandoned)
		console_wake(j->c);
	pthread_mutex_unlock(&j->mu);
	if (abandoned)
		job_free(j);
	return NULL;
}

/* job_abandon - forget a running job; whoever finishes last frees it. */
static void job_abandon(struct job *j)
{
	int done;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	j->abandoned = 1;
	pthread_mutex_unlock(&j->mu);
	if (done)
		job_free(j);
}

/* add - append a panel line. */
static void add(struct pscreen *p, enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct pscreen *p, enum theme_role role, const char *fmt, ...)
{
	va_list ap;
	char *t;

	if (p->nlines == p->alloc) {
		size_t na = p->alloc ? p->alloc * 2 : 64;
		struct line *nl = realloc(p->lines, na * sizeof(*nl));

		if (nl == NULL)
			return;
		p->lines = nl;
		p->alloc = na;
	}
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	if (t == NULL)
		return;
	p->lines[p->nlines++] = (struct line){ t, role };
}

/* clear_results - drop every line after the form. */
static void clear_results(struct pscreen *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	p->nlines = 0;
}

/* form_lines - the form rows (always the first NFORM lines). */
static void form_lines(struct pscreen *p)
{
	add(p, ROLE_NORMAL, " Host[:port]  %s", p->target[0] ? p->target : "(Enter to set)");
	add(p, ROLE_NORMAL, " TLS mode     %s", tls_names[p->tls_mode]);
	add(p, ROLE_NORMAL, " User         %s", p->user[0] ? p->user :
	    "(none: the target's sasl_passwd entry, else TLS only)");
	add(p, ROLE_NORMAL, " Password     %s", p->pw.data ? "set (hidden)" : "(none)");
	add(p, ROLE_HEADER, " [ Run the probe ]   (r)");
}

/* result_lines - the result panel from r. */
static void result_lines(struct pscreen *p, const struct probe_result *r)
{
	const struct probe_tls *t = &r->tls;

	add(p, ROLE_NORMAL, "%s", "");
	add(p, r->ok ? ROLE_OK : ROLE_ERROR, " Probe of [%s]:%s (%s): %s", r->host, r->port,
	    r->tls_mode == PROBE_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS",
	    r->ok ? "ok, every step passed" : "FAIL");
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct probe_step *s = &r->steps[i];

		add(p, s->ok ? ROLE_NORMAL : ROLE_ERROR, "   %-4s %6ld ms  %-10s %s",
		    s->ok ? "ok" : "FAIL", s->ms, s->name, s->detail);
	}
	if (t->done) {
		add(p, ROLE_HEADER, " TLS: %s %s", t->protocol, t->cipher);
		for (size_t i = 0; i < t->nchain; i++) {
			const struct probe_cert *c = &t->chain[i];

			add(p, ROLE_NORMAL, "   certificate %zu: %s", i, c->subject);
			add(p, ROLE_NORMAL, "     issuer: %s", c->issuer);
			add(p, c->days_left < 0 ? ROLE_ERROR : c->days_left < 14 ? ROLE_WARNING :
			    ROLE_NORMAL, "     valid until %s (%ld days %s), %s %d bits",
			    c->not_after, c->days_left < 0 ? -c->days_left : c->days_left,
			    c->days_left < 0 ? "ago: EXPIRED" : "left", c->key_type, c->key_bits);
		}
		add(p, t->verified ? ROLE_OK : ROLE_ERROR, "   chain verified: %s; host name: %s",
		    t->verified ? "yes" : t->verify_error,
		    t->hostname_match ? "matches" : "does NOT match");
		add(p, ROLE_NORMAL, "   sha256 cert:   %s", t->cert_sha256);
		add(p, ROLE_NORMAL, "   sha256 pubkey: %s", t->pubkey_sha256);
		if (t->digest[0]) {
			add(p, ROLE_NORMAL, "   %s cert:   %s", t->digest, t->cert_fp);
			add(p, ROLE_NORMAL, "   %s pubkey: %s", t->digest, t->pubkey_fp);
		}
	}
	if (p->cred_source[0])
		add(p, ROLE_NORMAL, " AUTH credential: %s", p->cred_source);
	if (r->auth.mechanisms[0] || r->auth.xoauth2)
		add(p, ROLE_NORMAL, " AUTH offered: %s%s", r->auth.mechanisms,
		    r->auth.xoauth2 ? " (XOAUTH2 needs OAuth tokens; Postfix uses PLAIN/LOGIN)" : "");
	if (r->auth.tried) {
		add(p, r->auth.ok ? ROLE_OK : ROLE_ERROR, " AUTH %s: %s%s", r->auth.mechanism,
		    r->auth.ok ? "accepted" : "refused", "");
		if (r->auth.reply[0])
			add(p, ROLE_NORMAL, "   reply: %s", r->auth.reply);
		if (r->auth.hint[0])
			add(p, ROLE_WARNING, "   likely: %s", r->auth.hint);
	}
	add(p, ROLE_HEADER, " Transcript (passwords redacted)");
	for (size_t i = 0; i < r->ntranscript; i++)
		add(p, ROLE_DIM, "   %s", r->transcript[i]);
}

/* rebuild - form, then state or result. */
static void rebuild(struct pscreen *p, const struct probe_result *r, const char *status)
{
	size_t sel = p->list.sel;

	clear_results(p);
	form_lines(p);
	if (status)
		add(p, ROLE_WARNING, " %s", status);
	if (r)
		result_lines(p, r);
	w_list_set_count(&p->list, p->nlines);
	w_list_select(&p->list, sel < p->nlines ? sel : 0);
	console_dirty(p->s->c, DIRTY_SCREEN);
}

static const char *row_text(void *ctx, size_t i)
{
	return ((struct pscreen *)ctx)->lines[i].text;
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct pscreen *p = ctx;

	ui_put(w, y, x, width, sel ? ROLE_SELECTED : p->lines[i].role, p->lines[i].text);
}

/* cred_fallback - with no user typed, the target's sasl_passwd entry for
 * the destination, as `relaydeck probe auth` does; none: TLS only. The
 * source (never the secret) goes to p->cred_source. */
static int cred_fallback(struct pscreen *p, struct job *j)
{
	struct buf user = BUF_INIT, pw = BUF_INIT;
	char msg[300];
	struct err e;
	int rc = 0;

	err_clear(&e);
	if (probe_cred_lookup(console_target(p->s->c), j->host, j->port, &user, &pw, &e) == 0) {
		snprintf(j->user, sizeof(j->user), "%s", user.data ? user.data : "");
		j->pwlen = pw.len;
		if ((j->password = malloc(pw.len + 1)) == NULL) {
			rc = -1;
			goto out;
		}
		memcpy(j->password, pw.data ? pw.data : "", pw.len);
		j->password[pw.len] = '\0';
		j->o.auth = 1;
		j->o.user = j->user;
		j->o.password = j->password;
		snprintf(p->cred_source, sizeof(p->cred_source), "user %s, from the target's "
			 "sasl_passwd entry for [%s]:%s", j->user, j->host, j->port);
	} else if (e.code == ERR_NOTFOUND) {
		snprintf(p->cred_source, sizeof(p->cred_source), "none (no sasl_passwd entry for "
			 "[%s]:%s): TLS only", j->host, j->port);
	} else {
		snprintf(p->cred_source, sizeof(p->cred_source), "none (sasl_passwd lookup: %s): "
			 "TLS only", err_format(&e, msg, sizeof(msg)));
	}
out:
	buf_wipe_free(&pw);
	buf_free(&user);
	return rc;
}

/* run - start the worker with the form's answers. */
static void run(struct pscreen *p)
{
	struct console *c = p->s->c;
	struct job *j;
	struct buf v = BUF_INIT;
	struct err e;
	pthread_t th;
	pthread_attr_t at;
	int br;

	if (p->job) {
		console_message(c, ROLE_WARNING, "a probe is already running (Esc cancels it)");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	p->cred_source[0] = '\0';
	err_clear(&e);
	if (probe_parse_hostport(p->target, PROBE_PORT_DEFAULT, j->host, sizeof(j->host), j->port,
				 sizeof(j->port), &br, &e) < 0) {
		free(j);
		console_error(c, &e);
		return;
	}
	pthread_mutex_init(&j->mu, NULL);
	j->c = c;
	j->o.host = j->host;
	j->o.port = j->port;
	j->o.tls_mode = (enum probe_tls_mode)p->tls_mode;
	/* The CA and digest the target's Postfix uses, as `relaydeck probe` does. */
	if (probe_ca_defaults(console_target(c), &j->ca_file, &j->ca_path, &e) == 0) {
		j->o.ca_file = j->ca_file;
		j->o.ca_path = j->ca_path;
	}
	if (postfix_expand(console_target(c), "smtp_tls_fingerprint_digest", &v, &e) == 0 && v.len)
		snprintf(p->digest, sizeof(p->digest), "%s", v.data);
	else
		snprintf(p->digest, sizeof(p->digest), "sha256");
	buf_free(&v);
	for (char *d = p->digest; *d; d++)
		if (*d >= 'A' && *d <= 'Z')
			*d = (char)(*d - 'A' + 'a');
	j->o.digest = strcmp(p->digest, "sha256") != 0 ? p->digest : NULL;
	if (p->user[0] && p->pw.data) {
		snprintf(j->user, sizeof(j->user), "%s", p->user);
		j->pwlen = p->pw.len;
		if ((j->password = malloc(p->pw.len + 1)) == NULL) {
			job_free(j);
			return;
		}
		memcpy(j->password, p->pw.data, p->pw.len + 1);
		j->o.auth = 1;
		j->o.user = j->user;
		j->o.password = j->password;
		snprintf(p->cred_source, sizeof(p->cred_source), "user %s, typed on this screen",
			 j->user);
	} else if (p->user[0] == '\0' && cred_fallback(p, j) < 0) {
		job_free(j);
		return;
	}
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, job_main, j) != 0) {
		pthread_attr_destroy(&at);
		job_free(j);
		console_message(c, ROLE_ERROR, "cannot start the probe thread");
		return;
	}
	pthread_attr_destroy(&at);
	p->job = j;
	rebuild(p, NULL, "running… (Esc cancels)");
	console_message(c, ROLE_WARNING, "probing [%s]:%s…", j->host, j->port);
}

/* probe_wake - collect a finished job. */
static void probe_wake(struct screen *s)
{
	struct pscreen *p = s->data;
	struct job *j = p->job;
	struct err pe;
	int done;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return;
	p->job = NULL;
	if (j->rc < 0) {
		rebuild(p, NULL, NULL);
		console_error(s->c, &j->e);
	} else {
		/* Against what Postfix will demand: a pinned fingerprint, secure, verify. */
		if (probe_check_pin(console_target(s->c), &j->r, p->digest, &pe) < 0)
			console_error(s->c, &pe);
		else
			console_message(s->c, j->r.ok ? ROLE_OK : ROLE_ERROR, "probe %s",
					j->r.ok ? "passed" : "failed");
		if (p->have_last)
			probe_result_free(&p->last);
		p->last = j->r;
		p->have_last = 1;
		memset(&j->r, 0, sizeof(j->r));
		rebuild(p, &p->last, NULL);
	}
	job_free(j);
	console_dirty(s->c, DIRTY_SCREEN | DIRTY_STATUS);
}

static int pin_stage_review(struct pscreen *p, struct w_dialog *d, const char *v);

/* edit_done - the form's dialogs. */
static int edit_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct pscreen *p = s->data;
	const char *v;
	char host[256], port[16], msg[512];
	struct err e;
	int br;

	if (w_dialog_tag(d) == REVIEW_TAG) {
		review_done(&p->rv, s, r);
		return 0;
	}
	if (r != W_DLG_OK)
		return 0;
	v = w_dialog_value(d);
	err_clear(&e);
	switch (w_dialog_tag(d)) {
	case TAG_PIN:
		return pin_stage_review(p, d, v);
	case TAG_HOST:
		if (probe_parse_hostport(v, PROBE_PORT_DEFAULT, host, sizeof(host), port,
					 sizeof(port), &br, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		snprintf(p->target, sizeof(p->target), "%s", v);
		break;
	case TAG_USER:
		snprintf(p->user, sizeof(p->user), "%s", v);
		if (*v == '\0')
			secret_free(&p->pw);
		break;
	case TAG_PW:
		secret_free(&p->pw);
		if (*v && secret_set(&p->pw, v, strlen(v), &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		break;
	default:
		break;
	}
	rebuild(p, NULL, NULL);
	return 0;
}

/* pin_stage_review - stage the pin in mode v and open the review; 1 keeps
 * the dialog open with the reason when the mode is not allowed. */
static int pin_stage_review(struct pscreen *p, struct w_dialog *d, const char *v)
{
	struct console *c = p->s->c;
	struct target *t = console_target(c);
	struct buf mc = BUF_INIT, notes = BUF_INIT;
	struct maincf *m = NULL;
	struct changeset *cs = NULL;
	struct pin_req q;
	char *path = NULL, desc[400], what[400], msg[600];
	struct err e;
	int rc = 0;

	memset(&q, 0, sizeof(q));
	if (pin_mode_parse(v, &q.mode) < 0 || !(pin_modes_allowed(&p->last) & PIN_MASK(q.mode))) {
		snprintf(msg, sizeof(msg), "%s: not one of the modes offered", v);
		w_dialog_set_error(d, msg);
		return 1;
	}
	err_clear(&e);
	q.digest = p->digest;
	/* A copy of the console's main.cf: pin_stage edits the one it is given. */
	if ((path = target_config_path(t, "main.cf")) == NULL ||
	    maincf_serialize(console_maincf(c), &mc) < 0 ||
	    (m = maincf_parse(path, mc.data ? mc.data : "", mc.len, &e)) == NULL ||
	    (cs = changeset_new(t)) == NULL ||
	    pin_stage(cs, t, m, path, &p->last, &q, &notes, desc, sizeof(desc), &e) < 0) {
		if (e.code == ERR_OK)
			err_set(&e, ERR_NOMEM, "out of memory");
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		changeset_free(cs);
		rc = 1;
		goto out;
	}
	rebuild(p, &p->last, NULL);
	for (char *l = notes.data, *nl; l && *l; l = nl ? nl + 1 : l + strlen(l)) {
		if ((nl = strchr(l, '\n')) != NULL)
			*nl = '\0';
		add(p, strncmp(l, "warning", 7) == 0 ? ROLE_WARNING : ROLE_NORMAL, " %s", l);
		if (nl == NULL)
			break;
	}
	w_list_set_count(&p->list, p->nlines);
	snprintf(what, sizeof(what), "Pin [%s]:%s (%s)", p->last.host, p->last.port,
		 pin_mode_name(q.mode));
	/* The dialog closes when this returns; the review opens its own. */
	review_open(&p->rv, p->s, cs, what, desc, edit_done);
out:
	maincf_free(m);
	buf_free(&mc);
	buf_free(&notes);
	free(path);
	return rc;
}

/* pin_ask - the rotation warning and the modes this result allows. */
static void pin_ask(struct pscreen *p)
{
	struct w_dialog *d;
	struct buf text = BUF_INIT;
	unsigned allowed;

	if (p->job) {
		console_message(p->s->c, ROLE_WARNING, "pin: wait for the probe to finish");
		return;
	}
	allowed = p->have_last ? pin_modes_allowed(&p->last) : 0;
	if (allowed == 0) {
		console_message(p->s->c, ROLE_WARNING, "pin: run a probe that reaches the TLS "
				"handshake first (r)");
		return;
	}
	buf_printf(&text, "Pin [%s]:%s in smtp_tls_policy_maps.\n"
		   "Providers rotate their certificates: a pinned certificate (fingerprint) "
		   "stops mail at the next rotation. Public-key pinning (pubkey) survives a "
		   "renewal with the same key; secure (CA-verified, match=%s) needs no update.\n",
		   p->last.host, p->last.port, p->last.host);
	if (!(allowed & PIN_MASK(PIN_SECURE)))
		buf_printf(&text, "secure/verify are not offered: %s.\n", !p->last.tls.verified ?
			   p->last.tls.verify_error : "the certificate does not match the name");
	buf_puts(&text, "Mode:");
	for (int m = PIN_FINGERPRINT; m <= PIN_VERIFY; m++)
		if (allowed & PIN_MASK(m))
			buf_printf(&text, " %s", pin_mode_name((enum pin_mode)m));
	d = w_dialog_input("Pin the certificate", text.data ? text.data : "",
			   allowed & PIN_MASK(PIN_SECURE) ? "secure" : "pubkey", 0);
	if (d)
		w_dialog_set_tag(d, TAG_PIN);
	console_dialog(p->s->c, p->s, d, edit_done);
	buf_free(&text);
}

/* ask - one form field's dialog. */
static void ask(struct pscreen *p, int tag, const char *title, const char *prompt,
		const char *init, int masked)
{
	struct w_dialog *d = w_dialog_input(title, prompt, init, masked);

	if (d)
		w_dialog_set_tag(d, tag);
	console_dialog(p->s->c, p->s, d, edit_done);
}

/* probe_key - edit the form, run, cancel, pin. */
static void probe_key(struct screen *s, enum act a, int key)
{
	struct pscreen *p = s->data;

	(void)key;
	switch (a) {
	case ACT_WIZ_BACK:
		if (p->job) {
			job_abandon(p->job);
			p->job = NULL;
			rebuild(p, NULL, "cancelled");
			console_message(s->c, ROLE_WARNING, "probe cancelled; its result is ignored");
		} else {
			console_pop(s->c);
		}
		return;
	case ACT_PROBE_RUN:
		run(p);
		return;
	case ACT_PIN:
		pin_ask(p);
		return;
	case ACT_ENTER:
		break;
	default:
		return;
	}
	switch (p->list.sel) {
	case ROW_HOST:
		ask(p, TAG_HOST, "Host", "Smart host, [host]:port or host:port (default port 587):",
		    p->target, 0);
		break;
	case ROW_TLS:
		p->tls_mode = (p->tls_mode + 1) % 3;
		rebuild(p, NULL, NULL);
		break;
	case ROW_USER:
		ask(p, TAG_USER, "User", "SMTP AUTH user (empty: TLS only):", p->user, 0);
		break;
	case ROW_PW:
		ask(p, TAG_PW, "Password", "Password (never shown):", "", 1);
		break;
	case ROW_RUN:
		run(p);
		break;
	default:
		break;
	}
}

static void probe_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct pscreen *p = s->data;

	ui_put(w, y, 0, wd, ROLE_TITLE, " relaydeck - Probe (TLS / AUTH)");
	ui_put(w, y + 1, 0, wd, ROLE_HELP,
	       " Enter: edit the field / cycle TLS mode   r: run   p: pin the certificate   Esc: cancel or back");
	w_list_draw(&p->list, w, y + 2, 0, h - 2, wd);
}

/* probe_init - the form, pre-filled from the wizard or the current relayhost. */
static int probe_init(struct screen *s, struct err *e)
{
	struct pscreen *p = calloc(1, sizeof(*p));
	const struct maincf *m = console_maincf(s->c);
	const char *rh = m ? maincf_get(m, "relayhost") : NULL;

	if (p == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	p->s = s;
	s->data = p;
	if (prefill_target[0]) {
		snprintf(p->target, sizeof(p->target), "%s", prefill_target);
		p->tls_mode = prefill_tls >= 0 && prefill_tls < 3 ? prefill_tls : 0;
		prefill_target[0] = '\0';
	} else if (rh && *rh) {
		snprintf(p->target, sizeof(p->target), "%s", rh);
	}
	w_list_init(&p->list, p, row_text, NULL, draw_row);
	rebuild(p, NULL, NULL);
	w_list_select(&p->list, ROW_HOST);
	return 0;
}

static void probe_free(struct screen *s)
{
	struct pscreen *p = s->data;

	if (p == NULL)
		return;
	job_abandon(p->job);
	review_clear(&p->rv);
	if (p->have_last)
		probe_result_free(&p->last);
	secret_free(&p->pw);
	clear_results(p);
	free(p->lines);
	free(p);
	s->data = NULL;
}

static struct w_list *probe_list(struct screen *s)
{
	return &((struct pscreen *)s->data)->list;
}

const struct screen_ops screen_probe_ops = {
	.title = "Probe",
	.keys = keymap_probe,
	.init = probe_init,
	.free = probe_free,
	.resize = NULL,
	.key = probe_key,
	.draw = probe_draw,
	.list = probe_list,
	.on_reload = NULL,
	.on_wake = probe_wake,
};
