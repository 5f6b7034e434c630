/*
 * ui - curses setup, role attributes and wide-character safe drawing.
 * See ui.h.
 */
#include "config.h"
#include "ui.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

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

/* next_wc - decode one character; invalid or unprintable input becomes
 * '?' so a stray byte in a comment cannot shift the columns after it. */
static size_t next_wc(const char *s, mbstate_t *st, wchar_t *wc, int *cols)
{
	size_t n = mbrtowc(wc, s, MB_CUR_MAX, st);
	int w;

	if (n == (size_t)-1 || n == (size_t)-2) {
		memset(st, 0, sizeof(*st));
		*wc = L'?';
		*cols = 1;
		return 1;
	}
	if (n == 0)
		return 0;
	if (*wc == L'\t')
		*wc = L' ';
	w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	*cols = w;
	return n;
}

/* ui_width - columns s takes when drawn. */
int ui_width(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	int cols, total = 0;
	size_t n;

	memset(&st, 0, sizeof(st));
	while (*s && (n = next_wc(s, &st, &wc, &cols)) > 0) {
		total += cols;
		s += n;
	}
	return total;
}

/* ui_fit - prefix of s no wider than width. */
size_t ui_fit(const char *s, int width)
{
	mbstate_t st;
	wchar_t wc;
	int cols, used = 0;
	size_t n, off = 0;

	memset(&st, 0, sizeof(st));
	while (s[off] && (n = next_wc(s + off, &st, &wc, &cols)) > 0) {
		if (used + cols > width)
			break;
		used += cols;
		off += n;
	}
	return off;
}

/* ui_wrap - one visual line's worth of s. */
size_t ui_wrap(const char *s, int width)
{
	size_t fit = ui_fit(s, width), n = strcspn(s, "\n"), cut;

	if (fit >= n)
		return n;
	for (cut = fit; cut > 0 && s[cut] != ' '; cut--)
		;
	if (cut > 0)
		return cut;
	if (fit > 0 || n == 0)
		return fit;
	/* Not even one character fits: take one whole character anyway so
	 * callers always make progress. */
	cut = (size_t)mblen(s, MB_CUR_MAX);
	return cut > 0 && cut <= n ? cut : 1;
}

/* draw - shared by ui_put and ui_put_nopad. */
static int draw(WINDOW *w, int y, int x, int width, enum theme_role r, const char *s, int pad)
{
	mbstate_t st;
	wchar_t wc[2] = { 0, 0 };
	cchar_t cc;
	int cols, used = 0;
	size_t n;

	if (width <= 0)
		return 0;
	memset(&st, 0, sizeof(st));
	wmove(w, y, x);
	while (s && *s && (n = next_wc(s, &st, &wc[0], &cols)) > 0) {
		if (used + cols > width)
			break;
		s += n;
		if (cols == 0) {
			/* A combining mark joins the cell before it; drawing it
			 * alone would take a column of its own in curses. */
			continue;
		}
		setcchar(&cc, wc, role_attr[r], role_pair[r], NULL);
		wadd_wch(w, &cc);
		used += cols;
	}
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
