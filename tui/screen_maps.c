/*
 * screen_maps - the Maps screens.
 *
 * Maps: every lookup table main.cf names (maps_refs: parameter,
 * type:path, entry count). Enter opens the table view of a file-based
 * table; t opens the "try an address" box.
 *
 * Table view: the entries of one table (key -> value; regexp, pcre and
 * cidr rules numbered, because order decides). a adds (after the
 * selected rule in ordered tables), e/Enter edits the value, d/Delete
 * removes; values are checked with maps_check_entry (and the host's
 * postmap for pcre) in the dialog, which stays open on an error. Every
 * edit is staged with maps_stage into its own change set and ends in
 * review (diff, confirmation, apply, result). Credential tables are shown
 * masked and edited only on the Credentials screen.
 *
 * Try box: maps_try, the real postmap -q lookups of canonical, sender
 * canonical, sender-dependent relay, transport and generic maps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "creds.h"
#include "maps.h"
#include "review.h"
#include "screens.h"
#include "target.h"
#include "ui.h"

#define PARAM_W 34
#define KEY_W 38

enum { TAG_TRY = 1, TAG_ADD_KEY, TAG_ADD_VALUE, TAG_EDIT };

/* --- shared ------------------------------------------------------------ */

/* The address last tried, offered again in the next try box. */
static char last_try[512];

/* try_done - run maps_try and show each step in a message dialog. */
static int try_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct console *c = s->c;
	struct maps_try_step *st = NULL;
	struct buf b = BUF_INIT;
	char msg[1024];
	size_t n = 0;
	struct err e;
	const char *v;

	if (res != W_DLG_OK)
		return 0;
	v = w_dialog_value(d);
	err_clear(&e);
	console_busy(c, "postmap -q on every rewrite and routing table ...");
	if (maps_try(console_target(c), v, &st, &n, &e) < 0) {
		console_message(c, ROLE_NORMAL, "%s", "");
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	snprintf(last_try, sizeof(last_try), "%s", v);
	buf_printf(&b, "What Postfix's own lookups (postmap -q) return for %s:\n\n", v);
	for (size_t i = 0; i < n; i++) {
		/* the result first: a long table path may wrap, the answer must not */
		if (st[i].matched)
			buf_printf(&b, "%s -> %s\n  (%s: key %s in %s)\n", st[i].param,
				   st[i].result, st[i].input, st[i].key, st[i].table);
		else
			buf_printf(&b, "%s: no match (%s)\n", st[i].param, st[i].input);
	}
	while (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	console_message(c, ROLE_OK, "tried %s", v);
	console_dialog(c, s, w_dialog_message("Try an address", b.data ? b.data : "",
					      ROLE_HEADER), NULL);
	maps_try_free(st, n);
	buf_free(&b);
	return 0;
}

/* open_try - the try box, pre-filled with the last address. */
static void open_try(struct screen *s)
{
	struct w_dialog *d = w_dialog_input("Try an address",
					    "Sender or recipient address (postmap -q on the "
					    "generic, canonical, sender relay and transport maps):",
					    last_try, 0);

	if (d)
		w_dialog_set_tag(d, TAG_TRY);
	console_dialog(s->c, s, d, try_done);
}

/* is_secret - the credentials table, or a table of a *password* parameter. */
static int is_secret(struct target *t, const char *param, const char *path)
{
	struct creds_src src;
	struct err e;

	if (strstr(param, "password"))
		return 1;
	err_clear(&e);
	return creds_source(t, &src, &e) == 0 && strcmp(src.path, path) == 0;
}

/* load_table - parse the file; a missing file is an empty table. */
static struct maps *load_table(struct target *t, const char *type, const char *path,
			       struct err *e)
{
	struct buf b = BUF_INIT;
	struct maps *m;

	if (target_read(t, path, &b, e) < 0) {
		buf_wipe_free(&b);
		if (e->code != ERR_NOTFOUND)
			return NULL;
		err_clear(e);
	}
	m = maps_parse(type, path, b.data ? b.data : "", b.len, e);
	buf_wipe_free(&b);
	return m;
}

/* editable - a file-based table type relaydeck can parse. */
static int editable(const struct map_ref *r)
{
	enum map_kind k = maps_kind(r->type);

	return r->path[0] == '/' && k != MAP_UNKNOWN && k != MAP_INLINE;
}

/* --- Maps: the tables main.cf names ------------------------------------ */

struct maps_scr {
	struct screen *s;
	struct map_ref *refs;
	size_t nrefs;
	char **text;		/* one display line per reference */
	struct w_list list;
	char error[1024];
};

/* The table the next table view opens (console_push takes no argument). */
static struct map_ref opening;

static void refs_clear(struct maps_scr *ms)
{
	for (size_t i = 0; ms->text && i < ms->nrefs; i++)
		free(ms->text[i]);
	free(ms->text);
	ms->text = NULL;
	maps_refs_free(ms->refs, ms->nrefs);
	ms->refs = NULL;
	ms->nrefs = 0;
}

/* refs_load - maps_refs and an entry count per file-based table. */
static void refs_load(struct maps_scr *ms)
{
	struct target *t = console_target(ms->s->c);
	struct err e;

	refs_clear(ms);
	ms->error[0] = '\0';
	err_clear(&e);
	if (maps_refs(t, &ms->refs, &ms->nrefs, &e) < 0) {
		err_format(&e, ms->error, sizeof(ms->error));
		ms->refs = NULL;
		ms->nrefs = 0;
	}
	ms->text = calloc(ms->nrefs + 1, sizeof(*ms->text));
	for (size_t i = 0; ms->text && i < ms->nrefs; i++) {
		const struct map_ref *r = &ms->refs[i];
		char count[64];
		struct maps *m;

		if (!editable(r)) {
			snprintf(count, sizeof(count), "%s", r->path[0] ? "-" : "no file");
		} else {
			err_clear(&e);
			if ((m = load_table(t, r->type, r->path, &e)) != NULL)
				snprintf(count, sizeof(count), "%zu", maps_count(m));
			else
				snprintf(count, sizeof(count), "unreadable");
			maps_free(m);
		}
		if (asprintf(&ms->text[i], "  %-*s %-10s %s", PARAM_W, r->param, count,
			     r->spec) < 0)
			ms->text[i] = NULL;
	}
	w_list_set_count(&ms->list, ms->text ? ms->nrefs : 0);
}

static const char *refs_text(void *ctx, size_t i)
{
	struct maps_scr *ms = ctx;

	return ms->text[i] ? ms->text[i] : "";
}

static void refs_draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct maps_scr *ms = ctx;

	ui_put(w, y, x, width, sel ? ROLE_SELECTED : editable(&ms->refs[i]) ? ROLE_NORMAL
									     : ROLE_DIM,
	       refs_text(ctx, i));
}

static int maps_init(struct screen *s, struct err *e)
{
	struct maps_scr *ms = calloc(1, sizeof(*ms));

	if (ms == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ms->s = s;
	s->data = ms;
	w_list_init(&ms->list, ms, refs_text, NULL, refs_draw_row);
	console_busy(s->c, "reading the tables main.cf names ...");
	refs_load(ms);
	console_message(s->c, ROLE_NORMAL, "%s", "");
	w_list_select(&ms->list, 0);
	return 0;
}

static void maps_scr_free(struct screen *s)
{
	struct maps_scr *ms = s->data;

	if (ms == NULL)
		return;
	refs_clear(ms);
	free(ms);
	s->data = NULL;
}

/* maps_key - open a table, or the try box. */
static void maps_key(struct screen *s, enum act a, int key)
{
	struct maps_scr *ms = s->data;
	const struct map_ref *r;

	(void)key;
	switch (a) {
	case ACT_ENTER:
		if (ms->list.sel >= ms->nrefs)
			break;
		r = &ms->refs[ms->list.sel];
		if (!editable(r)) {
			console_message(s->c, ROLE_WARNING, "%s: no table file to show (%s)",
					r->param, r->spec);
			break;
		}
		opening = *r;
		console_push(s->c, &screen_map_table_ops);
		memset(&opening, 0, sizeof(opening));
		break;
	case ACT_TRY:
		open_try(s);
		break;
	default:
		break;
	}
}

static void maps_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct maps_scr *ms = s->data;
	char head[256];

	ui_put(w, y, 0, wd, ROLE_TITLE, " relaydeck - Maps (Enter: open, t: try an address)");
	snprintf(head, sizeof(head), "  %-*s %-10s %s", PARAM_W, "Parameter", "Entries",
		 "Table");
	ui_put(w, y + 1, 0, wd, ROLE_HEADER, head);
	if (ms->error[0]) {
		ui_put(w, y + 2, 0, wd, ROLE_ERROR, ms->error);
		w_list_draw(&ms->list, w, y + 3, 0, h - 3, wd);
	} else if (ms->nrefs == 0) {
		ui_put(w, y + 2, 0, wd, ROLE_DIM, "  main.cf names no lookup tables");
		w_list_draw(&ms->list, w, y + 3, 0, h - 3, wd);
	} else {
		w_list_draw(&ms->list, w, y + 2, 0, h - 2, wd);
	}
}

static struct w_list *maps_list(struct screen *s)
{
	return &((struct maps_scr *)s->data)->list;
}

static void maps_refresh(struct screen *s)
{
	struct maps_scr *ms = s->data;
	size_t sel = ms->list.sel;

	refs_load(ms);
	w_list_select(&ms->list, sel);
}

const struct screen_ops screen_maps_ops = {
	.title = "Maps",
	.keys = keymap_maps,
	.init = maps_init,
	.free = maps_scr_free,
	.resize = NULL,
	.key = maps_key,
	.draw = maps_draw,
	.list = maps_list,
	.on_reload = maps_refresh,
};

/* --- Table view: the entries of one table ------------------------------ */

struct table_scr {
	struct screen *s;
	char *param, *type, *path;
	enum map_kind kind;
	int secret;
	struct maps *m;
	struct w_list list;
	char error[1024];
	char warn[1024];
	char *add_key;		/* the add sequence so far */
	char *edit_key;		/* the entry being edited */
	struct review rv;
};

/* ordered - regexp, pcre and cidr rules: the first match wins. */
static int ordered(enum map_kind k)
{
	return k == MAP_REGEXP || k == MAP_PCRE || k == MAP_CIDR;
}

/* table_load - parse the file again. */
static void table_load(struct table_scr *ts)
{
	struct buf w = BUF_INIT;
	struct err e;

	maps_free(ts->m);
	ts->error[0] = ts->warn[0] = '\0';
	err_clear(&e);
	if ((ts->m = load_table(console_target(ts->s->c), ts->type, ts->path, &e)) == NULL)
		err_format(&e, ts->error, sizeof(ts->error));
	else if (maps_warnings(ts->m, &w) == 0 && w.len) {
		/* the first warning only: the list needs the rows */
		size_t n = strcspn(w.data, "\n");

		snprintf(ts->warn, sizeof(ts->warn), "%.*s", (int)n, w.data);
	}
	buf_free(&w);
	w_list_set_count(&ts->list, ts->m ? maps_count(ts->m) : 0);
}

static const char *table_text(void *ctx, size_t i)
{
	struct table_scr *ts = ctx;
	struct map_entry me;

	return maps_entry(ts->m, i, &me) == 0 ? me.key : NULL;
}

/* table_draw_row - "#n key -> value" (value masked in credential tables). */
static void table_draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct table_scr *ts = ctx;
	struct map_entry me;
	char line[MAPS_LINE_MAX + 64], val[600], num[16] = "";
	const char *colon;

	if (maps_entry(ts->m, i, &me) < 0)
		return;
	if (ts->secret) {
		colon = strchr(me.value, ':');
		snprintf(val, sizeof(val), "%.*s:\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2",
			 colon ? (int)(colon - me.value) : 0, me.value);
	}
	if (ordered(ts->kind))
		snprintf(num, sizeof(num), "%3zu ", i + 1);
	snprintf(line, sizeof(line), "  %s%-*s -> %s", num, KEY_W, me.key,
		 ts->secret ? val : me.value);
	ui_put(w, y, x, width, sel ? ROLE_SELECTED : ROLE_NORMAL, line);
}

static int table_init(struct screen *s, struct err *e)
{
	struct table_scr *ts;

	if (opening.path == NULL)
		return err_set(e, ERR_INVALID, "no table selected");
	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ts->s = s;
	s->data = ts;
	ts->param = strdup(opening.param);
	ts->type = strdup(opening.type);
	ts->path = strdup(opening.path);
	if (ts->param == NULL || ts->type == NULL || ts->path == NULL) {
		free(ts->param);
		free(ts->type);
		free(ts->path);
		free(ts);
		s->data = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	ts->kind = maps_kind(ts->type);
	ts->secret = is_secret(console_target(s->c), ts->param, ts->path);
	w_list_init(&ts->list, ts, table_text, NULL, table_draw_row);
	table_load(ts);
	w_list_select(&ts->list, 0);
	return 0;
}

static void table_free(struct screen *s)
{
	struct table_scr *ts = s->data;

	if (ts == NULL)
		return;
	maps_free(ts->m);
	review_clear(&ts->rv);
	free(ts->add_key);
	free(ts->edit_key);
	free(ts->param);
	free(ts->type);
	free(ts->path);
	free(ts);
	s->data = NULL;
}

static int table_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res);

/* ask - open an input dialog of the add/edit sequences. */
static void ask(struct table_scr *ts, int tag, const char *title, const char *prompt,
		const char *init)
{
	struct w_dialog *d = w_dialog_input(title, prompt, init, 0);

	if (d)
		w_dialog_set_tag(d, tag);
	console_dialog(ts->s->c, ts->s, d, table_done);
}

/* stage - a fresh model from the file, with key set to value (or entry
 * remove_at removed), staged and reviewed; returns 1 with the reason in d
 * when the edit is refused. */
static int stage(struct table_scr *ts, struct w_dialog *d, const char *key, const char *value,
		 int remove_at, const char *what, const char *desc)
{
	struct console *c = ts->s->c;
	struct target *t = console_target(c);
	struct changeset *cs;
	struct maps *m;
	char msg[1024];
	struct err e;
	int r;

	err_clear(&e);
	if (value && (maps_check_entry(ts->kind, key, value, &e) < 0 ||
		      (ts->kind == MAP_PCRE && maps_check_pcre(t, key, &e) < 0))) {
		w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
		return 1;
	}
	/* Edit what is on disk now, not the copy drawn: the file may have
	 * changed since the screen read it. */
	if ((m = load_table(t, ts->type, ts->path, &e)) == NULL) {
		console_error(c, &e);
		return 0;
	}
	if (remove_at >= 0)
		r = maps_remove_at(m, (size_t)remove_at, &e);
	else if (ordered(ts->kind) && maps_get(m, key) == NULL && ts->list.sel < maps_count(m))
		r = maps_insert(m, ts->list.sel + 1, key, value, &e);
	else
		r = maps_set(m, key, value, &e);
	if (r < 0) {
		maps_free(m);
		if (d) {
			w_dialog_set_error(d, err_format(&e, msg, sizeof(msg)));
			return 1;
		}
		console_error(c, &e);
		return 0;
	}
	if ((cs = changeset_new(t)) == NULL ||
	    maps_stage(cs, m, ts->secret ? 0600 : 0644, ts->secret ? CS_SECRET : 0, &e) < 0) {
		if (cs == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		changeset_free(cs);
		maps_free(m);
		console_error(c, &e);
		return 0;
	}
	maps_free(m);
	review_open(&ts->rv, ts->s, cs, what, desc, table_done);
	return 0;
}

/* table_done - answers of the add/edit dialogs and of the review. */
static int table_done(struct screen *s, struct w_dialog *d, enum w_dlg_result res)
{
	struct table_scr *ts = s->data;
	char prompt[MAPS_LINE_MAX + 128], what[MAPS_LINE_MAX + 64], desc[256];
	const char *v;

	if (w_dialog_tag(d) == REVIEW_TAG) {
		review_done(&ts->rv, s, res);
		return 0;
	}
	if (res != W_DLG_OK)
		return 0;
	v = w_dialog_value(d);
	switch (w_dialog_tag(d)) {
	case TAG_ADD_KEY:
		if (*v == '\0') {
			w_dialog_set_error(d, "the key is empty");
			return 1;
		}
		free(ts->add_key);
		if ((ts->add_key = strdup(v)) == NULL)
			return 0;
		snprintf(prompt, sizeof(prompt), "%s ->", ts->add_key);
		ask(ts, TAG_ADD_VALUE, "Add an entry (2/2): value", prompt, "");
		return 0;
	case TAG_ADD_VALUE:
		snprintf(what, sizeof(what), "Add %s -> %s to %s", ts->add_key, v, ts->path);
		snprintf(desc, sizeof(desc), "map add %s:%s %.150s", ts->type, ts->path,
			 ts->add_key);
		return stage(ts, d, ts->add_key, v, -1, what, desc);
	case TAG_EDIT:
		snprintf(what, sizeof(what), "Set %s -> %s in %s", ts->edit_key, v, ts->path);
		snprintf(desc, sizeof(desc), "map set %s:%s %.150s", ts->type, ts->path,
			 ts->edit_key);
		return stage(ts, d, ts->edit_key, v, -1, what, desc);
	default:
		return 0;
	}
}

/* table_key - add, edit, remove, try. */
static void table_key(struct screen *s, enum act a, int key)
{
	struct table_scr *ts = s->data;
	struct map_entry me;
	char prompt[MAPS_LINE_MAX + 128], what[MAPS_LINE_MAX + 64], desc[256];
	int have = ts->m && maps_entry(ts->m, ts->list.sel, &me) == 0;

	(void)key;
	if (a == ACT_TRY) {
		open_try(s);
		return;
	}
	if (a != ACT_ADD && a != ACT_ENTER && a != ACT_REMOVE)
		return;
	if (ts->secret) {
		console_message(s->c, ROLE_WARNING,
				"credentials are edited on the Credentials screen (2)");
		return;
	}
	if (ts->m == NULL) {
		console_message(s->c, ROLE_ERROR, "%s", ts->error);
		return;
	}
	switch (a) {
	case ACT_ADD:
		ask(ts, TAG_ADD_KEY, "Add an entry (1/2): key",
		    ordered(ts->kind) ? "Pattern (/regexp/flags, or network/len for cidr), "
					"inserted after the selected rule:"
				      : "Key (address, user@, @domain, or domain):",
		    "");
		break;
	case ACT_ENTER:
		if (!have)
			break;
		free(ts->edit_key);
		if ((ts->edit_key = strdup(me.key)) == NULL)
			break;
		snprintf(prompt, sizeof(prompt), "%s ->", me.key);
		ask(ts, TAG_EDIT, "Edit the value", prompt, me.value);
		break;
	case ACT_REMOVE:
		if (!have)
			break;
		snprintf(what, sizeof(what), "Remove %s from %s", me.key, ts->path);
		snprintf(desc, sizeof(desc), "map remove %s:%s %.150s", ts->type, ts->path, me.key);
		stage(ts, NULL, me.key, NULL, (int)ts->list.sel, what, desc);
		break;
	default:
		break;
	}
}

static void table_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct table_scr *ts = s->data;
	char head[MAPS_LINE_MAX];
	int top = 2;

	snprintf(head, sizeof(head), " relaydeck - Maps: %s = %s:%s", ts->param, ts->type,
		 ts->path);
	ui_put(w, y, 0, wd, ROLE_TITLE, head);
	snprintf(head, sizeof(head), "  %s%-*s    %s%s", ordered(ts->kind) ? "  # " : "", KEY_W,
		 ordered(ts->kind) ? "Pattern (first match wins)" : "Key", "Value",
		 ts->secret ? "  (credentials: masked, edit on screen 2)" : "");
	ui_put(w, y + 1, 0, wd, ROLE_HEADER, head);
	if (ts->error[0] || ts->warn[0]) {
		ui_put(w, y + 2, 0, wd, ts->error[0] ? ROLE_ERROR : ROLE_WARNING,
		       ts->error[0] ? ts->error : ts->warn);
		top = 3;
	} else if (ts->m && maps_count(ts->m) == 0) {
		ui_put(w, y + 2, 0, wd, ROLE_DIM, "  no entries: a adds one");
		top = 3;
	}
	w_list_draw(&ts->list, w, y + top, 0, h - top, wd);
}

static struct w_list *table_list(struct screen *s)
{
	return &((struct table_scr *)s->data)->list;
}

static void table_refresh(struct screen *s)
{
	struct table_scr *ts = s->data;
	size_t sel = ts->list.sel;

	table_load(ts);
	w_list_select(&ts->list, sel);
}

const struct screen_ops screen_map_table_ops = {
	.title = "Map entries",
	.keys = keymap_map_table,
	.init = table_init,
	.free = table_free,
	.resize = NULL,
	.key = table_key,
	.draw = table_draw,
	.list = table_list,
	.on_reload = table_refresh,
};
