/*
 * test_w_list - the list widget's movement, search, mouse and scrolling
 * (group headers never hold the selection), and the key map: screen
 * tables override global keys, and help lists every bound action.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "keymap.h"
#include "ui.h"
#include "w_list.h"

/* bound - 1 when table t binds some key to a. */
static int bound(const struct keybind *t, enum act a)
{
	for (; t->act != ACT_NONE; t++)
		if (t->act == a)
			return 1;
	return 0;
}

/* rows: headers at 0 and 4 */
static const char *const rows[] = {
	"Relay", "relayhost", "smtp_fallback_relay", "sender_dependent_relayhost_maps",
	"TLS", "smtp_tls_security_level", "smtp_tls_CAfile",
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *text(void *ctx, size_t i)
{
	(void)ctx;
	return rows[i];
}

static int selectable(void *ctx, size_t i)
{
	(void)ctx;
	return i != 0 && i != 4;
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i, int sel)
{
	(void)ctx, (void)w, (void)y, (void)x, (void)width, (void)i, (void)sel;
}

static void setup_list(struct w_list *l)
{
	w_list_init(l, NULL, text, selectable, draw_row);
	w_list_set_count(l, NROWS);
	l->height = 3;
}

static void test_empty(void **state)
{
	struct w_list l;

	(void)state;
	w_list_init(&l, NULL, text, selectable, draw_row);
	assert_int_equal(l.count, 0);
	assert_int_equal(w_list_act(&l, ACT_DOWN), 1);
	assert_int_equal(w_list_act(&l, ACT_BOTTOM), 1);
	assert_int_equal(l.sel, 0);
	assert_int_equal(w_list_search(&l, "relay"), -1);
	assert_int_equal(w_list_click(&l, 0), -1);
	w_list_scroll(&l, 5);
	assert_int_equal(l.top, 0);
}

static void test_movement_skips_headers(void **state)
{
	struct w_list l;

	(void)state;
	setup_list(&l);
	assert_int_equal(l.sel, 1);	/* row 0 is a header */
	w_list_act(&l, ACT_UP);
	assert_int_equal(l.sel, 1);
	w_list_act(&l, ACT_DOWN);
	w_list_act(&l, ACT_DOWN);
	assert_int_equal(l.sel, 3);
	w_list_act(&l, ACT_DOWN);
	assert_int_equal(l.sel, 5);	/* over the TLS header */
	w_list_act(&l, ACT_BOTTOM);
	assert_int_equal(l.sel, 6);
	w_list_act(&l, ACT_DOWN);
	assert_int_equal(l.sel, 6);
	w_list_act(&l, ACT_TOP);
	assert_int_equal(l.sel, 1);
	w_list_act(&l, ACT_PAGE_DOWN);	/* height 3: two steps */
	assert_int_equal(l.sel, 3);
	w_list_act(&l, ACT_PAGE_UP);
	assert_int_equal(l.sel, 1);
	assert_int_equal(w_list_act(&l, ACT_ENTER), 0);
	/* Fewer rows: the selection follows. */
	w_list_act(&l, ACT_BOTTOM);
	w_list_set_count(&l, 3);
	assert_int_equal(l.sel, 2);
}

static void test_search(void **state)
{
	struct w_list l;

	(void)state;
	setup_list(&l);
	/* From relayhost, a plain search finds the next row containing it. */
	assert_int_equal(w_list_search(&l, "RELAYHOST"), 0);
	assert_int_equal(l.sel, 3);
	/* Repeat (n) wraps around, skipping headers. */
	assert_int_equal(w_list_search(&l, NULL), 0);
	assert_int_equal(l.sel, 1);
	/* ^ anchors at the start. */
	l.sel = 5;
	assert_int_equal(w_list_search(&l, "^relayhost"), 0);
	assert_int_equal(l.sel, 1);
	assert_int_equal(w_list_search(&l, NULL), 0);
	assert_int_equal(l.sel, 1);
	/* Headers are never matched, and misses keep the selection. */
	assert_int_equal(w_list_search(&l, "TLS"), 0);
	assert_int_equal(l.sel, 5);
	assert_int_equal(w_list_search(&l, "nosuch"), -1);
	assert_int_equal(l.sel, 5);
	assert_string_equal(l.pattern, "nosuch");
}

static void test_mouse(void **state)
{
	struct w_list l;

	(void)state;
	setup_list(&l);
	assert_int_equal(w_list_click(&l, 2), 0);
	assert_int_equal(l.sel, 2);
	assert_int_equal(w_list_click(&l, 0), -1);	/* header */
	assert_int_equal(l.sel, 2);
	assert_int_equal(w_list_click(&l, 3), -1);	/* below the list */
	assert_int_equal(w_list_click(&l, -1), -1);
	w_list_scroll(&l, 3);
	assert_int_equal(l.top, 3);
	assert_true(l.sel >= 3 && l.sel < 6 && l.sel != 4);
	w_list_scroll(&l, 100);
	assert_int_equal(l.top, NROWS - 3);
	w_list_scroll(&l, -100);
	assert_int_equal(l.top, 0);
	assert_true(l.sel < 3 && l.sel != 0);
}

static void test_keymap(void **state)
{
	struct buf b = BUF_INIT;
	char name[16];
	int a;

	(void)state;
	assert_int_equal(keymap_lookup(keymap_relay, 'j'), ACT_DOWN);
	assert_int_equal(keymap_lookup(keymap_relay, UI_KEY(KEY_NPAGE)), ACT_PAGE_DOWN);
	assert_int_equal(keymap_lookup(keymap_relay, UI_CTRL('f')), ACT_PAGE_DOWN);
	assert_int_equal(keymap_lookup(keymap_relay, 'u'), ACT_UNSET);
	assert_int_equal(keymap_lookup(keymap_relay, '\r'), ACT_ENTER);
	assert_int_equal(keymap_lookup(keymap_relay, UI_ESC), ACT_BACK);
	assert_int_equal(keymap_lookup(keymap_changes, 'a'), ACT_APPLY);
	assert_int_equal(keymap_lookup(keymap_relay, 'a'), ACT_NONE);
	/* A wide character never collides with a curses key code. */
	assert_int_equal(keymap_lookup(keymap_relay, KEY_UP), ACT_NONE);
	assert_string_equal(keymap_key_name(UI_CTRL('b'), name, sizeof(name)), "C-b");
	assert_string_equal(keymap_key_name(UI_KEY(KEY_PPAGE), name, sizeof(name)), "PgUp");
	/* Help names every action bound on the screen and globally. */
	assert_int_equal(keymap_help(keymap_relay, "Relay settings", &b), 0);
	for (a = ACT_UP; a < ACT_COUNT; a++) {
		if (!bound(keymap_relay, (enum act)a) && !bound(keymap_global, (enum act)a))
			continue;	/* other screens only */
		if (strstr(b.data, keymap_act_help((enum act)a)) == NULL)
			fail_msg("help lacks %s", keymap_act_name((enum act)a));
	}
	assert_non_null(strstr(b.data, "c, d "));
	/* The screen switch is global and listed in every help. */
	assert_non_null(strstr(b.data, "Go to Credentials"));
	buf_reset(&b);
	assert_int_equal(keymap_hints(keymap_changes, &b), 0);
	assert_int_equal(strncmp(b.data, "?:help q:back 1:relay 2:creds 3:maps", 36), 0);
	assert_non_null(strstr(b.data, "a:apply"));
	/* Credentials and Maps: d removes there, Delete too; 2 switches everywhere. */
	assert_int_equal(keymap_lookup(keymap_creds, 'd'), ACT_REMOVE);
	assert_int_equal(keymap_lookup(keymap_creds, UI_KEY(KEY_DC)), ACT_REMOVE);
	assert_int_equal(keymap_lookup(keymap_map_table, 'e'), ACT_ENTER);
	assert_int_equal(keymap_lookup(keymap_maps, 't'), ACT_TRY);
	assert_int_equal(keymap_lookup(keymap_maps, '2'), ACT_SCREEN_CREDS);
	buf_reset(&b);
	assert_int_equal(keymap_help(keymap_creds, "Credentials", &b), 0);
	assert_non_null(strstr(b.data, "d, Delete "));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_movement_skips_headers),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_keymap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
