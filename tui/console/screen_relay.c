/*
 * screen_relay - the Relay settings screen: the parameter catalog by
 * group, each row with its value in main.cf (or the host's default,
 * dimmed, when not set) and the staged edit; a detail area with help,
 * type, default and where the value comes from.
 *
 * Enter edits the selected parameter in a text dialog; the value is
 * checked with params_validate_name_value against the host's facts and
 * staged with pending_set + pending_save. u stages an unset, x drops the
 * staged edit, c/d open the Changes screen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maincf.h"
#include "params.h"
#include "pending.h"
#include "postfix.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define DETAIL_MIN 4	/* rows the detail pane keeps even when short */

struct row {
	int is_group;
	enum param_group group;
	const struct param_def *def;
};

struct relay {
	struct screen *s;
	struct row *rows;
	size_t nrows;
	struct w_list list;
	const struct param_def *editing;
	int name_w;		/* the widest parameter name, plus a blank */
	struct w_text detail;	/* the selected parameter, whole and wrapped */
};

/* row_text - searchable text: the parameter name. */
static const char *row_text(void *ctx, size_t i)
{
	struct relay *r = ctx;

	return r->rows[i].is_group ? NULL : r->rows[i].def->name;
}

/* row_selectable - group headers are not. */
static int row_selectable(void *ctx, size_t i)
{
	struct relay *r = ctx;

	return !r->rows[i].is_group;
}

/* value_of - the value main.cf gives name, or NULL when not set. */
static const char *value_of(struct relay *r, const char *name)
{
	const struct maincf *m = console_maincf(r->s->c);

	return m ? maincf_get(m, name) : NULL;
}

/* default_of - the host's default, or "" when unknown. */
static const char *default_of(struct relay *r, const char *name)
{
	const struct params_host *h = console_host(r->s->c);
	const char *d = h ? params_host_default(h, name) : NULL;

	return d ? d : "";
}

/* draw_row - "* name   value → pending": the value gets every column
 * left and ends in "…" when it must be cut (the detail shows it whole). */
static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct relay *r = ctx;
	const struct row *row = &r->rows[i];
	const struct pending_edit *pe;
	const char *val;
	char line[256];
	int col, vw, pw;

	if (row->is_group) {
		snprintf(line, sizeof(line), " %s", params_group_name(row->group));
		ui_put(w, y, x, width, ROLE_GROUP, line);
		return;
	}
	pe = pending_find(console_pending(r->s->c), row->def->name);
	ui_put(w, y, x, 2, sel ? ROLE_SELECTED : ROLE_PENDING, pe ? "* " : "  ");
	col = 2;
	ui_put_cut(w, y, x + col, r->name_w < width - col ? r->name_w : width - col,
		   sel ? ROLE_SELECTED : ROLE_NORMAL, row->def->name);
	col += r->name_w;
	if (col >= width)
		return;
	vw = width - col;
	val = value_of(r, row->def->name);
	if (val == NULL)
		val = default_of(r, row->def->name);
	if (pe) {
		/* Both values share the column; each is cut only as far as needed. */
		char *staged;

		if (asprintf(&staged, " \xe2\x86\x92 %s", pe->value ? pe->value : "(unset)") < 0)
			return;
		pw = ui_width(staged);
		if (pw > vw / 2 && ui_width(val) + pw > vw)
			pw = ui_width(val) < vw / 2 ? vw - ui_width(val) : vw - vw / 2;
		ui_put_cut(w, y, x + col, vw - pw, sel ? ROLE_SELECTED :
			   value_of(r, row->def->name) ? ROLE_NORMAL : ROLE_DIM, val);
		ui_put_cut(w, y, x + col + vw - pw, pw, sel ? ROLE_SELECTED : ROLE_PENDING, staged);
		free(staged);
		return;
	}
	ui_put_cut(w, y, x + col, vw, sel ? ROLE_SELECTED :
		   value_of(r, row->def->name) ? ROLE_NORMAL : ROLE_DIM, val);
}

/* build - catalog rows with a header before each group. */
static int build(struct relay *r)
{
	const struct param_def *cat;
	size_t n, i, k = 0;
	struct row *rows;

	cat = params_catalog(&n);
	if ((rows = calloc(n * 2 + 1, sizeof(*rows))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (i == 0 || cat[i].group != cat[i - 1].group) {
			rows[k].is_group = 1;
			rows[k++].group = cat[i].group;
		}
		rows[k].group = cat[i].group;
		rows[k++].def = &cat[i];
	}
	free(r->rows);
	r->rows = rows;
	r->nrows = k;
	r->name_w = 0;
	for (i = 0; i < n; i++)
		if (ui_width(cat[i].name) + 1 > r->name_w)
			r->name_w = ui_width(cat[i].name) + 1;
	w_list_set_count(&r->list, k);
	return 0;
}

/* relay_init - rows from the catalog, first parameter selected. */
static int relay_init(struct screen *s, struct err *e)
{
	struct relay *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	r->s = s;
	s->data = r;
	w_list_init(&r->list, r, row_text, row_selectable, draw_row);
	w_text_init(&r->detail);
	w_text_pager(&r->detail, 1);
	w_text_hang(&r->detail, 0);
	if (build(r) < 0) {
		free(r);
		s->data = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	w_list_select(&r->list, 0);
	return 0;
}

static void relay_free(struct screen *s)
{
	struct relay *r = s->data;

	if (r == NULL)
		return;
	free(r->rows);
	w_text_free(&r->detail);
	free(r);
	s->data = NULL;
}

/* selected - the parameter under the cursor, or NULL. */
static const struct param_def *selected(struct relay *r)
{
	if (r->list.sel >= r->nrows || r->rows[r->list.sel].is_group)
		return NULL;
	return r->rows[r->list.sel].def;
}

/* save - write the pending file; errors to the message line. */
static int save(struct relay *r)
{
	struct err e;

	err_clear(&e);
	/* the main.cf shown is the one these edits are made against */
	if (pending_count(console_pending(r->s->c)) > 0 &&
	    pending_note_base(console_pending(r->s->c), console_maincf(r->s->c)) < 0) {
		console_message(r->s->c, ROLE_ERROR, "out of memory");
		return -1;
	}
	if (pending_save(console_pending(r->s->c), &e) < 0) {
		console_error(r->s->c, &e);
		return -1;
	}
	console_changed(r->s->c);
	return 0;
}

/* edit_done - validate and stage; an invalid value keeps the field open. */
static int edit_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct relay *r = s->data;
	struct console *c = s->c;
	const struct param_def *def = r->editing;
	const char *v, *cur;
	char msg[1024];
	struct err e;

	if (res != W_DLG_OK || def == NULL)
		return 0;
	v = w_dialog_value(d);
	err_clear(&e);
	if (params_validate_name_value(console_host(c), def->name, v, &e) < 0) {
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	cur = value_of(r, def->name);
	if (cur && strcmp(cur, v) == 0) {
		/* Back to what main.cf says: nothing left to stage. */
		pending_drop(console_pending(c), def->name);
		if (save(r) == 0)
			console_message(c, ROLE_OK, "%s is unchanged", def->name);
		return 0;
	}
	if (pending_set(console_pending(c), def->name, v, &e) < 0) {
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	if (save(r) < 0)
		return 0;
	console_message(c, ROLE_OK, "staged: %s = %s (c: review and apply)", def->name, v);
	return 0;
}

/* open_edit - the inline edit dialog, pre-filled with the current value. */
static void open_edit(struct relay *r, const struct param_def *def)
{
	const struct pending_edit *pe = pending_find(console_pending(r->s->c), def->name);
	const char *init = value_of(r, def->name);
	char prompt[512];
	struct w_dialog *d;

	if (pe && pe->value)
		init = pe->value;
	if (init == NULL)
		init = default_of(r, def->name);
	snprintf(prompt, sizeof(prompt), "%s\n%s = ", def->help ? def->help : "", def->name);
	d = w_dialog_input(def->name, prompt, init, 0);
	r->editing = def;
	console_dialog(r->s->c, r->s, d, edit_done);
}

/* relay_key - edit, unset, drop, changes. */
static void relay_key(struct screen *s, enum act a, int key)
{
	struct relay *r = s->data;
	const struct param_def *def = selected(r);
	struct err e;

	err_clear(&e);
	switch (a) {
	case ACT_ENTER:
		if (def)
			open_edit(r, def);
		break;
	case ACT_UNSET:
		if (def == NULL)
			break;
		if (value_of(r, def->name) == NULL) {
			pending_drop(console_pending(s->c), def->name);
			if (save(r) == 0)
				console_message(s->c, ROLE_WARNING,
						"%s is not set in main.cf: nothing to unset",
						def->name);
			break;
		}
		if (pending_unset(console_pending(s->c), def->name, &e) < 0) {
			console_error(s->c, &e);
			break;
		}
		if (save(r) == 0)
			console_message(s->c, ROLE_OK, "staged: unset %s", def->name);
		break;
	case ACT_DROP:
		if (def == NULL || pending_find(console_pending(s->c), def->name) == NULL) {
			console_message(s->c, ROLE_WARNING, "no staged edit on this row");
			break;
		}
		pending_drop(console_pending(s->c), def->name);
		if (save(r) == 0)
			console_message(s->c, ROLE_OK, "dropped the staged edit of %s", def->name);
		break;
	case ACT_CHANGES:
		console_push(s->c, &screen_changes_ops);
		break;
	default:
		break;
	}
}

/* build_detail - the selected parameter: name and type, its whole value
 * (and what Postfix expands it to), the staged edit, help, default and
 * source, each wrapped. */
static void build_detail(struct relay *r)
{
	const struct param_def *def = selected(r);
	const struct maincf *m = console_maincf(r->s->c);
	struct w_text *t = &r->detail;
	const struct pending_edit *pe;
	const char *dflt, *cur;
	struct buf x = BUF_INIT, choices = BUF_INIT;
	int ln;

	w_text_clear(t);
	if (def == NULL)
		return;
	if (def->type == PT_ENUM && def->choices) {
		for (int i = 0; def->choices[i]; i++)
			buf_printf(&choices, "%s%s", i ? "|" : "", def->choices[i]);
		w_text_add(t, ROLE_HEADER, " %s  (%s: %s)", def->name, params_type_name(def->type),
			   choices.data);
	} else {
		w_text_add(t, ROLE_HEADER, " %s  (%s)", def->name, params_type_name(def->type));
	}
	cur = m ? maincf_get(m, def->name) : NULL;
	dflt = default_of(r, def->name);
	if (cur)
		w_text_add(t, ROLE_NORMAL, " value: %s", cur);
	/* A value with $name: what Postfix makes of it. */
	if (cur && strchr(cur, '$') && console_expanded(r->s->c) &&
	    postfix_conf_value(console_expanded(r->s->c), def->name, &x) == 0 &&
	    strcmp(x.data, cur) != 0)
		w_text_add(t, ROLE_OK, " expands to: %s", x.data);
	pe = pending_find(console_pending(r->s->c), def->name);
	if (pe)
		w_text_add(t, ROLE_PENDING, " staged: %s", pe->value ? pe->value : "(unset)");
	if (def->help && *def->help)
		w_text_add(t, ROLE_HELP, " %s", def->help);
	ln = m ? maincf_line(m, def->name) : 0;
	if (ln > 0)
		w_text_add(t, ROLE_DIM, " default: %s   source: %s/main.cf:%d",
			   *dflt ? dflt : "(empty)", console_target(r->s->c)->config_dir, ln);
	else
		w_text_add(t, ROLE_DIM, " default: %s   source: not set in main.cf (default)",
			   *dflt ? dflt : "(empty)");
	buf_free(&x);
	buf_free(&choices);
}

/* relay_draw - title, column header, list, and the detail pane: as tall
 * as the selected parameter needs, up to half the screen. */
static void relay_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct relay *r = s->data;
	char head[128];
	int det;

	ui_put(w, y, 0, wd, ROLE_TITLE, " relaydeck - Relay settings");
	snprintf(head, sizeof(head), "  %-*s%s", r->name_w, "Parameter",
		 "Value (dim: default)  \xe2\x86\x92 staged");
	ui_put_cut(w, y + 1, 0, wd, ROLE_HEADER, head);
	build_detail(r);
	det = w_text_pane_rows(&r->detail, wd, DETAIL_MIN, h - 2);
	w_list_draw(&r->list, w, y + 2, 0, h - 2 - det, wd);
	/* The list may have moved the selection into view: describe that row. */
	build_detail(r);
	w_text_draw(&r->detail, w, y + h - det, 0, det, wd);
}

static struct w_list *relay_list(struct screen *s)
{
	return &((struct relay *)s->data)->list;
}

/* relay_refresh - rows are static; values are read at draw time. */
static void relay_refresh(struct screen *s)
{
	struct relay *r = s->data;

	w_list_set_count(&r->list, r->nrows);
}

const struct screen_ops screen_relay_ops = {
	.title = "Relay settings",
	.keys = keymap_relay,
	.init = relay_init,
	.free = relay_free,
	.resize = NULL,
	.key = relay_key,
	.draw = relay_draw,
	.list = relay_list,
	.on_reload = relay_refresh,
};
