/*
 * w_dialog - message, confirmation and text input dialogs. See w_dialog.h.
 */
#include "config.h"
#include "w_dialog.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui.h"

#define INPUT_MAX 1024
#define ERROR_ROWS_MAX 6	/* a validation message wraps into up to this many rows */

enum kind { K_MESSAGE, K_CONFIRM, K_INPUT };

struct w_dialog {
	enum kind kind;
	enum theme_role role;
	int tag;
	char *title;
	char *text;		/* message / question / prompt */
	int scroll;		/* first visual line of the text shown */
	int vlines;		/* visual lines at the last draw */
	int body_h;		/* body rows at the last draw */
	wchar_t in[INPUT_MAX + 1];
	size_t len, cur, off;	/* input length, cursor, first shown char */
	int masked;
	char *value;		/* UTF-8 copy of in, made on demand */
	size_t value_size;
	char error[512];
	int cy, cx, has_cursor;
};

/* dup - strdup that tolerates NULL. */
static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

/* alloc - common part of the constructors. */
static struct w_dialog *alloc(enum kind k, const char *title, const char *text,
			      enum theme_role role)
{
	struct w_dialog *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->kind = k;
	d->role = role;
	d->title = dup(title);
	d->text = dup(text);
	if (d->title == NULL || d->text == NULL) {
		w_dialog_free(d);
		return NULL;
	}
	return d;
}

struct w_dialog *w_dialog_message(const char *title, const char *text, enum theme_role role)
{
	return alloc(K_MESSAGE, title, text, role);
}

struct w_dialog *w_dialog_confirm(const char *title, const char *question)
{
	return alloc(K_CONFIRM, title, question, ROLE_WARNING);
}

struct w_dialog *w_dialog_input(const char *title, const char *prompt, const char *initial,
				int masked)
{
	struct w_dialog *d = alloc(K_INPUT, title, prompt, ROLE_HEADER);
	mbstate_t st;
	const char *s = initial ? initial : "";
	size_t n;

	if (d == NULL)
		return NULL;
	d->masked = masked;
	memset(&st, 0, sizeof(st));
	n = mbsrtowcs(d->in, &s, INPUT_MAX, &st);
	d->len = n == (size_t)-1 ? 0 : n;
	d->in[d->len] = L'\0';
	d->cur = d->len;
	return d;
}

/* w_dialog_free - wipes the input, which may have held a secret. */
void w_dialog_free(struct w_dialog *d)
{
	if (d == NULL)
		return;
	explicit_bzero(d->in, sizeof(d->in));
	if (d->value) {
		explicit_bzero(d->value, d->value_size);
		free(d->value);
	}
	free(d->title);
	free(d->text);
	free(d);
}

/* input_key - line editing: insert, delete, move, kill. */
static enum w_dlg_result input_key(struct w_dialog *d, int key)
{
	switch (key) {
	case '\r':
	case '\n':
	case UI_KEY(KEY_ENTER):
		return W_DLG_OK;
	case UI_ESC:
		return W_DLG_CANCEL;
	case UI_KEY(KEY_LEFT):
	case UI_CTRL('b'):
		if (d->cur > 0)
			d->cur--;
		break;
	case UI_KEY(KEY_RIGHT):
	case UI_CTRL('f'):
		if (d->cur < d->len)
			d->cur++;
		break;
	case UI_KEY(KEY_HOME):
	case UI_CTRL('a'):
		d->cur = 0;
		break;
	case UI_KEY(KEY_END):
	case UI_CTRL('e'):
		d->cur = d->len;
		break;
	case UI_KEY(KEY_BACKSPACE):
	case 127:
	case UI_CTRL('h'):
		if (d->cur > 0) {
			wmemmove(d->in + d->cur - 1, d->in + d->cur, d->len - d->cur + 1);
			d->cur--;
			d->len--;
		}
		break;
	case UI_KEY(KEY_DC):
	case UI_CTRL('d'):
		if (d->cur < d->len) {
			wmemmove(d->in + d->cur, d->in + d->cur + 1, d->len - d->cur);
			d->len--;
		}
		break;
	case UI_CTRL('u'):
		wmemmove(d->in, d->in + d->cur, d->len - d->cur + 1);
		d->len -= d->cur;
		d->cur = 0;
		break;
	case UI_CTRL('k'):
		d->len = d->cur;
		d->in[d->len] = L'\0';
		break;
	default:
		/* Printable characters only: control keys must not end up in a
		 * value that goes into main.cf. */
		if ((key & UI_FN) || key < 32 || key == 127 || key > 0x10ffff ||
		    wcwidth((wchar_t)key) < 0 || d->len >= INPUT_MAX)
			break;
		wmemmove(d->in + d->cur + 1, d->in + d->cur, d->len - d->cur + 1);
		d->in[d->cur++] = (wchar_t)key;
		d->len++;
		break;
	}
	d->error[0] = '\0';
	return W_DLG_OPEN;
}

/* scroll_key - the keys that scroll a text taller than the dialog: 1 when
 * key was one. An input dialog scrolls with PgUp/PgDn only (the other
 * keys edit its field). */
static int scroll_key(struct w_dialog *d, int key)
{
	int line = d->kind != K_INPUT;

	switch (key) {
	case UI_KEY(KEY_UP):
	case 'k':
		if (!line)
			return 0;
		if (d->scroll > 0)
			d->scroll--;
		return 1;
	case UI_KEY(KEY_DOWN):
	case 'j':
		if (!line)
			return 0;
		if (d->scroll + d->body_h < d->vlines)
			d->scroll++;
		return 1;
	case UI_KEY(KEY_PPAGE):
	case UI_CTRL('b'):
		if (!line && key == UI_CTRL('b'))
			return 0;
		d->scroll = d->scroll > d->body_h ? d->scroll - d->body_h : 0;
		return 1;
	case UI_KEY(KEY_NPAGE):
	case UI_CTRL('f'):
		if (!line && key == UI_CTRL('f'))
			return 0;
		if (d->scroll + d->body_h < d->vlines) {
			d->scroll += d->body_h;
			if (d->scroll + d->body_h > d->vlines)
				d->scroll = d->vlines - d->body_h;
		}
		return 1;
	default:
		return 0;
	}
}

/* w_dialog_key - route a key by dialog kind. */
enum w_dlg_result w_dialog_key(struct w_dialog *d, int key)
{
	switch (d->kind) {
	case K_INPUT:
		if (scroll_key(d, key))
			return W_DLG_OPEN;
		return input_key(d, key);
	case K_CONFIRM:
		/* A question about a diff taller than the screen: the whole
		 * diff can be read before the answer. */
		if (scroll_key(d, key))
			return W_DLG_OPEN;
		if (key == 'y' || key == 'Y')
			return W_DLG_OK;
		if (key == 'n' || key == 'N' || key == 'q' || key == UI_ESC)
			return W_DLG_CANCEL;
		return W_DLG_OPEN;
	case K_MESSAGE:
		if (key == ' ' && d->scroll + d->body_h >= d->vlines)
			return W_DLG_OK;
		if (key == ' ')
			key = UI_KEY(KEY_NPAGE);
		if (scroll_key(d, key))
			return W_DLG_OPEN;
		switch (key) {
		case '\r':
		case '\n':
		case UI_KEY(KEY_ENTER):
		case 'q':
		case UI_ESC:
			return W_DLG_OK;
		default:
			return W_DLG_OPEN;
		}
	}
	return W_DLG_OPEN;
}

/* wrap_text - draw visual lines first..first+rows-1 of text wrapped at
 * width (nothing when win is NULL); returns the number of visual lines. */
static int wrap_text(const char *text, int width, WINDOW *win, int y0, int x, int first,
		     int rows, enum theme_role role)
{
	const char *s = text, *eol;
	char line[1024];
	size_t n, fit;
	int v = 0;

	for (;;) {
		eol = strchr(s, '\n');
		n = eol ? (size_t)(eol - s) : strlen(s);
		do {
			/* The console's one word wrap; a word wider than the box is
			 * cut onto the next row, never lost. */
			fit = n ? ui_wrap(s, width) : 0;
			if (fit > n)
				fit = n;
			if (win && v >= first && v < first + rows) {
				snprintf(line, sizeof(line), "%.*s", (int)fit, s);
				ui_put(win, y0 + v - first, x, width, role, line);
			}
			v++;
			s += fit;
			n -= fit;
			while (n > 0 && *s == ' ') {
				s++;
				n--;
			}
		} while (n > 0);
		if (eol == NULL)
			break;
		s = eol + 1;
	}
	return v;
}

/* draw_field - the input line, scrolled so the cursor shows. */
static void draw_field(struct w_dialog *d, WINDOW *win, int y, int x, int width)
{
	char out[INPUT_MAX * 4 + 8];
	size_t i, o = 0;
	int cols = 0, cw;
	mbstate_t st;

	if (d->cur < d->off)
		d->off = d->cur;
	for (;;) {
		cols = 0;
		for (i = d->off; i < d->cur; i++)
			/* A combining mark shares its character's cell. */
			cols += d->masked ? 1 : (wcwidth(d->in[i]) >= 0 ? wcwidth(d->in[i]) : 1);
		if (cols < width || d->off >= d->cur)
			break;
		d->off++;
	}
	memset(&st, 0, sizeof(st));
	for (i = d->off; i < d->len && o + MB_CUR_MAX < sizeof(out) - 1; i++) {
		if (d->masked) {
			out[o++] = '*';
			continue;
		}
		cw = (int)wcrtomb(out + o, d->in[i], &st);
		if (cw > 0)
			o += (size_t)cw;
	}
	out[o] = '\0';
	ui_put(win, y, x, width, ROLE_SELECTED, out);
	d->cy = y;
	d->cx = x + cols;
	d->has_cursor = 1;
}

/* w_dialog_draw - box, title, body, field or footer. The text takes the
 * rows the screen leaves and scrolls when it needs more; an input
 * dialog's validation message wraps under the field. */
void w_dialog_draw(struct w_dialog *d, WINDOW *win, int h, int w)
{
	int bw, bh, by, bx, inner, body, erows = 1, extra;
	const char *footer;

	bw = w - 8 > 76 ? 76 : w - 8;
	if (bw < 20)
		bw = w;
	inner = bw - 4;
	d->has_cursor = 0;
	d->vlines = wrap_text(d->text, inner, NULL, 0, 0, 0, 0, ROLE_NORMAL);
	if (d->kind == K_INPUT) {
		if (d->error[0])
			erows = wrap_text(d->error, inner, NULL, 0, 0, 0, 0, ROLE_ERROR);
		if (erows > ERROR_ROWS_MAX)
			erows = ERROR_ROWS_MAX;
		/* borders, field, error rows, a blank row and the footer */
		extra = 5 + erows;
	} else {
		extra = 4;
	}
	body = d->vlines;
	if (body > h - 2 - extra)
		body = h - 2 - extra;
	if (body < 1)
		body = 1;
	bh = body + extra;
	d->body_h = body;
	if (d->scroll > d->vlines - body)
		d->scroll = d->vlines - body > 0 ? d->vlines - body : 0;
	by = (h - bh) / 2;
	bx = (w - bw) / 2;
	ui_box(win, by, bx, bh, bw, ROLE_HELP, NULL);
	if (d->title[0]) {
		ui_put_nopad(win, by, bx + 2, 1, ROLE_HELP, " ");
		body = ui_put_nopad(win, by, bx + 3, bw - 6, d->role, d->title);
		ui_put_nopad(win, by, bx + 3 + body, 1, ROLE_HELP, " ");
	}
	wrap_text(d->text, inner, win, by + 1, bx + 2, d->scroll, d->body_h, ROLE_HELP);
	switch (d->kind) {
	case K_INPUT:
		draw_field(d, win, by + 1 + d->body_h, bx + 2, inner);
		if (d->error[0])
			wrap_text(d->error, inner, win, by + 2 + d->body_h, bx + 2, 0, erows,
				  ROLE_ERROR);
		footer = d->vlines > d->body_h ? "PgUp/PgDn: scroll   Enter: save   Esc: cancel" :
			 "Enter: save   Esc: cancel";
		break;
	case K_CONFIRM:
		footer = d->vlines > d->body_h ? "j/k, PgUp/PgDn: scroll   y: yes   n: no" :
			 "y: yes   n: no";
		break;
	default:
		footer = d->vlines > d->body_h ? "j/k: scroll   Enter: close" : "Enter: close";
		break;
	}
	ui_put(win, by + bh - 2, bx + 2, inner, ROLE_DIM, footer);
	if (d->has_cursor)
		wmove(win, d->cy, d->cx);
}

/* w_dialog_cursor - where the terminal cursor belongs. */
int w_dialog_cursor(const struct w_dialog *d, int *y, int *x)
{
	*y = d->cy;
	*x = d->cx;
	return d->has_cursor;
}

/* w_dialog_value - convert the wide input to UTF-8 (replacing the last copy). */
const char *w_dialog_value(struct w_dialog *d)
{
	const wchar_t *src = d->in;
	mbstate_t st;
	size_t n;

	if (d->value) {
		explicit_bzero(d->value, d->value_size);
		free(d->value);
		d->value = NULL;
	}
	d->value_size = d->len * MB_CUR_MAX + 1;
	if ((d->value = malloc(d->value_size)) == NULL)
		return "";
	memset(&st, 0, sizeof(st));
	n = wcsrtombs(d->value, &src, d->value_size, &st);
	if (n == (size_t)-1)
		d->value[0] = '\0';
	return d->value;
}

void w_dialog_set_error(struct w_dialog *d, const char *msg)
{
	snprintf(d->error, sizeof(d->error), "%s", msg ? msg : "");
}

int w_dialog_tag(const struct w_dialog *d)
{
	return d->tag;
}

void w_dialog_set_tag(struct w_dialog *d, int tag)
{
	d->tag = tag;
}
