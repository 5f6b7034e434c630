/*
 * screen_history - backups taken before each change (changeset_history):
 * ID, date, description, files. Enter on an entry asks, then rolls back
 * to it with changeset_rollback and shows the result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "changeset.h"
#include "result.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

struct history {
	struct screen *s;
	struct backup_info *list;
	size_t count;
	char **text;		/* one display line per entry */
	struct w_list wl;
	struct w_text detail;	/* the selected backup, whole and wrapped */
	char error[512];
};

/* free_rows - the backup list and its display lines. */
static void free_rows(struct history *h)
{
	size_t i;

	for (i = 0; h->text && i < h->count; i++)
		free(h->text[i]);
	free(h->text);
	h->text = NULL;
	changeset_history_free(h->list, h->count);
	h->list = NULL;
	h->count = 0;
}

/* format_entry - "ID  date  description  [files]" with file base names. */
static char *format_entry(const struct backup_info *b)
{
	char when[32], files[256];
	struct tm tm;
	time_t t = (time_t)b->when;
	size_t i, len = 0;
	const char *base;
	char *out;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(when, sizeof(when), "?");
	files[0] = '\0';
	for (i = 0; i < b->nfiles && len < sizeof(files); i++) {
		base = strrchr(b->files[i], '/');
		base = base ? base + 1 : b->files[i];
		len += (size_t)snprintf(files + len, sizeof(files) - len, "%s%s", i ? "," : "",
					base);
	}
	if (asprintf(&out, "%-22s %s  %s  [%s]", b->id, when, b->description, files) < 0)
		return NULL;
	return out;
}

/* load - read the history again. */
static void load(struct history *h)
{
	struct err e;
	size_t i;

	free_rows(h);
	h->error[0] = '\0';
	err_clear(&e);
	if (changeset_history(console_target(h->s->c), &h->list, &h->count, &e) < 0) {
		err_format(&e, h->error, sizeof(h->error));
		h->list = NULL;
		h->count = 0;
	} else if ((h->text = calloc(h->count + 1, sizeof(*h->text))) != NULL) {
		for (i = 0; i < h->count; i++)
			h->text[i] = format_entry(&h->list[i]);
	} else {
		snprintf(h->error, sizeof(h->error), "out of memory");
		changeset_history_free(h->list, h->count);
		h->list = NULL;
		h->count = 0;
	}
	w_list_set_count(&h->wl, h->count);
}

static const char *row_text(void *ctx, size_t i)
{
	struct history *h = ctx;

	return h->text[i] ? h->text[i] : "";
}

/* draw_row - the entry's line, cut with "…" (the detail shows it whole). */
static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	ui_put_cut(w, y, x, width, sel ? ROLE_SELECTED : ROLE_NORMAL, row_text(ctx, i));
}

/* build_detail - the selected backup: ID, description, every file path. */
static void build_detail(struct history *h)
{
	const struct backup_info *b = h->wl.sel < h->count ? &h->list[h->wl.sel] : NULL;

	w_text_clear(&h->detail);
	if (b == NULL)
		return;
	w_text_add(&h->detail, ROLE_HEADER, " backup %s: %s", b->id, b->description);
	for (size_t i = 0; i < b->nfiles; i++)
		w_text_add(&h->detail, ROLE_DIM, "   %s", b->files[i]);
}

static int history_init(struct screen *s, struct err *e)
{
	struct history *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	h->s = s;
	s->data = h;
	w_list_init(&h->wl, h, row_text, NULL, draw_row);
	w_text_init(&h->detail);
	w_text_pager(&h->detail, 1);
	load(h);
	return 0;
}

static void history_free(struct screen *s)
{
	struct history *h = s->data;

	if (h == NULL)
		return;
	free_rows(h);
	w_text_free(&h->detail);
	free(h);
	s->data = NULL;
}

/* rollback_done - the confirmation answer: roll back and report. */
static int rollback_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct history *h = s->data;
	struct console *c = s->c;
	struct apply_report r;
	char id[64];
	struct err e;
	int rc;

	if (res != W_DLG_OK || h->wl.sel >= h->count)
		return 0;
	snprintf(id, sizeof(id), "%s", h->list[h->wl.sel].id);
	apply_report_init(&r);
	err_clear(&e);
	console_busy(c, "rolling back: backup, write, postfix check, reload ...");
	rc = changeset_rollback(console_target(c), id, &r, &e);
	if (rc == 0)
		console_message(c, ROLE_OK, "rolled back to %s", id);
	else
		console_error(c, &e);
	result_show(c, s, "Rollback", rc, &r, &e);
	apply_report_free(&r);
	console_reload(c);
	return 0;
}

static void history_key(struct screen *s, enum act a, int key)
{
	struct history *h = s->data;
	const struct backup_info *b;
	char q[1024];

	if (a != ACT_ENTER || h->wl.sel >= h->count)
		return;
	b = &h->list[h->wl.sel];
	snprintf(q, sizeof(q), "Roll back %s to backup %s (%s)? y/n",
		 console_target(s->c)->config_dir, b->id, b->description);
	console_dialog(s->c, s, w_dialog_confirm("Rollback", q), rollback_done);
}

/* history_draw - title, header, backups, the selected one in detail. */
static void history_draw(struct screen *s, WINDOW *w, int y, int hgt, int wd)
{
	struct history *h = s->data;
	int top = 2, det;

	ui_put_cut(w, y, 0, wd, ROLE_TITLE, " relaydeck - History (Enter: roll back, q: back)");
	ui_put_cut(w, y + 1, 0, wd, ROLE_HEADER,
		   "ID                     Date                 Description  [files]");
	if (h->error[0])
		top += ui_put_wrapped(w, y + 2, 0, wd, 3, ROLE_ERROR, h->error);
	else if (h->count == 0)
		top += ui_put_wrapped(w, y + 2, 0, wd, 1, ROLE_DIM,
				      "no backups yet: every apply takes one");
	build_detail(h);
	det = w_text_pane_rows(&h->detail, wd, 0, hgt - top);
	w_list_draw(&h->wl, w, y + top, 0, hgt - top - det, wd);
	build_detail(h);
	if (det > 0)
		w_text_draw(&h->detail, w, y + hgt - det, 0, det, wd);
}

static struct w_list *history_list(struct screen *s)
{
	return &((struct history *)s->data)->wl;
}

static void history_refresh(struct screen *s)
{
	load(s->data);
}

const struct screen_ops screen_history_ops = {
	.title = "History",
	.keys = keymap_history,
	.init = history_init,
	.free = history_free,
	.resize = NULL,
	.key = history_key,
	.draw = history_draw,
	.list = history_list,
	.on_reload = history_refresh,
};
