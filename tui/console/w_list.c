/*
 * w_list - virtual scrolling list with selection and search. See w_list.h.
 */
#include "config.h"
#include "w_list.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui.h"

/* can_sel - row i may hold the selection. */
static int can_sel(const struct w_list *l, size_t i)
{
	return i < l->count && (l->selectable == NULL || l->selectable(l->ctx, i));
}

/* w_list_init - empty list with callbacks. */
void w_list_init(struct w_list *l, void *ctx, const char *(*text)(void *, size_t),
		 int (*selectable)(void *, size_t),
		 void (*draw_row)(void *, WINDOW *, int, int, int, size_t, int))
{
	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
	l->text = text;
	l->selectable = selectable;
	l->draw_row = draw_row;
	l->height = 1;
}

/* step - from i move by dir (+1/-1) to the nearest selectable row; i itself if none. */
static size_t step(const struct w_list *l, size_t i, int dir)
{
	size_t j = i;

	for (;;) {
		if (dir < 0 && j == 0)
			return i;
		if (dir > 0 && j + 1 >= l->count)
			return i;
		j = dir < 0 ? j - 1 : j + 1;
		if (can_sel(l, j))
			return j;
	}
}

/* w_list_select - i or the first selectable row after (else before) it. */
void w_list_select(struct w_list *l, size_t i)
{
	if (l->count == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (i >= l->count)
		i = l->count - 1;
	if (!can_sel(l, i)) {
		size_t j = step(l, i, +1);

		i = j != i ? j : step(l, i, -1);
	}
	l->sel = i;
}

/* w_list_set_count - keep the selection valid after the rows changed. */
void w_list_set_count(struct w_list *l, size_t count)
{
	l->count = count;
	if (l->top >= count)
		l->top = 0;
	w_list_select(l, l->sel);
}

/* list_move - by n rows in direction dir, stopping at the ends. */
static void list_move(struct w_list *l, int dir, int n)
{
	size_t j;

	while (n-- > 0) {
		j = step(l, l->sel, dir);
		if (j == l->sel)
			break;
		l->sel = j;
	}
}

/* max_top - the last first row that still fills the view. */
static size_t max_top(const struct w_list *l)
{
	return l->count > (size_t)l->height ? l->count - (size_t)l->height : 0;
}

/* pager_act - movement in a pager list: the view itself moves. */
static int pager_act(struct w_list *l, enum act a, int page)
{
	size_t mt = max_top(l);

	switch (a) {
	case ACT_UP:
		w_list_scroll(l, -1);
		return 1;
	case ACT_DOWN:
		w_list_scroll(l, +1);
		return 1;
	case ACT_PAGE_UP:
		w_list_scroll(l, -page);
		return 1;
	case ACT_PAGE_DOWN:
		w_list_scroll(l, +page);
		return 1;
	case ACT_TOP:
		l->top = 0;
		return 1;
	case ACT_BOTTOM:
		l->top = mt;
		return 1;
	default:
		return 0;
	}
}

/* w_list_act - the list's share of the key map. */
int w_list_act(struct w_list *l, enum act a)
{
	int page = l->height > 1 ? l->height - 1 : 1;

	if (l->pager)
		return pager_act(l, a, page);
	switch (a) {
	case ACT_UP:
		list_move(l, -1, 1);
		return 1;
	case ACT_DOWN:
		list_move(l, +1, 1);
		return 1;
	case ACT_PAGE_UP:
		list_move(l, -1, page);
		l->top = l->top > (size_t)page ? l->top - (size_t)page : 0;
		return 1;
	case ACT_PAGE_DOWN:
		list_move(l, +1, page);
		return 1;
	case ACT_TOP:
		w_list_select(l, 0);
		l->top = 0;
		return 1;
	case ACT_BOTTOM:
		w_list_select(l, l->count ? l->count - 1 : 0);
		return 1;
	default:
		return 0;
	}
}

/* w_list_search - case-insensitive substring search, wrapping once. */
int w_list_search(struct w_list *l, const char *pattern)
{
	size_t k, i;
	const char *t;

	if (pattern && *pattern)
		snprintf(l->pattern, sizeof(l->pattern), "%s", pattern);
	if (l->pattern[0] == '\0' || l->text == NULL || l->count == 0)
		return -1;
	for (k = 1; k <= l->count; k++) {
		i = ((l->pager ? l->top : l->sel) + k) % l->count;
		if (!can_sel(l, i))
			continue;
		t = l->text(l->ctx, i);
		if (t == NULL)
			continue;
		/* "^word" matches at the start only, so "^relayhost" skips
		 * sender_dependent_relayhost_maps. */
		if (l->pattern[0] == '^' ? strncasecmp(t, l->pattern + 1, strlen(l->pattern + 1)) == 0
					 : strcasestr(t, l->pattern) != NULL) {
			l->sel = i;
			if (l->pager)
				l->top = i < max_top(l) ? i : max_top(l);
			return 0;
		}
	}
	return -1;
}

/* w_list_click - mouse row to selection. */
int w_list_click(struct w_list *l, int row)
{
	size_t i;

	if (row < 0 || row >= l->height || l->pager)
		return -1;
	i = l->top + (size_t)row;
	if (!can_sel(l, i))
		return -1;
	l->sel = i;
	return 0;
}

/* w_list_scroll - wheel: move the view and drag the selection inside it. */
void w_list_scroll(struct w_list *l, int delta)
{
	size_t maxtop = max_top(l);

	if (delta < 0)
		l->top = l->top > (size_t)-delta ? l->top - (size_t)-delta : 0;
	else
		l->top = l->top + (size_t)delta > maxtop ? maxtop : l->top + (size_t)delta;
	if (l->pager)
		return;
	if (l->sel < l->top)
		w_list_select(l, l->top);
	else if (l->sel >= l->top + (size_t)l->height) {
		w_list_select(l, l->top + (size_t)l->height - 1);
		if (l->sel >= l->top + (size_t)l->height)
			l->sel = step(l, l->sel, -1);
	}
}

/* w_list_draw - scroll so the selection shows, then draw visible rows only. */
void w_list_draw(struct w_list *l, WINDOW *w, int y, int x, int h, int width)
{
	size_t i;
	int r;

	if (h <= 0)
		return;
	l->height = h;
	l->y0 = y;
	if (l->pager) {
		/* The view keeps its place; only a shrunk text pulls it back. */
		if (l->top > max_top(l))
			l->top = max_top(l);
	} else if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + (size_t)h)
		l->top = l->sel - (size_t)h + 1;
	/* Group header above the first selectable row: show it at the top. */
	if (!l->pager && l->top == 1 && l->sel == 1 && h > 1 && !can_sel(l, 0))
		l->top = 0;
	for (r = 0; r < h; r++) {
		i = l->top + (size_t)r;
		if (i < l->count)
			l->draw_row(l->ctx, w, y + r, x, width, i, !l->pager && i == l->sel);
		else
			ui_fill(w, y + r, x, width, ROLE_NORMAL);
	}
}
