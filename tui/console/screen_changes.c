/*
 * screen_changes - the Changes screen: the staged edits and the unified
 * diff they make (pending_build + changeset_diff), coloured and
 * scrollable. a applies after a confirmation and shows the result (steps
 * and warnings, or the error and whether the files were restored);
 * x drops the staged edit under the cursor; h opens the history. When
 * main.cf changed since the edits were staged (someone else's edit), the
 * screen says so above the diff (which is then the edits on the new
 * file), a refuses, and r rebases the edits on it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "pending.h"
#include "result.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

struct changes {
	struct screen *s;
	struct w_text text;	/* staged edits (tag: index), then the diff */
	struct changeset *cs;
	size_t nchanged;
	int build_failed;
	int stale;		/* main.cf changed since the edits were staged */
};

#define STALE_MSG "main.cf changed since you staged this edit (by someone else); " \
		  "review the new diff"

/* changes_clear - forget lines and the change set. */
static void changes_clear(struct changes *ch)
{
	w_text_clear(&ch->text);
	changeset_free(ch->cs);
	ch->cs = NULL;
	ch->nchanged = 0;
	ch->build_failed = 0;
	ch->stale = 0;
}

/* rebuild - edits, then the diff of the change set they make. Every
 * line holds the cursor, so it scrolls through the whole diff; only the
 * staged edits have a tag (their index) for x. */
static void rebuild(struct changes *ch)
{
	struct w_text *t = &ch->text;
	struct pending *p = console_pending(ch->s->c);
	struct buf diff = BUF_INIT;
	const struct pending_edit *pe;
	char msg[1024];
	struct err e;
	size_t i, n = pending_count(p);

	changes_clear(ch);
	w_text_add(t, ROLE_HEADER, "Staged edits (%zu)", n);
	for (i = 0; i < n; i++) {
		pe = pending_at(p, i);
		if (pe->value)
			w_text_pick(t, ROLE_PENDING, (int)i, "  set %s = %s", pe->name, pe->value);
		else
			w_text_pick(t, ROLE_PENDING, (int)i, "  unset %s", pe->name);
	}
	if (n == 0) {
		w_text_add(t, ROLE_DIM, "  none: edit a parameter on the Relay settings screen");
		goto out;
	}
	w_text_add(t, ROLE_NORMAL, "%s", "");
	err_clear(&e);
	if ((ch->cs = changeset_new(console_target(ch->s->c))) == NULL ||
	    pending_build(p, ch->cs, &e) < 0 || changeset_diff(ch->cs, &diff, &e) < 0) {
		if (ch->cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		w_text_add(t, ROLE_ERROR, "%s", err_format(&e, msg, sizeof(msg)));
		ch->build_failed = 1;
	} else {
		ch->nchanged = changeset_changed(ch->cs, &e);
		if ((ch->stale = pending_stale(p)) != 0) {
			w_text_add(t, ROLE_ERROR, "%s", STALE_MSG);
			w_text_add(t, ROLE_WARNING, "  The diff below is your edits on the new main.cf. "
				   "r: rebase them on it, then a: apply.");
			w_text_add(t, ROLE_NORMAL, "%s", "");
		}
		w_text_add(t, ROLE_HEADER, "Diff: %zu changed file(s)", ch->nchanged);
		w_text_add_diff(t, diff.data);
		if (ch->nchanged == 0)
			w_text_add(t, ROLE_DIM, "  the staged edits leave every file as it is");
	}
out:
	w_text_pick_all(t);
	buf_free(&diff);
}

static int changes_init(struct screen *s, struct err *e)
{
	struct changes *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ch->s = s;
	s->data = ch;
	w_text_init(&ch->text);
	rebuild(ch);
	return 0;
}

static void changes_free(struct screen *s)
{
	struct changes *ch = s->data;

	if (ch == NULL)
		return;
	changes_clear(ch);
	w_text_free(&ch->text);
	free(ch);
	s->data = NULL;
}

/* apply_done - the confirmation answer: apply and show the result. */
static int apply_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct changes *ch = s->data;
	struct console *c = s->c;
	struct pending *p = console_pending(c);
	struct apply_report r;
	char desc[256];
	struct err e;
	int rc;

	if (res != W_DLG_OK || ch->cs == NULL)
		return 0;
	pending_describe(p, desc, sizeof(desc));
	apply_report_init(&r);
	err_clear(&e);
	console_busy(c, "applying: backup, write, postfix check, reload ...");
	rc = changeset_apply(ch->cs, desc, &r, &e);
	if (rc == 0) {
		err_clear(&e);
		if (pending_clear(p, &e) < 0)
			console_error(c, &e);
		else
			console_message(c, ROLE_OK, "applied to %s", console_target(c)->config_dir);
	} else {
		console_error(c, &e);
	}
	result_show(c, s, "Apply", rc, &r, &e);
	apply_report_free(&r);
	console_reload(c);
	return 0;
}

/* rebase - the admin has seen the diff of the edits on someone else's
 * newer main.cf: make that main.cf their base, so apply takes them. */
static void rebase(struct changes *ch)
{
	struct console *c = ch->s->c;
	struct pending *p = console_pending(c);
	struct err e;

	if (!ch->stale) {
		console_message(c, ROLE_WARNING, "nothing to rebase: main.cf is the one the edits "
				"were staged against");
		return;
	}
	pending_rebase(p);
	rebuild(ch);
	err_clear(&e);
	if (pending_save(p, &e) < 0) {
		console_error(c, &e);
		return;
	}
	console_message(c, ROLE_OK, "rebased: the staged edits now apply to main.cf as it is "
			"(a: apply)");
}

/* open_apply - "Apply N changed file(s) to DIR? y/n". */
static void open_apply(struct changes *ch)
{
	struct console *c = ch->s->c;
	char q[1024];

	if (pending_count(console_pending(c)) == 0) {
		console_message(c, ROLE_WARNING, "nothing to apply: no staged edits");
		return;
	}
	if (ch->build_failed || ch->cs == NULL) {
		console_message(c, ROLE_ERROR, "cannot apply: the change set could not be built");
		return;
	}
	if (ch->stale) {
		console_message(c, ROLE_ERROR, "%s; r: rebase", STALE_MSG);
		return;
	}
	if (ch->nchanged == 0) {
		console_message(c, ROLE_WARNING, "nothing to apply: the edits change no file");
		return;
	}
	snprintf(q, sizeof(q), "Apply %zu changed file(s) to %s? y/n", ch->nchanged,
		 console_target(c)->config_dir);
	console_dialog(c, ch->s, w_dialog_confirm("Apply", q), apply_done);
}

static void changes_key(struct screen *s, enum act a, int key)
{
	struct changes *ch = s->data;
	const struct pending_edit *pe;
	const struct line *l;
	const char *name;

	switch (a) {
	case ACT_APPLY:
		open_apply(ch);
		break;
	case ACT_HISTORY:
		console_push(s->c, &screen_history_ops);
		break;
	case ACT_REBASE:
		rebase(ch);
		break;
	case ACT_DROP:
		if ((l = w_text_sel_line(&ch->text)) == NULL || l->tag < 0 ||
		    (pe = pending_at(console_pending(s->c), (size_t)l->tag)) == NULL) {
			console_message(s->c, ROLE_WARNING, "select a staged edit to drop");
			break;
		}
		name = pe->name;
		console_message(s->c, ROLE_OK, "dropped the staged edit of %s", name);
		pending_drop(console_pending(s->c), name);
		{
			struct err e;

			err_clear(&e);
			if (pending_save(console_pending(s->c), &e) < 0)
				console_error(s->c, &e);
		}
		console_changed(s->c);
		break;
	default:
		break;
	}
}

static void changes_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct changes *ch = s->data;

	ui_put(w, y, 0, wd, ROLE_TITLE, ch->stale
	       ? " relaydeck - Changes (r: rebase, a: apply, h: history, q: back)"
	       : " relaydeck - Changes (a: apply, h: history, q: back)");
	w_text_draw(&ch->text, w, y + 1, 0, h - 1, wd);
}

static struct w_list *changes_list(struct screen *s)
{
	return w_text_list(&((struct changes *)s->data)->text);
}

static void changes_refresh(struct screen *s)
{
	rebuild(s->data);
}

const struct screen_ops screen_changes_ops = {
	.title = "Changes",
	.keys = keymap_changes,
	.init = changes_init,
	.free = changes_free,
	.resize = NULL,
	.key = changes_key,
	.draw = changes_draw,
	.list = changes_list,
	.on_reload = changes_refresh,
};
