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
#include "maps.h"
#include "secrecy.h"
#include "review.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

#define COUNT_W 11	/* "Entries" column */
#define DETAIL_ROWS 3	/* rows a detail pane keeps */

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

/* is_secret - core/secrecy's answer for the file; when it cannot tell,
 * the table is treated as secret. */
static int is_secret(struct target *t, const char *path)
{
	struct err e;

	err_clear(&e);
	return secrecy_table_path(t, path, &e) != 0;
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
	char **counts;		/* the entry count column per reference */
	struct w_list list;
	int param_w;		/* the widest parameter name, plus a blank */
	struct w_text detail;	/* the selected table, whole and wrapped */
	char error[1024];
};


/* The table the next table view opens (console_push takes no argument). */
static struct map_ref opening;

static void refs_clear(struct maps_scr *ms)
{
	for (size_t i = 0; ms->counts && i < ms->nrefs; i++)
		free(ms->counts[i]);
	free(ms->counts);
	ms->counts = NULL;
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
	ms->counts = calloc(ms->nrefs + 1, sizeof(*ms->counts));
	ms->param_w = ui_width("Parameter") + 1;
	for (size_t i = 0; ms->counts && i < ms->nrefs; i++) {
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
		ms->counts[i] = strdup(count);
		if (ui_width(r->param) + 1 > ms->param_w)
			ms->param_w = ui_width(r->param) + 1;
	}
	w_list_set_count(&ms->list, ms->counts ? ms->nrefs : 0);
}

/* refs_text - searchable text: the parameter name. */
static const char *refs_text(void *ctx, size_t i)
{
	struct maps_scr *ms = ctx;

	return ms->refs[i].param;
}

/* refs_draw_row - parameter, entries, and the table in every column left
 * (cut with "…"; the detail pane shows it whole). */
static void refs_draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct maps_scr *ms = ctx;
	enum theme_role role = sel ? ROLE_SELECTED : editable(&ms->refs[i]) ? ROLE_NORMAL
									     : ROLE_DIM;
	int pw = ms->param_w < width / 2 ? ms->param_w : width / 2;

	ui_put(w, y, x, 2, role, "");
	ui_put_cut(w, y, x + 2, pw, role, ms->refs[i].param);
	ui_put_cut(w, y, x + 2 + pw, COUNT_W, role, ms->counts[i] ? ms->counts[i] : "");
	ui_put_cut(w, y, x + 2 + pw + COUNT_W, width - 2 - pw - COUNT_W, role, ms->refs[i].spec);
}

static int maps_init(struct screen *s, struct err *e)
{
	struct maps_scr *ms = calloc(1, sizeof(*ms));

	if (ms == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ms->s = s;
	s->data = ms;
	w_list_init(&ms->list, ms, refs_text, NULL, refs_draw_row);
	w_text_init(&ms->detail);
	w_text_pager(&ms->detail, 1);
	w_text_hang(&ms->detail, 0);
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
	w_text_free(&ms->detail);
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

/* refs_detail - the selected table: parameter, the whole table spec, entries. */
static void refs_detail(struct maps_scr *ms)
{
	const struct map_ref *r = ms->list.sel < ms->nrefs ? &ms->refs[ms->list.sel] : NULL;

	w_text_clear(&ms->detail);
	if (r == NULL)
		return;
	w_text_add(&ms->detail, ROLE_HEADER, " %s", r->param);
	w_text_add(&ms->detail, ROLE_NORMAL, " %s", r->spec);
	w_text_add(&ms->detail, ROLE_DIM, " entries: %s%s",
		   ms->counts && ms->counts[ms->list.sel] ? ms->counts[ms->list.sel] : "-",
		   editable(r) ? "   Enter: open the table" : "   (no table file relaydeck edits)");
}

/* maps_draw - title, header, the tables, the selected one in detail. */
static void maps_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct maps_scr *ms = s->data;
	int top = 2, det, pw = ms->param_w < wd / 2 ? ms->param_w : wd / 2;

	ui_put_cut(w, y, 0, wd, ROLE_TITLE, " relaydeck - Maps (Enter: open, t: try an address)");
	ui_put(w, y + 1, 0, 2, ROLE_HEADER, "");
	ui_put_cut(w, y + 1, 2, pw, ROLE_HEADER, "Parameter");
	ui_put_cut(w, y + 1, 2 + pw, COUNT_W, ROLE_HEADER, "Entries");
	ui_put(w, y + 1, 2 + pw + COUNT_W, wd - 2 - pw - COUNT_W, ROLE_HEADER, "Table");
	if (ms->error[0] || ms->nrefs == 0) {
		top += ui_put_wrapped(w, y + 2, 0, wd, 3, ms->error[0] ? ROLE_ERROR : ROLE_DIM,
				      ms->error[0] ? ms->error : "  main.cf names no lookup tables");
	}
	refs_detail(ms);
	det = w_text_pane_rows(&ms->detail, wd, DETAIL_ROWS, h - top);
	w_list_draw(&ms->list, w, y + top, 0, h - top - det, wd);
	refs_detail(ms);
	w_text_draw(&ms->detail, w, y + h - det, 0, det, wd);
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
	struct w_text detail;	/* the selected entry, whole and wrapped */
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

/* shown_value - the value as drawn: credential tables show it masked. */
static void shown_value(const struct table_scr *ts, const struct map_entry *me, char *out,
			size_t len)
{
	if (ts->secret)
		secrecy_mask_value(me->value, out, len);
	else
		snprintf(out, len, "%s", me->value);
}

/* key_width - the key column: the widest key, at most half the screen. */
static int key_width(const struct table_scr *ts, int width)
{
	struct map_entry me;
	int kw = ui_width("Pattern (first match wins)");

	for (size_t i = 0; ts->m && maps_entry(ts->m, i, &me) == 0; i++)
		if (ui_width(me.key) > kw)
			kw = ui_width(me.key);
	return kw < width / 2 ? kw : width / 2;
}

/* table_draw_row - "#n key -> value" (value masked in credential tables),
 * each cut with "…" only when the terminal is too narrow. */
static void table_draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct table_scr *ts = ctx;
	struct map_entry me;
	char val[MAPS_LINE_MAX + 16], num[16] = "  ";
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_NORMAL;
	int kw = key_width(ts, width), col;

	if (maps_entry(ts->m, i, &me) < 0)
		return;
	shown_value(ts, &me, val, sizeof(val));
	if (ordered(ts->kind))
		snprintf(num, sizeof(num), "  %3zu ", i + 1);
	col = ui_put(w, y, x, ui_width(num), role, num);
	ui_put_cut(w, y, x + col, kw, role, me.key);
	col += kw;
	ui_put(w, y, x + col, 4, role, " -> ");
	col += 4;
	if (col < width)
		ui_put_cut(w, y, x + col, width - col, role, val);
}

/* table_detail - the selected entry's key and value, whole. */
static void table_detail(struct table_scr *ts)
{
	struct map_entry me;
	char val[MAPS_LINE_MAX + 16];

	w_text_clear(&ts->detail);
	if (ts->m == NULL || maps_entry(ts->m, ts->list.sel, &me) < 0)
		return;
	shown_value(ts, &me, val, sizeof(val));
	w_text_add(&ts->detail, ROLE_HEADER, " %s", me.key);
	w_text_add(&ts->detail, ROLE_NORMAL, " -> %s", val);
	w_text_add(&ts->detail, ROLE_DIM, " %s, line %d", ts->path, me.line);
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
	ts->secret = is_secret(console_target(s->c), ts->path);
	w_list_init(&ts->list, ts, table_text, NULL, table_draw_row);
	w_text_init(&ts->detail);
	w_text_pager(&ts->detail, 1);
	w_text_hang(&ts->detail, 0);
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
	w_text_free(&ts->detail);
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

/* table_draw - title (wrapped: the path is long), header, entries, detail. */
static void table_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct table_scr *ts = s->data;
	char head[MAPS_LINE_MAX];
	int top, det, kw = key_width(ts, wd), col;

	snprintf(head, sizeof(head), " relaydeck - Maps: %s = %s:%s", ts->param, ts->type,
		 ts->path);
	top = ui_put_wrapped(w, y, 0, wd, 2, ROLE_TITLE, head);
	col = ordered(ts->kind) ? 6 : 2;
	ui_put(w, y + top, 0, col, ROLE_HEADER, ordered(ts->kind) ? "    # " : "");
	ui_put_cut(w, y + top, col, kw + 4, ROLE_HEADER,
		   ordered(ts->kind) ? "Pattern (first match wins)" : "Key");
	snprintf(head, sizeof(head), "Value%s",
		 ts->secret ? "  (credentials: masked, edit on screen 2)" : "");
	if (col + kw + 4 < wd)
		ui_put_cut(w, y + top, col + kw + 4, wd - col - kw - 4, ROLE_HEADER, head);
	top++;
	if (ts->error[0] || ts->warn[0]) {
		top += ui_put_wrapped(w, y + top, 0, wd, 3, ts->error[0] ? ROLE_ERROR : ROLE_WARNING,
				      ts->error[0] ? ts->error : ts->warn);
	} else if (ts->m && maps_count(ts->m) == 0) {
		ui_put(w, y + top, 0, wd, ROLE_DIM, "  no entries: a adds one");
		top++;
	}
	table_detail(ts);
	det = w_text_pane_rows(&ts->detail, wd, DETAIL_ROWS, h - top);
	w_list_draw(&ts->list, w, y + top, 0, h - top - det, wd);
	table_detail(ts);
	w_text_draw(&ts->detail, w, y + h - det, 0, det, wd);
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
