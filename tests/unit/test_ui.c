/*
 * test_ui - the console's drawing of text, read back cell by cell from a
 * curses window (a terminal on /dev/null): a combining mark stays in the
 * cell of the character it belongs to; wrapped prose keeps its empty
 * lines and the indentation after a newline, and its last row ends in
 * "…" (never a drawn "\x0a") when text is left over; ui_wrap_rows counts
 * the rows ui_put_wrapped draws.
 */
#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui.h"

static SCREEN *scr;
static FILE *devnull;
static WINDOW *win;

#define W 20
#define H 6

/* cell - the wide characters of the cell at y,x (its base, then marks). */
static int cell(int y, int x, wchar_t *wch)
{
	cchar_t cc;
	attr_t a;
	short pair;

	if (mvwin_wch(win, y, x, &cc) == ERR)
		return -1;
	return getcchar(&cc, wch, &a, &pair, NULL);
}

/* row - the text of row y as UTF-8, trailing blanks removed. */
static void row(int y, char *out, size_t len)
{
	wchar_t wch[CCHARW_MAX + 1];
	size_t o = 0;
	mbstate_t st;

	memset(&st, 0, sizeof(st));
	for (int x = 0; x < W; x++) {
		if (cell(y, x, wch) == ERR)
			break;
		for (int i = 0; wch[i] && i < CCHARW_MAX && o + MB_CUR_MAX < len; i++) {
			size_t n = wcrtomb(out + o, wch[i], &st);

			if (n != (size_t)-1)
				o += n;
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static int setup(void **state)
{
	(void)state;
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return -1;
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL || (scr = newterm("xterm", devnull, stdin)) == NULL)
		return -1;
	win = newwin(H, W, 0, 0);
	return win ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	delwin(win);
	endwin();
	delscreen(scr);
	fclose(devnull);
	return 0;
}

static void clear_win(void)
{
	werase(win);
}

static void test_combining_mark_joins_its_character(void **state)
{
	wchar_t wch[CCHARW_MAX + 1];
	char r[128];

	(void)state;
	clear_win();
	/* "café!" with e + U+0301: five columns, the accent on the e. */
	assert_int_equal(ui_put(win, 0, 0, W, ROLE_NORMAL, "cafe\xcc\x81!"), 5);
	assert_int_equal(cell(0, 3, wch), OK);
	assert_true(wch[0] == L'e');
	assert_true(wch[1] == 0x301);
	assert_int_equal(cell(0, 4, wch), OK);
	assert_true(wch[0] == L'!');
	row(0, r, sizeof(r));
	assert_string_equal(r, "cafe\xcc\x81!");
	/* ui_put_cut keeps the mark with the last character that fits. */
	clear_win();
	ui_put_cut(win, 1, 0, 5, ROLE_NORMAL, "cafe\xcc\x81 au lait");
	row(1, r, sizeof(r));
	assert_string_equal(r, "cafe\xcc\x81\xe2\x80\xa6");
	/* A mark with nothing before it is dropped, not drawn alone. */
	clear_win();
	assert_int_equal(ui_put(win, 2, 0, W, ROLE_NORMAL, "\xcc\x81x"), 1);
	row(2, r, sizeof(r));
	assert_string_equal(r, "x");
}

static void test_wrapped_keeps_lines(void **state)
{
	const char *text = "first line\n\n  indented after an empty line";
	char r[128];

	(void)state;
	clear_win();
	assert_int_equal(ui_wrap_rows(text, W), 4);
	assert_int_equal(ui_put_wrapped(win, 0, 0, W, H, ROLE_NORMAL, text), 4);
	row(0, r, sizeof(r));
	assert_string_equal(r, "first line");
	row(1, r, sizeof(r));
	assert_string_equal(r, "");
	row(2, r, sizeof(r));
	assert_string_equal(r, "  indented after an");
	row(3, r, sizeof(r));
	assert_string_equal(r, "empty line");
}

static void test_wrapped_last_row_says_more(void **state)
{
	char r[128];

	(void)state;
	clear_win();
	/* Three short lines in two rows: "b…", not "b\x0ac". */
	assert_int_equal(ui_put_wrapped(win, 0, 0, W, 2, ROLE_NORMAL, "a\nb\nc"), 2);
	row(0, r, sizeof(r));
	assert_string_equal(r, "a");
	row(1, r, sizeof(r));
	assert_string_equal(r, "b\xe2\x80\xa6");
	/* A full last row gives its last column to the "…". */
	clear_win();
	assert_int_equal(ui_put_wrapped(win, 0, 0, 10, 1, ROLE_NORMAL,
					"abcdefghij klmnop"), 1);
	row(0, r, sizeof(r));
	assert_string_equal(r, "abcdefghi\xe2\x80\xa6");
	/* Everything fits: no "…", a trailing newline adds no row. */
	clear_win();
	assert_int_equal(ui_wrap_rows("a\nb\n", W), 2);
	assert_int_equal(ui_put_wrapped(win, 0, 0, W, 2, ROLE_NORMAL, "a\nb\n"), 2);
	row(1, r, sizeof(r));
	assert_string_equal(r, "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combining_mark_joins_its_character),
		cmocka_unit_test(test_wrapped_keeps_lines),
		cmocka_unit_test(test_wrapped_last_row_says_more),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
