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
 * the result in on_wake. Esc while it runs abandons it: the result is
 * ignored, and the screen frees the job once its thread has ended (it
 * still uses the console's target until then; leaving the screen waits
 * for it).
 *
 * The password lives in a struct secret (never drawn, wiped on free);
 * the job holds one copy, wiped as soon as the probe returns. With no
 * user typed, an AUTH probe uses the target's sasl_passwd entry for the
 * destination (probe_cred_lookup), as `relaydeck probe auth` does; the
 * screen says which source it used, never the secret.
 *
 * The password goes out only over a certificate the target's Postfix
 * trusts (core/probe: verified chain and name, or the pinned
 * fingerprint). When the certificate is not trusted the probe holds it
 * back and a dialog names the risk and the certificate; only a "y" probes
 * again and sends it, to that same certificate only.
 *
 * p pins the last result (core/pin): the rotation warning, the mode
 * (only those the result allows), then the shared review (diff,
 * confirm, apply, result dialog).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "changeset.h"
#include "health_probe.h"
#include "maincf.h"
#include "pin.h"
#include "postfix.h"
#include "probe.h"
#include "report.h"
#include "review.h"
#include "screens.h"
#include "secret.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

enum { ROW_HOST, ROW_TLS, ROW_USER, ROW_PW, ROW_RUN, NFORM };
enum { TAG_HOST = 1, TAG_USER, TAG_PW, TAG_PIN, TAG_INSECURE };

/* One probe in flight; always freed by the screen (an abandoned one once
 * it has ended: it still uses the console's target until then). */
struct job {
	struct job *next;		/* in the screen's list of abandoned jobs */
	pthread_mutex_t mu;
	int done, abandoned;
	struct console *c;
	struct probe_opts o;
	char host[256], port[16], user[256];
	char *password;
	size_t pwlen;
	char *ca_file, *ca_path;
	char policy[2048];		/* smtp_tls_policy_maps entry for [host]:port */
	char insecure_cert[PROBE_FP_MAX];
	struct probe_result r;
	int rc;
	struct err e;
};

struct pscreen {
	struct screen *s;
	struct job *abandoned;	/* cancelled probes still running (job.next) */
	char target[300];
	int tls_mode;
	char user[256];
	struct secret pw;
	struct job *job;
	char digest[16];
	struct w_text text;	/* the form (picks tagged ROW_*), then the result */
	struct probe_result last;	/* the last finished probe (for p) */
	int have_last;
	char cred_source[800];	/* where the AUTH credential came from, or "" */
	struct review rv;
	/* The certificate the admin agreed to send the password to (SHA-256),
	 * for the next run only; "" otherwise. */
	char insecure_cert[PROBE_FP_MAX];
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

/* job_main - the worker: probe, wipe, tell the loop. */
static void *job_main(void *arg)
{
	struct job *j = arg;

	err_clear(&j->e);
	j->rc = probe_run(&j->o, &j->r, &j->e);
	if (j->password)
		OPENSSL_cleanse(j->password, j->pwlen);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	/* Under the lock: the console (and its pipe) outlive a job not abandoned. */
	if (!j->abandoned)
		console_wake(j->c);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* job_done - has the worker ended? */
static int job_done(struct job *j)
{
	int done;

	pthread_mutex_lock(&j->mu);
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	return done;
}

/* job_finish - wait for a running job and free it. The probe uses the
 * console's target (CA files, the channel from the relay), which is freed
 * once the screens are gone: a screen that goes away for good waits for
 * the probe's own deadlines rather than leave it a freed target. */
static void job_finish(struct job *j)
{
	if (j == NULL)
		return;
	while (!job_done(j))
		usleep(10000);
	job_free(j);
}

/* job_abandon - forget a running job's result; the screen keeps the job
 * until its worker ends (job_reap). */
static void job_abandon(struct pscreen *p, struct job *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->abandoned = 1;
	pthread_mutex_unlock(&j->mu);
	j->next = p->abandoned;
	p->abandoned = j;
}

/* job_reap - free the abandoned jobs that have ended (wait: all of them). */
static void job_reap(struct pscreen *p, int wait)
{
	struct job **jp = &p->abandoned;

	while (*jp) {
		struct job *j = *jp;

		if (wait || job_done(j)) {
			*jp = j->next;
			job_finish(j);
		} else {
			jp = &j->next;
		}
	}
}

/* form_lines - the form rows (always the first NFORM lines). */
static void form_lines(struct pscreen *p)
{
	w_text_pick(&p->text, ROLE_NORMAL, ROW_HOST, " Host[:port]  %s",
		    p->target[0] ? p->target : "(Enter to set)");
	w_text_pick(&p->text, ROLE_NORMAL, ROW_TLS, " TLS mode     %s", tls_names[p->tls_mode]);
	w_text_pick(&p->text, ROLE_NORMAL, ROW_USER, " User         %s", p->user[0] ? p->user :
		    "(none: the target's sasl_passwd entry, else TLS only)");
	w_text_pick(&p->text, ROLE_NORMAL, ROW_PW, " Password     %s",
		    p->pw.data ? "set (hidden)" : "(none)");
	w_text_pick(&p->text, ROLE_HEADER, ROW_RUN, " [ Run the probe ]   (r)");
}

/* result_lines - the result panel from r: core/report's lines, the same
 * `relaydeck probe` prints, between where the credential came from and
 * the redacted transcript. */
static void result_lines(struct pscreen *p, const struct probe_result *r)
{
	struct lines l = LINES_INIT;

	w_text_add(&p->text, ROLE_NORMAL, "%s", "");
	w_text_add(&p->text, ROLE_HEADER, " Probe of [%s]:%s (%s)", r->host, r->port,
		   r->tls_mode == PROBE_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS");
	if (p->cred_source[0])
		w_text_add(&p->text, ROLE_NORMAL, " AUTH credential: %s", p->cred_source);
	report_probe(&l, r, "r probes again and asks whether to send it anyway");
	w_text_add_lines(&p->text, " ", &l);
	lines_free(&l);
	w_text_add(&p->text, ROLE_HEADER, " Transcript (passwords redacted)");
	for (size_t i = 0; i < r->ntranscript; i++)
		w_text_add(&p->text, ROLE_DIM, "   %s", r->transcript[i]);
}

/* rebuild - form, then state or result; the cursor stays on its form row. */
static void rebuild(struct pscreen *p, const struct probe_result *r, const char *status)
{
	size_t sel = w_text_sel(&p->text);

	w_text_clear(&p->text);
	form_lines(p);
	if (status)
		w_text_add(&p->text, ROLE_WARNING, " %s", status);
	if (r)
		result_lines(p, r);
	/* The cursor scrolls on through the result. */
	w_text_pick_all(&p->text);
	w_text_select(&p->text, sel != W_TEXT_NONE ? sel : ROW_HOST);
	console_dirty(p->s->c, DIRTY_SCREEN);
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
	job_reap(p, 0);
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
	/* From the relay's network position, with the relay's CA files. */
	j->o.target = console_target(c);
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
	/* AUTH trusts what the target's Postfix trusts: the verified chain and
	 * name, or the fingerprint pinned for the destination. */
	if (probe_policy_lookup(console_target(c), j->host, j->port, j->policy, sizeof(j->policy),
				&e) == 1)
		j->o.tls_policy = j->policy;
	if (p->insecure_cert[0]) {
		snprintf(j->insecure_cert, sizeof(j->insecure_cert), "%s", p->insecure_cert);
		j->o.insecure_auth = 1;
		j->o.insecure_cert = j->insecure_cert;
		p->insecure_cert[0] = '\0';
	}
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

static int edit_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r);

/* insecure_ask - the password stayed here because the certificate is not
 * trusted: name the risk and ask whether to send it to this certificate. */
static void insecure_ask(struct pscreen *p)
{
	const struct probe_result *r = &p->last;
	struct w_dialog *d;
	char q[1600];

	snprintf(q, sizeof(q), "The password was NOT sent to [%s]:%s: %s.\n\nSending it over "
		 "this connection gives it to whoever answers it: an attacker in the path, or a "
		 "server posing as the relay, would keep the password.\n\nProbe again and send "
		 "the password to the server presenting certificate sha256 %s? y/n", r->host,
		 r->port, r->auth.not_sent_reason, r->tls.cert_sha256);
	d = w_dialog_confirm("Send the password to an untrusted server?", q);
	if (d)
		w_dialog_set_tag(d, TAG_INSECURE);
	console_dialog(p->s->c, p->s, d, edit_done);
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
		/* kept for the Dashboard and `relaydeck health` */
		{
			struct health_probe hp;

			health_probe_from(&p->last, (long long)time(NULL), &hp);
			if (health_probe_save(console_target(s->c), &hp, j->o.auth, &pe) < 0)
				console_error(s->c, &pe);
		}
		rebuild(p, &p->last, NULL);
		if (p->last.auth.not_sent && !j->o.insecure_auth)
			insecure_ask(p);
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
	if (w_dialog_tag(d) == TAG_INSECURE) {
		if (r == W_DLG_OK && p->have_last) {
			snprintf(p->insecure_cert, sizeof(p->insecure_cert), "%s",
				 p->last.tls.cert_sha256);
			run(p);
		} else {
			console_message(s->c, ROLE_WARNING, "the password was not sent");
		}
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
	struct buf notes = BUF_INIT;
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
	    (m = maincf_copy(console_maincf(c), path, &e)) == NULL ||
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
		w_text_add(&p->text, strncmp(l, "warning", 7) == 0 ? ROLE_WARNING : ROLE_NORMAL,
			   " %s", l);
		if (nl == NULL)
			break;
	}
	w_text_pick_all(&p->text);
	snprintf(what, sizeof(what), "Pin [%s]:%s (%s)", p->last.host, p->last.port,
		 pin_mode_name(q.mode));
	/* The dialog closes when this returns; the review opens its own. */
	review_open(&p->rv, p->s, cs, what, desc, edit_done);
out:
	maincf_free(m);
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
			job_abandon(p, p->job);
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
	switch (w_text_sel_line(&p->text) ? w_text_sel_line(&p->text)->tag : -1) {
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
	int help = ui_put_wrapped(w, y + 1, 0, wd, 2, ROLE_HELP, " Enter: edit the field / "
				  "cycle TLS mode   r: run   p: pin the certificate   Esc: cancel or back");

	w_text_draw(&p->text, w, y + 1 + help, 0, h - 1 - help, wd);
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
	w_text_init(&p->text);
	rebuild(p, NULL, NULL);
	w_text_select(&p->text, ROW_HOST);
	return 0;
}

static void probe_free(struct screen *s)
{
	struct pscreen *p = s->data;

	if (p == NULL)
		return;
	job_finish(p->job);
	job_reap(p, 1);
	review_clear(&p->rv);
	if (p->have_last)
		probe_result_free(&p->last);
	secret_free(&p->pw);
	w_text_free(&p->text);
	free(p);
	s->data = NULL;
}

static struct w_list *probe_list(struct screen *s)
{
	return w_text_list(&((struct pscreen *)s->data)->text);
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
