/*
 * screen_creds - the Credentials screen: the sasl_passwd entries (key,
 * user, a masked password) from creds_list, with the creds_audit findings
 * on top when a credential file or compiled table is readable by others.
 *
 * a adds an entry (key, user, then the password in a masked field), r
 * replaces the selected entry's password, d/Delete removes it, f stages
 * the audit fix. Each stages into a change set (creds_set, creds_rotate,
 * creds_remove, creds_audit_stage_fix) and ends in review: masked diff,
 * confirmation, apply, result dialog.
 *
 * Secrets: the password exists only in the masked dialog (wiped when the
 * console frees it), in a struct secret freed right after staging, and in
 * the change set, which wipes it when freed. Nothing draws it. A rotation
 * whose certificate is not trusted keeps it (held_pw) only until the
 * admin answers whether to send it to that certificate.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changeset.h"
#include "creds.h"
#include "credtest.h"
#include "review.h"
#include "screens.h"
#include "secret.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define MASK "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
#define DETAIL_ROWS 4	/* rows the detail pane keeps */

enum row_kind { R_HEAD, R_FINDING, R_ENTRY, R_INFO };

struct row {
	enum row_kind kind;
	size_t idx;		/* into findings or entries */
	char *text;		/* headers and info lines */
};

/* The dialogs of the add and rotate sequences. */
enum { TAG_KEY = 1, TAG_USER, TAG_PASS, TAG_ROTATE, TAG_FORCE, TAG_INSECURE };

struct creds_scr {
	struct screen *s;
	struct creds_src src;
	int have_src;
	struct creds_entry *ents;
	size_t nents;
	struct creds_finding *finds;
	size_t nfinds;
	struct row *rows;
	size_t nrows;
	struct w_list list;
	int key_w, user_w;		/* column widths the entries need */
	struct w_text detail;		/* the selected row, whole and wrapped */
	char *new_key, *new_user;	/* the add sequence so far */
	char *rot_key;			/* entry being rotated */
	struct review rv;
	struct changeset *refused;	/* a rotation the server refused, until answered */
	char refused_what[600], refused_desc[600];
	/* A rotation whose test the certificate stopped: the password waits
	 * for the admin's answer, for the certificate that was shown only. */
	struct secret held_pw;
	char held_cert[PROBE_FP_MAX], held_what[580];
};

/* clear_rows - forget the lists and their rows. */
static void clear_rows(struct creds_scr *cr)
{
	for (size_t i = 0; i < cr->nrows; i++)
		free(cr->rows[i].text);
	free(cr->rows);
	cr->rows = NULL;
	cr->nrows = 0;
	creds_list_free(cr->ents, cr->nents);
	cr->ents = NULL;
	cr->nents = 0;
	creds_audit_free(cr->finds, cr->nfinds);
	cr->finds = NULL;
	cr->nfinds = 0;
}

/* add_row - append one row; text is copied. */
static void add_row(struct creds_scr *cr, enum row_kind k, size_t idx, const char *text)
{
	struct row *r = &cr->rows[cr->nrows++];

	r->kind = k;
	r->idx = idx;
	r->text = text ? strdup(text) : NULL;
}

/* load - source, entries and audit findings again; failures become rows. */
static void load(struct creds_scr *cr)
{
	struct target *t = console_target(cr->s->c);
	char line[4300], msg[1100];
	struct err e;
	int list_failed = 0, audit_failed = 0;
	char list_err[1024] = "", audit_err[1024] = "";

	clear_rows(cr);
	err_clear(&e);
	cr->have_src = creds_source(t, &cr->src, &e) == 0;
	if (!cr->have_src) {
		err_format(&e, list_err, sizeof(list_err));
		list_failed = 1;
	} else if (creds_list(t, &cr->src, &cr->ents, &cr->nents, &e) < 0) {
		err_format(&e, list_err, sizeof(list_err));
		cr->ents = NULL;
		cr->nents = 0;
		list_failed = 1;
	}
	err_clear(&e);
	if (creds_audit(t, &cr->finds, &cr->nfinds, &e) < 0) {
		err_format(&e, audit_err, sizeof(audit_err));
		cr->finds = NULL;
		cr->nfinds = 0;
		audit_failed = 1;
	}
	cr->rows = calloc(cr->nents + cr->nfinds + 6, sizeof(*cr->rows));
	if (cr->rows == NULL) {
		w_list_set_count(&cr->list, 0);
		return;
	}
	if (cr->nfinds) {
		snprintf(line, sizeof(line),
			 " Audit: %zu credential file(s) readable by others (f: make them 0600)",
			 cr->nfinds);
		add_row(cr, R_HEAD, 0, line);
		for (size_t i = 0; i < cr->nfinds; i++)
			add_row(cr, R_FINDING, i, NULL);
	} else if (audit_failed) {
		snprintf(msg, sizeof(msg), " audit: %s", audit_err);
		add_row(cr, R_INFO, 1, msg);
	}
	if (cr->have_src)
		snprintf(line, sizeof(line), " %s:%s%s", cr->src.type, cr->src.path,
			 cr->src.configured ? "" : "  (smtp_sasl_password_maps is not set)");
	else
		snprintf(line, sizeof(line), " Credentials");
	add_row(cr, R_HEAD, 0, line);
	if (list_failed) {
		snprintf(msg, sizeof(msg), "  %s", list_err);
		add_row(cr, R_INFO, 1, msg);
	} else if (cr->nents == 0) {
		add_row(cr, R_INFO, 0, "  no credentials: a adds one");
	}
	cr->key_w = ui_width("Key (relay or sender)") + 1;
	cr->user_w = ui_width("User") + 1;
	for (size_t i = 0; i < cr->nents; i++) {
		add_row(cr, R_ENTRY, i, NULL);
		if (ui_width(cr->ents[i].key) + 1 > cr->key_w)
			cr->key_w = ui_width(cr->ents[i].key) + 1;
		if (ui_width(cr->ents[i].user) + 1 > cr->user_w)
			cr->user_w = ui_width(cr->ents[i].user) + 1;
	}
	w_list_set_count(&cr->list, cr->nrows);
}

/* columns - key and user widths within width (the mask keeps its 4
 * columns); when both do not fit, the user gives way first. */
static void columns(const struct creds_scr *cr, int width, int *kw, int *uw)
{
	int avail = width - 2 - 5;

	*kw = cr->key_w;
	*uw = cr->user_w;
	if (*kw + *uw <= avail)
		return;
	if (*kw > avail * 3 / 5 && avail - *uw < avail * 3 / 5)
		*kw = avail - *uw > avail * 3 / 5 ? avail - *uw : avail * 3 / 5;
	*uw = avail - *kw;
}

/* row_text - searchable text: the key, or the finding's path. */
static const char *row_text(void *ctx, size_t i)
{
	struct creds_scr *cr = ctx;
	const struct row *r = &cr->rows[i];

	if (r->kind == R_ENTRY)
		return cr->ents[r->idx].key;
	if (r->kind == R_FINDING)
		return cr->finds[r->idx].path;
	return NULL;
}

/* row_selectable - entries and findings. */
static int row_selectable(void *ctx, size_t i)
{
	struct creds_scr *cr = ctx;

	return cr->rows[i].kind == R_ENTRY || cr->rows[i].kind == R_FINDING;
}

/* draw_row - "key  user  ••••" in columns as wide as the entries need
 * (cut with "…" when the terminal is narrower; the detail pane shows the
 * whole key and user), or a finding in the warning role. */
static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct creds_scr *cr = ctx;
	const struct row *r = &cr->rows[i];
	char line[1200];
	int kw, uw;
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_NORMAL;

	switch (r->kind) {
	case R_HEAD:
		ui_put_cut(w, y, x, width, cr->nfinds && strncmp(r->text, " Audit", 6) == 0
						   ? ROLE_ERROR : ROLE_GROUP, r->text);
		break;
	case R_INFO:
		ui_put_cut(w, y, x, width, r->idx ? ROLE_ERROR : ROLE_DIM, r->text);
		break;
	case R_FINDING:
		snprintf(line, sizeof(line), "  %s: %s", cr->finds[r->idx].path,
			 cr->finds[r->idx].problem);
		ui_put_cut(w, y, x, width, sel ? ROLE_SELECTED : ROLE_WARNING, line);
		break;
	case R_ENTRY:
		/* The password is never in the model: only a fixed mask is drawn. */
		columns(cr, width, &kw, &uw);
		ui_put(w, y, x, 2, role, "");
		ui_put_cut(w, y, x + 2, kw - 1, role, cr->ents[r->idx].key);
		ui_put(w, y, x + 1 + kw, 1, role, "");
		ui_put_cut(w, y, x + 2 + kw, uw - 1, role, cr->ents[r->idx].user);
		ui_put(w, y, x + 1 + kw + uw, width - 1 - kw - uw, role, " " MASK);
		break;
	}
}

/* build_detail - the selected entry or finding, whole and wrapped. */
static void build_detail(struct creds_scr *cr)
{
	struct w_text *t = &cr->detail;
	const struct row *r = cr->list.sel < cr->nrows ? &cr->rows[cr->list.sel] : NULL;

	w_text_clear(t);
	if (r && r->kind == R_ENTRY) {
		const struct creds_entry *ce = &cr->ents[r->idx];

		w_text_add(t, ROLE_HEADER, " %s", ce->key);
		w_text_add(t, ROLE_NORMAL, " user: %s   password: " MASK " (never shown)", ce->user);
		w_text_add(t, ROLE_DIM, " in %s:%s, line %d", cr->src.type, cr->src.path, ce->line);
	} else if (r && r->kind == R_FINDING) {
		w_text_add(t, ROLE_WARNING, " %s", cr->finds[r->idx].path);
		w_text_add(t, ROLE_NORMAL, " %s (f: make it 0600, owner root)",
			   cr->finds[r->idx].problem);
	} else if (cr->have_src) {
		w_text_add(t, ROLE_DIM, " credentials live in %s:%s", cr->src.type, cr->src.path);
	}
}

static int creds_init(struct screen *s, struct err *e)
{
	struct creds_scr *cr = calloc(1, sizeof(*cr));

	if (cr == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	cr->s = s;
	s->data = cr;
	w_list_init(&cr->list, cr, row_text, row_selectable, draw_row);
	w_text_init(&cr->detail);
	w_text_pager(&cr->detail, 1);
	w_text_hang(&cr->detail, 0);
	console_busy(s->c, "reading credentials ...");
	load(cr);
	console_message(s->c, ROLE_NORMAL, "%s", "");
	w_list_select(&cr->list, 0);
	return 0;
}

/* forget_form - the add/rotate sequence state (key and user only). */
static void forget_form(struct creds_scr *cr)
{
	free(cr->new_key);
	free(cr->new_user);
	free(cr->rot_key);
	cr->new_key = cr->new_user = cr->rot_key = NULL;
}

static void creds_free(struct screen *s)
{
	struct creds_scr *cr = s->data;

	if (cr == NULL)
		return;
	clear_rows(cr);
	w_text_free(&cr->detail);
	forget_form(cr);
	review_clear(&cr->rv);
	changeset_free(cr->refused);
	secret_free(&cr->held_pw);
	free(cr);
	s->data = NULL;
}

/* selected_entry - the entry under the cursor, or NULL. */
static const struct creds_entry *selected_entry(struct creds_scr *cr)
{
	if (cr->list.sel >= cr->nrows || cr->rows[cr->list.sel].kind != R_ENTRY)
		return NULL;
	return &cr->ents[cr->rows[cr->list.sel].idx];
}

static int dialog_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res);

/* ask - open the next dialog of a sequence. */
static void ask(struct creds_scr *cr, int tag, const char *title, const char *prompt,
		const char *init, int masked)
{
	struct w_dialog *d = w_dialog_input(title, prompt, init, masked);

	if (d)
		w_dialog_set_tag(d, tag);
	console_dialog(cr->s->c, cr->s, d, dialog_done);
}

/* rotate_check - AUTH with the new password (core/credtest) under co,
 * then the review; a refusal asks whether to apply anyway, an untrusted
 * certificate asks first whether to send the password at all. Takes cs
 * and pw. */
static int rotate_check(struct creds_scr *cr, struct changeset *cs, const char *what,
			const char *desc, struct secret *pw, const struct credtest_opts *co)
{
	struct console *c = cr->s->c;
	const char *key = cr->rot_key, *user = NULL;
	struct probe_result r;
	char why[1200], q[2400], msg[600], full[700];
	struct w_dialog *d;
	struct err e;
	int v;

	for (size_t i = 0; i < cr->nents; i++)
		if (strcmp(cr->ents[i].key, key) == 0)
			user = cr->ents[i].user;
	err_clear(&e);
	console_busy(c, "testing the new password against the relay ...");
	v = credtest_run(console_target(c), key, user ? user : "", pw, co, &r, why, sizeof(why),
			 &e);
	if (v == CREDTEST_NOT_SENT && co == NULL) {
		/* Nothing was sent: say what the risk is and let the admin decide
		 * for this certificate. */
		changeset_free(cr->refused);
		cr->refused = cs;
		snprintf(cr->held_what, sizeof(cr->held_what), "%s", what);
		snprintf(cr->refused_desc, sizeof(cr->refused_desc), "%s", desc);
		secret_free(&cr->held_pw);
		cr->held_pw = *pw;
		pw->data = NULL;
		pw->len = 0;
		snprintf(cr->held_cert, sizeof(cr->held_cert), "%s", r.tls.cert_sha256);
		snprintf(q, sizeof(q), "The certificate of %s is not trusted: %s.\n\n"
			 "Sending the new password over this connection gives it to whoever "
			 "answers it: an attacker in the path, or a server posing as the relay, "
			 "would keep it.\n\nSend the password to the server presenting "
			 "certificate sha256 %s anyway? y/n", key, r.auth.not_sent_reason,
			 cr->held_cert);
		probe_result_free(&r);
		if ((d = w_dialog_confirm("Send the password to an untrusted server?", q)) != NULL)
			w_dialog_set_tag(d, TAG_INSECURE);
		console_dialog(c, cr->s, d, dialog_done);
		return 0;
	}
	secret_free(pw);
	probe_result_free(&r);
	if (v < 0)
		snprintf(why, sizeof(why), "the test could not run: %s",
			 err_format(&e, msg, sizeof(msg)));
	if (v == CREDTEST_OK || v == CREDTEST_SKIPPED) {
		snprintf(full, sizeof(full), "%s%s", what, v == CREDTEST_OK ? " (AUTH accepted)" :
			 " (not tested: keyed by sender)");
		forget_form(cr);
		review_open(&cr->rv, cr->s, cs, full, desc, dialog_done);
		return 0;
	}
	/* Refused: keep the staging until the admin answers. */
	changeset_free(cr->refused);
	cr->refused = cs;
	snprintf(cr->refused_what, sizeof(cr->refused_what), "%s (AUTH NOT accepted)", what);
	snprintf(cr->refused_desc, sizeof(cr->refused_desc), "%s", desc);
	forget_form(cr);
	if (v == CREDTEST_NOT_SENT)
		snprintf(q, sizeof(q), "The new password was not sent: %s\n\nApply it untested? "
			 "y/n", why);
	else
		snprintf(q, sizeof(q), "The new password was not accepted: %s\n\nApply it "
			 "anyway? y/n", why);
	if ((d = w_dialog_confirm("Rotate password", q)) != NULL)
		w_dialog_set_tag(d, TAG_FORCE);
	console_dialog(c, cr->s, d, dialog_done);
	return 0;
}

/* rotate_test - the new password from the masked field, tested before the
 * review, as `creds rotate` does. The probe runs here, bounded by its
 * deadlines; cs is taken. */
static int rotate_test(struct creds_scr *cr, struct w_dialog *d, struct changeset *cs,
		       char *what, const char *desc)
{
	struct secret pw = { NULL, 0 };
	char msg[600];
	struct err e;

	err_clear(&e);
	if (secret_set(&pw, w_dialog_value(d), strlen(w_dialog_value(d)), &e) < 0) {
		changeset_free(cs);
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	return rotate_check(cr, cs, what, desc, &pw, NULL);
}

/* insecure_done - the answer to "send the password to an untrusted server?" */
static void insecure_done(struct creds_scr *cr, enum w_dlg_result res)
{
	struct changeset *cs = cr->refused;
	struct credtest_opts co = { 1, cr->held_cert, 0 };
	struct secret pw = cr->held_pw;
	struct w_dialog *d;
	char q[1200], desc[sizeof(cr->refused_desc)];

	/* rotate_check writes cr->refused_desc again: hand it a copy, so
	 * snprintf never reads and writes the same bytes. */
	snprintf(desc, sizeof(desc), "%s", cr->refused_desc);
	cr->refused = NULL;
	cr->held_pw.data = NULL;
	cr->held_pw.len = 0;
	if (cs == NULL || cr->rot_key == NULL) {
		secret_free(&pw);
		changeset_free(cs);
		return;
	}
	if (res == W_DLG_OK) {
		rotate_check(cr, cs, cr->held_what, desc, &pw, &co);
		return;
	}
	/* Not sent: the rotation can still be applied untested, as --no-test. */
	secret_free(&pw);
	cr->refused = cs;
	snprintf(cr->refused_what, sizeof(cr->refused_what), "%s (NOT tested)", cr->held_what);
	snprintf(q, sizeof(q), "The new password was not sent to %s (its certificate is not "
		 "trusted), so it is not tested.\n\nApply it untested? y/n", cr->rot_key);
	forget_form(cr);
	if ((d = w_dialog_confirm("Rotate password", q)) != NULL)
		w_dialog_set_tag(d, TAG_FORCE);
	console_dialog(cr->s->c, cr->s, d, dialog_done);
}

/* stage_password - the masked field's value into a secret, staged with
 * creds_set (add) or creds_rotate; 1 keeps the field open with the reason. */
static int stage_password(struct creds_scr *cr, struct w_dialog *d, int rotate)
{
	struct console *c = cr->s->c;
	const char *v = w_dialog_value(d);
	struct secret pw = { NULL, 0 };
	struct changeset *cs;
	char msg[1024], what[600], desc[600];
	const char *key = rotate ? cr->rot_key : cr->new_key;
	struct err e;
	int r;

	err_clear(&e);
	if (secret_set(&pw, v, strlen(v), &e) < 0 || creds_check_password(&pw, &e) < 0) {
		secret_free(&pw);
		/* messages from these never quote the secret */
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	if ((cs = changeset_new(console_target(c))) == NULL) {
		secret_free(&pw);
		console_message(c, ROLE_ERROR, "out of memory");
		return 0;
	}
	if (rotate)
		r = creds_rotate(cs, console_target(c), &cr->src, key, &pw, &e);
	else
		r = creds_set(cs, console_target(c), &cr->src, key, cr->new_user, &pw, &e);
	secret_free(&pw);
	if (r < 0) {
		changeset_free(cs);
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	snprintf(what, sizeof(what), rotate ? "Replace the password of %s" : "Add credentials for %s",
		 key);
	snprintf(desc, sizeof(desc), "creds %s %s", rotate ? "rotate" : "add", key);
	if (rotate)
		return rotate_test(cr, d, cs, what, desc);
	forget_form(cr);
	review_open(&cr->rv, cr->s, cs, what, desc, dialog_done);
	return 0;
}

/* dialog_done - one answer of the add/rotate sequences or the review. */
static int dialog_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct creds_scr *cr = s->data;
	char msg[1024], prompt[4400];
	const char *v;
	struct err e;

	if (w_dialog_tag(d) == REVIEW_TAG) {
		review_done(&cr->rv, s, res);
		return 0;
	}
	if (w_dialog_tag(d) == TAG_INSECURE) {
		insecure_done(cr, res);
		return 0;
	}
	if (w_dialog_tag(d) == TAG_FORCE) {
		struct changeset *cs = cr->refused;

		cr->refused = NULL;
		if (res == W_DLG_OK && cs)
			review_open(&cr->rv, s, cs, cr->refused_what, cr->refused_desc, dialog_done);
		else {
			changeset_free(cs);
			console_message(s->c, ROLE_WARNING, "not applied: the password is unchanged");
		}
		return 0;
	}
	if (res != W_DLG_OK) {
		forget_form(cr);
		return 0;
	}
	err_clear(&e);
	v = w_dialog_value(d);
	switch (w_dialog_tag(d)) {
	case TAG_KEY:
		if (creds_check_key(v, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		free(cr->new_key);
		if ((cr->new_key = strdup(v)) == NULL)
			return 0;
		snprintf(prompt, sizeof(prompt), "User name for %s:", cr->new_key);
		ask(cr, TAG_USER, "Add credentials (2/3)", prompt, "", 0);
		return 0;
	case TAG_USER:
		if (creds_check_user(v, &e) < 0) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		free(cr->new_user);
		if ((cr->new_user = strdup(v)) == NULL)
			return 0;
		snprintf(prompt, sizeof(prompt),
			 "Password for %s at %s (not shown, never stored outside %s):", cr->new_user,
			 cr->new_key, cr->src.path);
		ask(cr, TAG_PASS, "Add credentials (3/3)", prompt, "", 1);
		return 0;
	case TAG_PASS:
		return stage_password(cr, d, 0);
	case TAG_ROTATE:
		return stage_password(cr, d, 1);
	default:
		return 0;
	}
}

/* stage_remove - creds_remove of the selected entry, then review. */
static void stage_remove(struct creds_scr *cr, const struct creds_entry *ce)
{
	struct console *c = cr->s->c;
	struct changeset *cs = changeset_new(console_target(c));
	char what[600], desc[600];
	struct err e;

	err_clear(&e);
	if (cs == NULL || creds_remove(cs, console_target(c), &cr->src, ce->key, &e) < 0) {
		if (cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		console_error(c, &e);
		changeset_free(cs);
		return;
	}
	snprintf(what, sizeof(what), "Remove the credentials of %s", ce->key);
	snprintf(desc, sizeof(desc), "creds remove %s", ce->key);
	review_open(&cr->rv, cr->s, cs, what, desc, dialog_done);
}

/* stage_fix - creds_audit_stage_fix for every finding, then review. */
static void stage_fix(struct creds_scr *cr)
{
	struct console *c = cr->s->c;
	struct changeset *cs;
	struct err e;

	if (cr->nfinds == 0) {
		console_message(c, ROLE_OK, "credential files are private (0600, owner root)");
		return;
	}
	err_clear(&e);
	cs = changeset_new(console_target(c));
	if (cs == NULL || creds_audit_stage_fix(cs, console_target(c), cr->finds, cr->nfinds,
						&e) < 0) {
		if (cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		console_error(c, &e);
		changeset_free(cs);
		return;
	}
	/* same bytes, mode 0600: changeset counts the file as changed */
	review_open(&cr->rv, cr->s, cs, "Make the credential files private",
		    "creds audit fix: make credential files 0600 root", dialog_done);
}

/* creds_key - add, rotate, remove, fix. */
static void creds_key(struct screen *s, enum act a, int key)
{
	struct creds_scr *cr = s->data;
	const struct creds_entry *ce = selected_entry(cr);
	char prompt[1200];

	(void)key;
	if (!cr->have_src && (a == ACT_ADD || a == ACT_ROTATE || a == ACT_REMOVE)) {
		console_message(s->c, ROLE_ERROR, "the credentials table is unknown: see the error");
		return;
	}
	switch (a) {
	case ACT_ADD:
		forget_form(cr);
		ask(cr, TAG_KEY, "Add credentials (1/3)",
		    "Relay as in relayhost ([host]:port), or a sender (user@domain, @domain):",
		    "", 0);
		break;
	case ACT_ROTATE:
		if (ce == NULL) {
			console_message(s->c, ROLE_WARNING, "select an entry to rotate");
			break;
		}
		forget_form(cr);
		if ((cr->rot_key = strdup(ce->key)) == NULL)
			break;
		snprintf(prompt, sizeof(prompt), "New password for %s (user %s, not shown):",
			 ce->key, ce->user);
		ask(cr, TAG_ROTATE, "Rotate password", prompt, "", 1);
		break;
	case ACT_REMOVE:
		if (ce == NULL) {
			console_message(s->c, ROLE_WARNING, "select an entry to remove");
			break;
		}
		stage_remove(cr, ce);
		break;
	case ACT_FIX:
		stage_fix(cr);
		break;
	default:
		break;
	}
}

/* creds_draw - title, column header, list, detail of the selected row. */
static void creds_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct creds_scr *cr = s->data;
	int kw, uw, det;

	ui_put(w, y, 0, wd, ROLE_TITLE, " relaydeck - Credentials");
	columns(cr, wd, &kw, &uw);
	ui_put(w, y + 1, 0, 2, ROLE_HEADER, "");
	ui_put_cut(w, y + 1, 2, kw, ROLE_HEADER, "Key (relay or sender)");
	ui_put_cut(w, y + 1, 2 + kw, uw, ROLE_HEADER, "User");
	ui_put(w, y + 1, 2 + kw + uw, wd - 2 - kw - uw, ROLE_HEADER, "Password");
	build_detail(cr);
	det = w_text_pane_rows(&cr->detail, wd, DETAIL_ROWS, h - 2);
	w_list_draw(&cr->list, w, y + 2, 0, h - 2 - det, wd);
	build_detail(cr);
	w_text_draw(&cr->detail, w, y + h - det, 0, det, wd);
}

static struct w_list *creds_list_of(struct screen *s)
{
	return &((struct creds_scr *)s->data)->list;
}

/* creds_refresh - after an apply or a reload: read everything again. */
static void creds_refresh(struct screen *s)
{
	struct creds_scr *cr = s->data;
	size_t sel = cr->list.sel;

	load(cr);
	w_list_select(&cr->list, sel < cr->nrows ? sel : 0);
}

const struct screen_ops screen_creds_ops = {
	.title = "Credentials",
	.keys = keymap_creds,
	.init = creds_init,
	.free = creds_free,
	.resize = NULL,
	.key = creds_key,
	.draw = creds_draw,
	.list = creds_list_of,
	.on_reload = creds_refresh,
};
