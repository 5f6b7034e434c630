/*
 * screen_changes - the Changes screen: the staged edits and the unified
 * diff they make (pending_build + changeset_diff), coloured and
 * scrollable. a applies after a confirmation and shows the result (steps
 * and warnings, or the error and whether the files were restored);
 * x drops the staged edit under the cursor; h opens the history.
 */
#include "config.h"

#include <stdarg.h>
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

struct line {
	char *text;
	enum theme_role role;
	const char *edit;	/* name of the staged edit on this line, or NULL */
};

struct changes {
	struct screen *s;
	struct line *lines;
	size_t nlines, alloc;
	struct w_list list;
	struct changeset *cs;
	size_t nchanged;
	int build_failed;
};

/* add - append one line (text copied). */
static void add(struct changes *ch, enum theme_role role, const char *edit, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void add(struct changes *ch, enum theme_role role, const char *edit, const char *fmt,
		...)
{
	struct line *nl;
	va_list ap;
	char *t;

	if (ch->nlines == ch->alloc) {
		size_t na = ch->alloc ? ch->alloc * 2 : 64;

		if ((nl = realloc(ch->lines, na * sizeof(*nl))) == NULL)
			return;
		ch->lines = nl;
		ch->alloc = na;
	}
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	if (t == NULL)
		return;
	ch->lines[ch->nlines].text = t;
	ch->lines[ch->nlines].role = role;
	ch->lines[ch->nlines].edit = edit;
	ch->nlines++;
}

/* changes_clear - forget lines and the change set. */
static void changes_clear(struct changes *ch)
{
	size_t i;

	for (i = 0; i < ch->nlines; i++)
		free(ch->lines[i].text);
	ch->nlines = 0;
	changeset_free(ch->cs);
	ch->cs = NULL;
	ch->nchanged = 0;
	ch->build_failed = 0;
}

/* diff_role - colour of one diff line. */
static enum theme_role diff_role(const char *l)
{
	if (strncmp(l, "+++", 3) == 0 || strncmp(l, "---", 3) == 0)
		return ROLE_HEADER;
	if (l[0] == '+')
		return ROLE_DIFF_ADD;
	if (l[0] == '-')
		return ROLE_DIFF_DEL;
	if (strncmp(l, "@@", 2) == 0)
		return ROLE_DIFF_HUNK;
	return ROLE_NORMAL;
}

/* rebuild - edits, then the diff of the change set they make. */
static void rebuild(struct changes *ch)
{
	struct pending *p = console_pending(ch->s->c);
	struct buf diff = BUF_INIT;
	const struct pending_edit *pe;
	char msg[1024];
	struct err e;
	size_t i, n = pending_count(p);
	char *line, *nl;

	changes_clear(ch);
	add(ch, ROLE_HEADER, NULL, "Staged edits (%zu)", n);
	for (i = 0; i < n; i++) {
		pe = pending_at(p, i);
		if (pe->value)
			add(ch, ROLE_PENDING, pe->name, "  set %s = %s", pe->name, pe->value);
		else
			add(ch, ROLE_PENDING, pe->name, "  unset %s", pe->name);
	}
	if (n == 0) {
		add(ch, ROLE_DIM, NULL, "  none: edit a parameter on the Relay settings screen");
		w_list_set_count(&ch->list, ch->nlines);
		return;
	}
	add(ch, ROLE_NORMAL, NULL, "%s", "");
	err_clear(&e);
	if ((ch->cs = changeset_new(console_target(ch->s->c))) == NULL ||
	    pending_build(p, ch->cs, &e) < 0 || changeset_diff(ch->cs, &diff, &e) < 0) {
		if (ch->cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		add(ch, ROLE_ERROR, NULL, "%s", err_format(&e, msg, sizeof(msg)));
		ch->build_failed = 1;
	} else {
		ch->nchanged = changeset_changed(ch->cs, &e);
		add(ch, ROLE_HEADER, NULL, "Diff: %zu changed file(s)", ch->nchanged);
		for (line = diff.data; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			add(ch, diff_role(line), NULL, "%s", line);
			if (nl == NULL)
				break;
		}
		if (ch->nchanged == 0)
			add(ch, ROLE_DIM, NULL, "  the staged edits leave every file as it is");
	}
	buf_free(&diff);
	w_list_set_count(&ch->list, ch->nlines);
}

static const char *line_text(void *ctx, size_t i)
{
	return ((struct changes *)ctx)->lines[i].text;
}

/* draw_line - a line in its role, or the selection colour. */
static void draw_line(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct changes *ch = ctx;

	ui_put(w, y, x, width, sel ? ROLE_SELECTED : ch->lines[i].role, ch->lines[i].text);
}

static int changes_init(struct screen *s, struct err *e)
{
	struct changes *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ch->s = s;
	s->data = ch;
	w_list_init(&ch->list, ch, line_text, NULL, draw_line);
	rebuild(ch);
	return 0;
}

static void changes_free(struct screen *s)
{
	struct changes *ch = s->data;

	if (ch == NULL)
		return;
	changes_clear(ch);
	free(ch->lines);
	free(ch);
	s->data = NULL;
}

/* description - "set relayhost, unset debug_peer_list" for the backup
 * (names only: values stay out of the history). */
static void description(struct pending *p, char *out, size_t outlen)
{
	const struct pending_edit *pe;
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < pending_count(p) && len < outlen; i++) {
		pe = pending_at(p, i);
		len += (size_t)snprintf(out + len, outlen - len, "%s%s %s", i ? ", " : "",
					pe->value ? "set" : "unset", pe->name);
	}
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
	description(p, desc, sizeof(desc));
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
	const char *name;

	switch (a) {
	case ACT_APPLY:
		open_apply(ch);
		break;
	case ACT_HISTORY:
		console_push(s->c, &screen_history_ops);
		break;
	case ACT_DROP:
		if (ch->list.sel >= ch->nlines || (name = ch->lines[ch->list.sel].edit) == NULL) {
			console_message(s->c, ROLE_WARNING, "select a staged edit to drop");
			break;
		}
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

	ui_put(w, y, 0, wd, ROLE_TITLE, " relaydeck - Changes (a: apply, h: history, q: back)");
	w_list_draw(&ch->list, w, y + 1, 0, h - 1, wd);
}

static struct w_list *changes_list(struct screen *s)
{
	return &((struct changes *)s->data)->list;
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
