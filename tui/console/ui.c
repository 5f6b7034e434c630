/*
 * ui - curses setup, role attributes and wide-character safe drawing.
 * See ui.h.
 */
#include "config.h"
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "termsafe.h"

static int ui_started;
static int ui_color;
static attr_t role_attr[ROLE_COUNT];
static short role_pair[ROLE_COUNT];

/* ui_start - terminal in cbreak mode, keypad and mouse on, no echo. */
int ui_start(struct err *e)
{
	if (initscr() == NULL)
		return err_set(e, ERR_SYS, "cannot initialise the terminal (TERM=%s)",
			       getenv("TERM") ? getenv("TERM") : "");
	ui_started = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Esc must act at once, not after the default one-second wait. */
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	/* Report presses at once instead of waiting to resolve clicks. */
	mouseinterval(0);
	return 0;
}

/* ui_stop - give the terminal back. */
void ui_stop(void)
{
	if (ui_started) {
		endwin();
		ui_started = 0;
	}
}

/* ui_has_color - colours in use after ui_theme_apply. */
int ui_has_color(void)
{
	return ui_color;
}

/* theme_attrs - THEME_A_* bits to curses attributes. */
static attr_t theme_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_A_BOLD)
		r |= A_BOLD;
	if (a & THEME_A_DIM)
		r |= A_DIM;
	if (a & THEME_A_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_A_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_A_STANDOUT)
		r |= A_STANDOUT;
	if (a & THEME_A_ITALIC)
		r |= A_ITALIC;
	if (a & THEME_A_BLINK)
		r |= A_BLINK;
	return r;
}

/* fit_color - a theme colour the terminal can show; bright colours fall
 * back to their base colour plus bold on 8-colour terminals. */
static short fit_color(short c, attr_t *extra)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return c;
	if (c < 16) {
		if (extra)
			*extra |= A_BOLD;
		return (short)(c - 8);
	}
	return -1;
}

/* ui_theme_apply - one colour pair per role. */
void ui_theme_apply(const struct theme *th, int no_color)
{
	attr_t extra;
	short fg, bg;
	int r;

	ui_color = !no_color && has_colors();
	if (ui_color) {
		start_color();
		use_default_colors();
	}
	for (r = 0; r < ROLE_COUNT; r++) {
		role_attr[r] = theme_attrs(th->role[r].attrs);
		role_pair[r] = 0;
		if (!ui_color)
			continue;
		extra = 0;
		fg = fit_color(th->role[r].fg, &extra);
		bg = fit_color(th->role[r].bg, NULL);
		if (init_pair((short)(r + 1), fg, bg) == OK) {
			role_pair[r] = (short)(r + 1);
			role_attr[r] |= extra;
		}
	}
}

/* ui_attr - attributes without the pair (wide-char calls take the pair apart). */
attr_t ui_attr(enum theme_role r)
{
	return role_attr[r] | COLOR_PAIR(role_pair[r]);
}

/* ui_pair - the colour pair of a role (0 without colours). */
short ui_pair(enum theme_role r)
{
	return role_pair[r];
}

/* A drawable unit of text: one character, or the visible escape of a
 * byte or character the terminal must not get (core/termsafe's rule,
 * the same as the command line's). */
struct unit {
	wchar_t wc[TERMSAFE_UNIT_MAX * 4];
	int n;
	int cols;
	int esc;	/* an escape (or a tab's blank), not the character itself */
};

/* unit_escape - ASCII text drawn as it is. */
static void unit_escape(struct unit *u, const char *text)
{
	for (; *text && u->n < (int)(sizeof(u->wc) / sizeof(u->wc[0])); text++)
		u->wc[u->n++] = (wchar_t)(unsigned char)*text;
	u->cols = u->n;
	u->esc = 1;
}

/* next_unit - the unit at s and the bytes it covers (0 at the end). A tab
 * is a blank; a character the locale cannot show becomes \xHH escapes. */
static size_t next_unit(const char *s, struct unit *u)
{
	char text[TERMSAFE_UNIT_MAX];
	size_t len = strnlen(s, 4), used;
	mbstate_t st;
	wchar_t wc;
	int esc, w;

	u->n = 0;
	u->cols = 0;
	u->esc = 0;
	if (len == 0)
		return 0;
	used = termsafe_next(s, len, TERMSAFE_KEEP_TAB, text, &esc);
	if (esc) {
		unit_escape(u, text);
		return used;
	}
	if (text[0] == '\t') {
		unit_escape(u, " ");
		return used;
	}
	memset(&st, 0, sizeof(st));
	if (mbrtowc(&wc, text, used, &st) != used || (w = wcwidth(wc)) < 0) {
		char hex[8];

		for (size_t i = 0; i < used; i++) {
			snprintf(hex, sizeof(hex), "\\x%02x", (unsigned char)text[i]);
			unit_escape(u, hex);
		}
		return used;
	}
	u->wc[0] = wc;
	u->n = 1;
	u->cols = w;
	return used;
}

/* ui_width - columns s takes when drawn. */
int ui_width(const char *s)
{
	struct unit u;
	int total = 0;
	size_t n;

	while ((n = next_unit(s, &u)) > 0) {
		total += u.cols;
		s += n;
	}
	return total;
}

/* ui_fit - prefix of s no wider than width. */
size_t ui_fit(const char *s, int width)
{
	struct unit u;
	int used = 0;
	size_t n, off = 0;

	while ((n = next_unit(s + off, &u)) > 0) {
		if (used + u.cols > width)
			break;
		used += u.cols;
		off += n;
	}
	return off;
}

/* ui_wrap - one visual line's worth of s; the blanks that indent a line
 * are no place to break it. */
size_t ui_wrap(const char *s, int width)
{
	size_t fit = ui_fit(s, width), n = strcspn(s, "\n"), lead = strspn(s, " "), cut;

	if (fit >= n)
		return n;
	for (cut = fit; cut > lead && s[cut] != ' '; cut--)
		;
	if (cut > lead)
		return cut;
	if (fit > 0 || n == 0)
		return fit;
	/* Not even one character fits: take one whole character anyway so
	 * callers always make progress. */
	cut = (size_t)mblen(s, MB_CUR_MAX);
	return cut > 0 && cut <= n ? cut : 1;
}

/* A cell being built: a character and the combining marks that follow it
 * (curses keeps up to CCHARW_MAX wide characters in one cell). */
struct cell {
	wchar_t wc[CCHARW_MAX + 1];
	int n;
	int open;	/* a character that combining marks may still join */
};

/* cell_flush - draw the cell being built, if any. */
static void cell_flush(WINDOW *w, struct cell *c, enum theme_role r)
{
	cchar_t cc;

	if (c->n == 0)
		return;
	c->wc[c->n] = L'\0';
	setcchar(&cc, c->wc, role_attr[r], role_pair[r], NULL);
	wadd_wch(w, &cc);
	c->n = 0;
	c->open = 0;
}

/* draw - shared by ui_put and ui_put_nopad. */
static int draw(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s, int pad)
{
	wchar_t wc[2] = { 0, 0 };
	struct cell cell = { { 0 }, 0, 0 };
	struct unit u;
	cchar_t cc;
	int cols, used = 0;
	size_t n;

	if (width <= 0)
		return 0;
	wmove(w, y, x);
	while (s && (n = next_unit(s, &u)) > 0) {
		if (used + u.cols > width)
			break;
		s += n;
		if (u.cols == 0) {
			/* A combining mark joins the character before it, in
			 * its cell (alone it would take a column in curses);
			 * with none before it, or a full cell, it is dropped. */
			if (cell.open && cell.n < CCHARW_MAX)
				cell.wc[cell.n++] = u.wc[0];
			continue;
		}
		cell_flush(w, &cell, r);
		for (int i = 0; i < u.n; i++) {
			cell_flush(w, &cell, r);
			cell.wc[cell.n++] = u.wc[i];
		}
		cell.open = !u.esc;
		used += u.cols;
	}
	cell_flush(w, &cell, r);
	if (pad && used < width) {
		wc[0] = L' ';
		setcchar(&cc, wc, role_attr[r], role_pair[r], NULL);
		for (cols = used; cols < width; cols++)
			wadd_wch(w, &cc);
	}
	return used;
}

/* ui_put - clipped and padded text. */
int ui_put(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s)
{
	return draw(w, y, x, width, r, s, 1);
}

/* ui_put_nopad - clipped text only. */
int ui_put_nopad(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s)
{
	return draw(w, y, x, width, r, s, 0);
}

/* ui_put_cut - clipped with a visible ellipsis, padded. */
int ui_put_cut(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s)
{
	size_t n;
	char *head;
	int used;

	if (s == NULL || width <= 0 || ui_width(s) <= width)
		return draw(w, y, x, width, r, s, 1);
	n = ui_fit(s, width - 1);
	if ((head = strndup(s, n)) == NULL)
		return draw(w, y, x, width, r, s, 1);
	used = draw(w, y, x, width - 1, r, head, 0);
	free(head);
	used += draw(w, y, x + used, 1, r, "\xe2\x80\xa6", 0);
	if (used < width)
		draw(w, y, x + used, width - used, r, "", 1);
	return used;
}

/* row_next - where the visual line after s[0..n) starts: past the '\n'
 * that ended it (the next line keeps its indentation and an empty line
 * stays a row), or past the blanks where it was wrapped. */
static const char *row_next(const char *s, size_t n)
{
	const char *p = s + n;

	if (*p == '\n')
		return p + 1;
	while (*p == ' ')
		p++;
	return *p == '\n' ? p + 1 : p;
}

/* ui_wrap_rows - count the rows of s wrapped at width. */
int ui_wrap_rows(const char *s, int width)
{
	int rows = 0;

	if (s == NULL)
		s = "";
	do {
		s = row_next(s, ui_wrap(s, width));
		rows++;
	} while (*s);
	return rows;
}

/* ui_put_wrapped - wrapped prose in a few rows; the last row says "…"
 * when text is left over, however it continues. */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows, enum theme_role r,
		   const char *s)
{
	int row = 0;
	const char *next;
	char *piece;
	size_t n;

	if (s == NULL)
		s = "";
	if (rows < 1)
		rows = 1;
	do {
		n = ui_wrap(s, width);
		next = row_next(s, n);
		/* More to come on the last row: the row's text, then "…". */
		if (row == rows - 1 && *next)
			piece = malloc(n + sizeof("\xe2\x80\xa6"));
		else
			piece = malloc(n + 1);
		if (piece == NULL) {
			ui_fill(w, y + row, x, width, r);
			return row + 1;
		}
		memcpy(piece, s, n);
		piece[n] = '\0';
		if (row == rows - 1 && *next) {
			strcat(piece, "\xe2\x80\xa6");
			ui_put_cut(w, y + row, x, width, r, piece);
			free(piece);
			return row + 1;
		}
		ui_put(w, y + row, x, width, r, piece);
		free(piece);
		row++;
		s = next;
	} while (*s);
	return row;
}

/* ui_fill - a run of blanks. */
void ui_fill(WINDOW *w, int y, int x, int width, enum theme_role r)
{
	draw(w, y, x, width, r, "", 1);
}

/* ui_box - bordered, cleared rectangle. */
void ui_box(WINDOW *w, int y, int x, int h, int wd, enum theme_role r, const char *title)
{
	int i;

	for (i = 0; i < h; i++)
		ui_fill(w, y + i, x, wd, r);
	wattr_set(w, role_attr[r], role_pair[r], NULL);
	mvwhline(w, y, x + 1, ACS_HLINE, wd - 2);
	mvwhline(w, y + h - 1, x + 1, ACS_HLINE, wd - 2);
	mvwvline(w, y + 1, x, ACS_VLINE, h - 2);
	mvwvline(w, y + 1, x + wd - 1, ACS_VLINE, h - 2);
	mvwaddch(w, y, x, ACS_ULCORNER);
	mvwaddch(w, y, x + wd - 1, ACS_URCORNER);
	mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
	mvwaddch(w, y + h - 1, x + wd - 1, ACS_LRCORNER);
	wattr_set(w, A_NORMAL, 0, NULL);
	if (title && *title) {
		ui_put_nopad(w, y, x + 2, 1, r, " ");
		i = ui_put_nopad(w, y, x + 3, wd - 6, r, title);
		ui_put_nopad(w, y, x + 3 + i, 1, r, " ");
	}
}
