/*
 * w_text - wrapped text lines over a w_list. See w_text.h.
 */
#include "config.h"
#include "w_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* row_text - searchable text: a line's whole text, on its first row. */
static const char *row_text(void *ctx, size_t i)
{
	struct w_text *t = ctx;

	return t->rows[i].off == 0 ? t->lines.v[t->rows[i].line].text : NULL;
}

/* can_hold - line i may hold the cursor. */
static int can_hold(const struct w_text *t, size_t i)
{
	return t->list.pager || t->lines.v[i].pick;
}

/* row_selectable - the first row of a line that may hold the cursor. */
static int row_selectable(void *ctx, size_t i)
{
	struct w_text *t = ctx;

	return t->rows[i].off == 0 && can_hold(t, t->rows[i].line);
}

/* draw_row - indentation, then the row's bytes; the selected line's rows
 * all take the selection colour. */
static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	struct w_text *t = ctx;
	const struct w_text_row *r = &t->rows[i];
	const struct line *l = &t->lines.v[r->line];
	size_t cur = w_text_sel(t);
	enum theme_role role = (enum theme_role)l->kind;
	char *s;

	(void)sel;
	if (cur != W_TEXT_NONE && cur == r->line)
		role = ROLE_SELECTED;
	if ((s = malloc((size_t)r->indent + r->len + 1)) == NULL) {
		ui_fill(w, y, x, width, role);
		return;
	}
	memset(s, ' ', (size_t)r->indent);
	memcpy(s + r->indent, l->text + r->off, r->len);
	s[(size_t)r->indent + r->len] = '\0';
	ui_put(w, y, x, width, role, s);
	free(s);
}

void w_text_init(struct w_text *t)
{
	memset(t, 0, sizeof(*t));
	t->hang = 2;
	w_list_init(&t->list, t, row_text, row_selectable, draw_row);
}

void w_text_hang(struct w_text *t, int cols)
{
	t->hang = cols;
	if (t->width > 0)
		t->width = -1;	/* wrap again at the next draw */
}

void w_text_pager(struct w_text *t, int on)
{
	t->list.pager = on;
	if (on)
		t->list.top = 0;
}

/* push_row - one more row; silently dropped when out of memory. */
static void push_row(struct w_text *t, size_t line, size_t off, size_t len, int indent)
{
	if (t->nrows == t->rows_alloc) {
		size_t na = t->rows_alloc ? t->rows_alloc * 2 : 64;
		struct w_text_row *nr = realloc(t->rows, na * sizeof(*nr));

		if (nr == NULL)
			return;
		t->rows = nr;
		t->rows_alloc = na;
	}
	t->rows[t->nrows++] = (struct w_text_row){ line, off, len, indent };
}

/* wrap_line - the rows of line i at t->width (no width yet: one row). */
static void wrap_line(struct w_text *t, size_t i)
{
	const char *s = t->lines.v[i].text, *p = s;
	int width = t->width, indent;
	size_t n;

	if (width <= 0 || *s == '\0') {
		push_row(t, i, 0, strlen(s), 0);
		return;
	}
	/* Continuation rows start past the line's indentation, but leave at
	 * least half the width for text. */
	indent = (int)strspn(s, " ") + t->hang;
	if (indent > width / 2)
		indent = width / 2;
	n = ui_wrap(p, width);
	push_row(t, i, 0, n, 0);
	for (p += n; *p;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		n = ui_wrap(p, width - indent);
		push_row(t, i, (size_t)(p - s), n, indent);
		p += n;
	}
}

/* first_row - the first row of line i (nrows when none). */
static size_t first_row(const struct w_text *t, size_t line)
{
	size_t lo = 0, hi = t->nrows;

	/* Rows are in line order: binary search for the first of line. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->rows[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* rewrap - all rows again at width, keeping the selected and the top line. */
static void rewrap(struct w_text *t, int width)
{
	size_t sel_line = t->nrows ? t->rows[t->list.sel < t->nrows ? t->list.sel : 0].line : 0;
	size_t top_line = t->nrows ? t->rows[t->list.top < t->nrows ? t->list.top : 0].line : 0;

	t->width = width;
	t->nrows = 0;
	for (size_t i = 0; i < t->lines.n; i++)
		wrap_line(t, i);
	t->list.count = t->nrows;
	t->list.sel = first_row(t, sel_line);
	t->list.top = first_row(t, top_line);
	w_list_set_count(&t->list, t->nrows);
}

/* added - wrap the lines added since from and tell the list. */
static void added(struct w_text *t, size_t from)
{
	for (size_t i = from; i < t->lines.n; i++)
		wrap_line(t, i);
	w_list_set_count(&t->list, t->nrows);
}

void w_text_clear(struct w_text *t)
{
	lines_clear(&t->lines);
	t->nrows = 0;
	t->list.sel = t->list.top = 0;
	w_list_set_count(&t->list, 0);
}

void w_text_free(struct w_text *t)
{
	lines_free(&t->lines);
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->rows_alloc = 0;
	t->list.count = 0;
}

void w_text_add(struct w_text *t, enum theme_role r, const char *fmt, ...)
{
	size_t from = t->lines.n;
	va_list ap;

	va_start(ap, fmt);
	lines_vadd(&t->lines, (int)r, 0, 0, fmt, ap);
	va_end(ap);
	added(t, from);
}

void w_text_pick(struct w_text *t, enum theme_role r, int tag, const char *fmt, ...)
{
	size_t from = t->lines.n;
	va_list ap;

	va_start(ap, fmt);
	lines_vadd(&t->lines, (int)r, 1, tag, fmt, ap);
	va_end(ap);
	added(t, from);
}

void w_text_add_text(struct w_text *t, enum theme_role r, const char *prefix, const char *text)
{
	size_t from = t->lines.n;

	lines_add_text(&t->lines, (int)r, prefix, text);
	added(t, from);
}

/* diff_role - colour of one line of a unified diff. */
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

void w_text_add_diff(struct w_text *t, const char *diff)
{
	size_t from = t->lines.n;

	lines_add_text(&t->lines, ROLE_NORMAL, NULL, diff);
	for (size_t i = from; i < t->lines.n; i++)
		t->lines.v[i].kind = (int)diff_role(t->lines.v[i].text);
	added(t, from);
}

/* role_of - the theme role of a core report line. */
static enum theme_role role_of(int kind)
{
	switch (kind) {
	case LK_HEADER:
		return ROLE_HEADER;
	case LK_OK:
		return ROLE_OK;
	case LK_WARN:
		return ROLE_WARNING;
	case LK_ERROR:
		return ROLE_ERROR;
	case LK_DIM:
		return ROLE_DIM;
	default:
		return ROLE_NORMAL;
	}
}

void w_text_add_lines(struct w_text *t, const char *prefix, const struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		w_text_add(t, role_of(l->v[i].kind), "%s%s", prefix ? prefix : "", l->v[i].text);
}

void w_text_pick_all(struct w_text *t)
{
	for (size_t i = 0; i < t->lines.n; i++)
		if (!t->lines.v[i].pick) {
			t->lines.v[i].pick = 1;
			t->lines.v[i].tag = -1;
		}
}

size_t w_text_sel(const struct w_text *t)
{
	size_t line;

	if (t->list.pager || t->list.sel >= t->nrows)
		return W_TEXT_NONE;
	line = t->rows[t->list.sel].line;
	return can_hold(t, line) ? line : W_TEXT_NONE;
}

const struct line *w_text_sel_line(const struct w_text *t)
{
	size_t i = w_text_sel(t);

	return i == W_TEXT_NONE ? NULL : &t->lines.v[i];
}

void w_text_select(struct w_text *t, size_t i)
{
	w_list_select(&t->list, first_row(t, i));
}

size_t w_text_rows(struct w_text *t, int width)
{
	if (width != t->width)
		rewrap(t, width);
	return t->nrows;
}

int w_text_pane_rows(struct w_text *t, int width, int min, int avail)
{
	int rows = (int)w_text_rows(t, width);

	if (rows < min)
		rows = min;
	return rows > avail / 2 ? avail / 2 : rows;
}

void w_text_draw(struct w_text *t, WINDOW *w, int y, int x, int h, int width)
{
	if (width != t->width)
		rewrap(t, width);
	w_list_draw(&t->list, w, y, x, h, width);
}

struct w_list *w_text_list(struct w_text *t)
{
	return &t->list;
}
