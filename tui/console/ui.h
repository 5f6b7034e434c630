/*
 * ui - the thin layer between the console and curses: start/stop the
 * terminal, map theme roles to curses attributes, and draw UTF-8 text
 * column-exactly with the wide-character functions (a combining mark in
 * the cell of the character it belongs to). Text is drawn by
 * core/termsafe's rule, as the command line prints it: a control, C1 or
 * malformed byte shows as its visible escape ("\x1b", "\u009b"), never
 * raw, and widths count the escape's columns.
 *
 * API: ui_start/ui_stop, ui_theme_apply, ui_attr, ui_put, ui_put_cut,
 * ui_fill, ui_width, ui_fit, ui_wrap, ui_box. Nothing here allocates memory the caller frees.
 * Errors: ui_start returns -1 with a message when the terminal cannot
 * be initialised.
 */
#ifndef RELAYDECK_UI_H
#define RELAYDECK_UI_H

#include <stddef.h>

#include <curses.h>

#include "err.h"
#include "theme.h"

/* Keys travel as ints: Unicode code points as they are, curses KEY_*
 * codes with UI_FN set, so a wide character can never collide with one. */
#define UI_FN 0x40000000
#define UI_KEY(k) (UI_FN | (k))
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27

/* ui_start - initscr and friends; mouse and keypad on. */
int ui_start(struct err *e);
/* ui_stop - endwin (safe to call twice). */
void ui_stop(void);

/* ui_has_color - 1 when colours are in use. */
int ui_has_color(void);

/* ui_theme_apply - build colour pairs for th; no_color forces attributes only. */
void ui_theme_apply(const struct theme *th, int no_color);

/* ui_attr - curses attributes (colour pair included) for a role. */
attr_t ui_attr(enum theme_role r);
short ui_pair(enum theme_role r);

/* ui_width - display columns of UTF-8 text s as drawn ("\x1b" counts 4). */
int ui_width(const char *s);

/* ui_fit - bytes of s that fit in width columns (whole characters). */
size_t ui_fit(const char *s, int width);

/* ui_wrap - bytes of the next visual line of s at width (up to its '\n'),
 * breaking at the last blank that fits past the line's indentation (a
 * word wider than width is cut); always at least one character. */
size_t ui_wrap(const char *s, int width);

/* ui_put - draw UTF-8 s at y,x in role r, clipped to width columns and
 * padded with blanks to exactly width; returns the columns of text drawn. */
int ui_put(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s);

/* ui_put_nopad - like ui_put but without padding. */
int ui_put_nopad(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s);

/* ui_put_cut - like ui_put, but text wider than width ends in a visible
 * "…" in the last column instead of being clipped silently. */
int ui_put_cut(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s);

/* ui_put_wrapped - s word-wrapped (ui_wrap) into at most rows rows from
 * y,x, each padded to width; a '\n' starts a row (an empty line is an
 * empty row, indentation stays); the last row ends in "…" when s does
 * not fit. Returns the rows drawn (at least 1). */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows, enum theme_role r,
		   const char *s);

/* ui_wrap_rows - rows ui_put_wrapped needs for all of s at width. */
int ui_wrap_rows(const char *s, int width);

/* ui_fill - blank width columns at y,x in role r. */
void ui_fill(WINDOW *w, int y, int x, int width, enum theme_role r);

/* ui_box - frame (with a title) around the rectangle y,x,h,w, interior cleared. */
void ui_box(WINDOW *w, int y, int x, int h, int wd, enum theme_role r, const char *title);

#endif
