/*
 * w_text - a panel of text lines, each in a theme role, word-wrapped to
 * the width it is drawn at: the one widget for every screen that shows
 * lines of text (probe results, the wizard's panels, diffs, reports,
 * detail panes).
 *
 * Lines live in a struct lines (core/lines.h) whose kind is the theme
 * role. The panel wraps each line into rows (at blanks, by display
 * width; a word wider than the panel is cut, never lost) and drives a
 * w_list over the rows, so search, paging and the mouse work as on any
 * list. Continuation rows are indented two columns past the line's own
 * indentation (w_text_hang changes that: 0 suits prose), so a wrapped
 * line still reads as one.
 *
 * Two ways to move: with a cursor (the default), lines added with
 * w_text_pick can be selected and the selected line is highlighted;
 * as a pager (w_text_pager), nothing is selected and the keys scroll
 * the text. A panel that is only drawn (a detail pane) needs neither.
 *
 * Ownership: struct w_text is a plain value inside the screen; w_text_free
 * releases its lines and rows. Line texts are copied when added.
 */
#ifndef RELAYDECK_W_TEXT_H
#define RELAYDECK_W_TEXT_H

#include <stddef.h>

#include <curses.h>

#include "lines.h"
#include "theme.h"
#include "w_list.h"

#define W_TEXT_NONE ((size_t)-1)

struct w_text_row {
	size_t line;		/* index into lines */
	size_t off, len;	/* bytes of the line's text on this row */
	int indent;		/* blanks drawn before them */
};

struct w_text {
	struct lines lines;	/* kind: enum theme_role */
	struct w_text_row *rows;
	size_t nrows, rows_alloc;
	int width;		/* the rows are wrapped at this width */
	int hang;		/* continuation indent past the line's own (default 2) */
	struct w_list list;	/* over the rows */
};

/* w_text_init - empty panel with a cursor. */
void w_text_init(struct w_text *t);
/* w_text_pager - 1: no cursor, the keys scroll (see the header). */
void w_text_pager(struct w_text *t, int on);
/* w_text_hang - continuation rows start cols past the line's indentation. */
void w_text_hang(struct w_text *t, int cols);
void w_text_clear(struct w_text *t);
void w_text_free(struct w_text *t);

/* w_text_add - one line (more when the text holds '\n') in role r. */
void w_text_add(struct w_text *t, enum theme_role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* w_text_pick - a line the cursor can select, standing for tag. */
void w_text_pick(struct w_text *t, enum theme_role r, int tag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* w_text_add_text - each line of text after prefix, in role r. */
void w_text_add_text(struct w_text *t, enum theme_role r, const char *prefix, const char *text);
/* w_text_add_diff - a unified diff, each line in its diff role. */
void w_text_add_diff(struct w_text *t, const char *diff);
/* w_text_add_lines - a core report, each line after prefix: LK_* kinds
 * become theme roles. */
void w_text_add_lines(struct w_text *t, const char *prefix, const struct lines *l);

/* w_text_pick_all - every line may hold the cursor from now on (tag -1
 * where it had none), so the cursor scrolls through all of the text. */
void w_text_pick_all(struct w_text *t);

/* w_text_sel - the selected line (W_TEXT_NONE when none: a pager, or no
 * line can be picked); w_text_sel_line - that line itself (its tag), or NULL. */
size_t w_text_sel(const struct w_text *t);
const struct line *w_text_sel_line(const struct w_text *t);
/* w_text_select - select line i (or the next line that can be). */
void w_text_select(struct w_text *t, size_t i);

/* w_text_rows - rows the text takes at width (wraps it there). */
size_t w_text_rows(struct w_text *t, int width);

/* w_text_pane_rows - the height of a detail pane under a list in avail
 * rows: the rows the text takes at width, at least min, at most half. */
int w_text_pane_rows(struct w_text *t, int width, int min, int avail);

/* w_text_draw - the visible rows in the rectangle (wraps at width first). */
void w_text_draw(struct w_text *t, WINDOW *w, int y, int x, int h, int width);

/* w_text_list - the row list, for the console's search and mouse. */
struct w_list *w_text_list(struct w_text *t);

#endif
