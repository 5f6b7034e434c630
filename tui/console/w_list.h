/*
 * w_list - a virtual scrolling list shared by every screen: it keeps the
 * selection and the first visible row, draws only the visible rows
 * through a callback, moves on list actions and the mouse, and searches
 * the rows' text.
 *
 * The list owns no row data: callbacks ask the screen for a row's text
 * (for search), whether it can be selected (group headers cannot), and
 * draw it. struct w_list is a plain value inside the screen.
 *
 * A pager list (pager = 1) has no selection: movement scrolls the view,
 * as in less, and a search scrolls the match to the top. Text that is
 * only read (a review, a report) scrolls this way.
 */
#ifndef RELAYDECK_W_LIST_H
#define RELAYDECK_W_LIST_H

#include <stddef.h>

#include <curses.h>

#include "keymap.h"

struct w_list {
	size_t count;
	size_t sel;
	size_t top;
	int height;		/* rows shown by the last draw */
	int y0;			/* terminal row of the first shown row (for the mouse) */
	void *ctx;
	/* text of row i for search (may be NULL: not searchable) */
	const char *(*text)(void *ctx, size_t i);
	/* 0 when row i cannot hold the selection; NULL means every row can */
	int (*selectable)(void *ctx, size_t i);
	/* draw row i at y,x in width columns, padded */
	void (*draw_row)(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int selected);
	char pattern[128];	/* last search */
	int pager;		/* 1: no selection, keys scroll the view */
};

void w_list_init(struct w_list *l, void *ctx, const char *(*text)(void *, size_t),
		 int (*selectable)(void *, size_t),
		 void (*draw_row)(void *, WINDOW *, int, int, int, size_t, int));

/* w_list_set_count - new row count; the selection is kept in range. */
void w_list_set_count(struct w_list *l, size_t count);

/* w_list_select - select row i (or the next selectable row after it). */
void w_list_select(struct w_list *l, size_t i);

/* w_list_act - movement actions; returns 1 when act was one. */
int w_list_act(struct w_list *l, enum act a);

/* w_list_search - select the next row (after the selection, wrapping)
 * whose text contains pattern, ignoring case ("^text" matches at the start); -1 when none. An empty
 * pattern repeats the last one. */
int w_list_search(struct w_list *l, const char *pattern);

/* w_list_click - select the row drawn on list line row (0-based, so a
 * terminal row y is y - l->y0). */
int w_list_click(struct w_list *l, int row);

/* w_list_scroll - move the view by delta rows (mouse wheel). */
void w_list_scroll(struct w_list *l, int delta);

/* w_list_draw - draw the visible rows into the rectangle. */
void w_list_draw(struct w_list *l, WINDOW *w, int y, int x, int h, int width);

#endif
