/*
 * console - event loop, screen stack, status bar, help overlay, search
 * and mouse routing. See console.h for the entry point and screens.h for
 * what screens get.
 *
 * One poll() waits on the terminal and on a self-pipe that background
 * jobs write to; input is handled in a batch, then the screen is drawn
 * once and doupdate() sends only what changed.
 *
 * The console never sits blank: the first screen is drawn from main.cf
 * alone, and the host's facts (`postconf -d`, `postconf -m`) and Postfix's
 * own expansion of main.cf (`postconf -n -x`) load in a worker thread
 * while the status bar says "loading…". Postfix's tools sleep about a
 * second before they exit on a fatal error, so a broken main.cf would
 * otherwise hold the terminal blank for seconds. The worker only runs
 * commands through the target (the local target is reentrant); it hands
 * its results over under a mutex and wakes the loop.
 */
#include "config.h"
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "buf.h"
#include "changeset.h"
#include "maincf.h"
#include "params.h"
#include "pending.h"
#include "postfix.h"
#include "precheck.h"
#include "screens.h"
#include "target.h"
#include "theme.h"
#include "ui.h"

#define STACK_MAX 8
#define MIN_W 80
#define MIN_H 24
#define MSG_ROWS_MAX 3	/* a long message wraps into up to this many rows */

/* The background load of the host's facts and of main.cf's expansion. */
struct loader {
	pthread_t th;
	int running;		/* a load was started and not collected yet */
	int threaded;		/* it runs in th (else it already ran inline) */
	pthread_mutex_t mu;
	int done;		/* under mu: the thread has finished */
	int want_host;		/* also load the host's facts */
	struct target *t;
	struct console *c;
	struct params_host *host;
	struct err host_err;
	struct buf expanded;
	int have_expanded;
};

struct console {
	struct target *t;
	struct maincf *mcf;
	struct params_host *host;
	struct pending *pending;
	struct screen stack[STACK_MAX];
	int depth;
	struct w_dialog *dlg;
	struct screen *dlg_screen;
	console_dialog_fn dlg_done;
	unsigned dirty;
	int quit;
	int wake[2];
	char msg[512];
	enum theme_role msg_role;
	char theme_err[640];
	const struct screen_ops *switch_ops;	/* switch waiting for a "leave?" answer */
	struct loader load;
	int load_again;		/* main.cf changed while loading: expand again */
	struct buf expanded;	/* `postconf -n -x`, once loaded */
	int have_expanded;
	struct precheck *pre;	/* is main.cf rejected already? (background) */
	long long timer_at;	/* console_wake_after: monotonic ms, 0 when none */
	const struct console_fleet *fleet;	/* a fleet console, or NULL */
	char *host_name;	/* fleet: the host c->t is open on (owned, as c->t is) */
};

/* Search and quit dialogs belong to the console, not to a screen. */
enum { TAG_SEARCH = 1000, TAG_QUIT, TAG_HELP, TAG_SWITCH };

struct target *console_target(struct console *c)
{
	return c->t;
}

const struct console_fleet *console_fleet(struct console *c)
{
	return c->fleet;
}

const struct maincf *console_maincf(struct console *c)
{
	return c->mcf;
}

const struct params_host *console_host(struct console *c)
{
	return c->host;
}

struct pending *console_pending(struct console *c)
{
	return c->pending;
}

const char *console_expanded(struct console *c)
{
	return c->have_expanded ? c->expanded.data : NULL;
}

int console_loading(struct console *c)
{
	return c->load.running;
}

void console_dirty(struct console *c, unsigned flags)
{
	c->dirty |= flags;
}

/* console_wake - one byte into the self-pipe; a full pipe already wakes us. */
void console_wake(struct console *c)
{
	char b = 0;
	ssize_t n = write(c->wake[1], &b, 1);

	(void)n;
}

/* now_ms - a monotonic clock in milliseconds. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void console_wake_after(struct console *c, long ms)
{
	long long at = now_ms() + (ms > 0 ? ms : 0);

	if (c->timer_at == 0 || at < c->timer_at)
		c->timer_at = at;
}

/* console_message - set the message line. */
void console_message(struct console *c, enum theme_role r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->msg_role = r;
	c->dirty |= DIRTY_STATUS;
}

/* console_error - "file:line: msg" in the error role. */
void console_error(struct console *c, const struct err *e)
{
	char line[1024];

	console_message(c, ROLE_ERROR, "%s", err_format(e, line, sizeof(line)));
}

/* load_maincf - parse <config_dir>/main.cf into a new model; a missing
 * file is an empty main.cf, as for Postfix. */
static struct maincf *load_maincf(struct target *t, struct err *e)
{
	struct target_stat st;
	struct maincf *m = NULL;
	char *path = target_config_path(t, "main.cf");

	if (path == NULL) {
		err_set(e, ERR_NOMEM, "main.cf: out of memory");
		return NULL;
	}
	if (target_stat(t, path, &st, e) == 0 && !st.exists)
		m = maincf_parse(path, "", 0, e);
	else
		m = postfix_read_maincf(t, e);
	free(path);
	return m;
}

/* refresh_all - every screen on the stack rebuilds its rows. */
static void refresh_all(struct console *c)
{
	int i;

	for (i = 0; i < c->depth; i++)
		if (c->stack[i].ops->on_reload)
			c->stack[i].ops->on_reload(&c->stack[i]);
	c->dirty |= DIRTY_SCREEN | DIRTY_STATUS;
}

/* loader_main - the worker: run the slow commands, then wake the loop. */
static void *loader_main(void *arg)
{
	struct loader *l = arg;
	struct err e;

	err_clear(&l->host_err);
	if (l->want_host) {
		l->host = params_host_load(l->t, &l->host_err);
		/* A main.cf Postfix rejects fails `postconf -m`; the defaults
		 * (`postconf -d`) are still worth showing. */
		if (l->host == NULL)
			l->host = params_host_load_defaults(l->t, &e);
	}
	err_clear(&e);
	l->have_expanded = postfix_conf_nx(l->t, &l->expanded, &e) == 0;
	pthread_mutex_lock(&l->mu);
	l->done = 1;
	console_wake(l->c);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* load_start - start the worker (host facts too when want_host). */
static void load_start(struct console *c, int want_host)
{
	struct loader *l = &c->load;

	if (l->running) {
		c->load_again = 1;
		return;
	}
	l->done = 0;
	l->want_host = want_host;
	l->t = c->t;
	l->c = c;
	l->host = NULL;
	l->have_expanded = 0;
	buf_reset(&l->expanded);
	l->threaded = pthread_create(&l->th, NULL, loader_main, l) == 0;
	if (!l->threaded)
		loader_main(l);	/* no thread: load here, late but complete */
	l->running = 1;
	c->dirty |= DIRTY_STATUS;
}

/* load_join - wait for the worker and take its results. */
static void load_join(struct console *c)
{
	struct loader *l = &c->load;

	if (l->threaded)
		pthread_join(l->th, NULL);
	l->running = l->threaded = 0;
	if (l->want_host) {
		params_host_free(c->host);
		c->host = l->host;
		l->host = NULL;
		if (l->host_err.code != ERR_OK)
			console_error(c, &l->host_err);
	}
	buf_free(&c->expanded);
	c->expanded = l->expanded;
	c->have_expanded = l->have_expanded;
	memset(&l->expanded, 0, sizeof(l->expanded));
	c->dirty |= DIRTY_SCREEN | DIRTY_STATUS;
}

/* load_collect - after a wake: take a finished load (and start the next). */
static void load_collect(struct console *c)
{
	struct loader *l = &c->load;
	int done;

	if (!l->running)
		return;
	pthread_mutex_lock(&l->mu);
	done = l->done;
	pthread_mutex_unlock(&l->mu);
	if (!done)
		return;
	load_join(c);
	if (c->load_again) {
		c->load_again = 0;
		load_start(c, 0);
	}
}

/* console_reload - new main.cf model; the old one stays on failure. */
int console_reload(struct console *c)
{
	struct err e;
	struct maincf *m;

	err_clear(&e);
	if ((m = load_maincf(c->t, &e)) == NULL) {
		console_error(c, &e);
		refresh_all(c);
		return -1;
	}
	maincf_free(c->mcf);
	c->mcf = m;
	/* Postfix's expansion of the new file follows in the background. */
	load_start(c, 0);
	refresh_all(c);
	return 0;
}

void console_changed(struct console *c)
{
	refresh_all(c);
}

/* console_push - new screen on top; its init may refuse. */
int console_push(struct console *c, const struct screen_ops *ops)
{
	struct screen *s;
	struct err e;

	if (c->depth >= STACK_MAX)
		return -1;
	s = &c->stack[c->depth];
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->c = c;
	err_clear(&e);
	if (ops->init(s, &e) < 0) {
		console_error(c, &e);
		return -1;
	}
	c->depth++;
	if (ops->resize)
		ops->resize(s, LINES, COLS);
	c->dirty |= DIRTY_SCREEN | DIRTY_STATUS;
	return 0;
}

/* console_pop - drop the top screen (never the root). */
void console_pop(struct console *c)
{
	struct screen *s;

	if (c->depth <= 1)
		return;
	s = &c->stack[--c->depth];
	s->ops->free(s);
	memset(s, 0, sizeof(*s));
	c->dirty |= DIRTY_SCREEN | DIRTY_STATUS;
}

/* console_dialog - replaces any open dialog. */
void console_dialog(struct console *c, struct screen *s, struct w_dialog *d,
		    console_dialog_fn done)
{
	if (d == NULL) {
		console_message(c, ROLE_ERROR, "out of memory");
		return;
	}
	w_dialog_free(c->dlg);
	c->dlg = d;
	c->dlg_screen = s;
	c->dlg_done = done;
	c->dirty |= DIRTY_SCREEN;
}

/* top - the screen that gets keys. */
static struct screen *top(struct console *c)
{
	return &c->stack[c->depth - 1];
}

/* msg_rows - the message wraps into up to MSG_ROWS_MAX rows. */
static int msg_rows(struct console *c)
{
	int n = c->msg[0] ? ui_wrap_rows(c->msg, COLS) : 1;

	return n < MSG_ROWS_MAX ? n : MSG_ROWS_MAX;
}

/* draw_status - message (wrapped, above) and status bar (the last row). */
static void draw_status(struct console *c)
{
	struct buf b = BUF_INIT, hints = BUF_INIT;
	size_t n = pending_count(c->pending);
	int used, mr = msg_rows(c);

	ui_put_wrapped(stdscr, LINES - 1 - mr, 0, COLS, mr, c->msg[0] ? c->msg_role : ROLE_NORMAL,
		       c->msg);
	if (c->t)
		buf_printf(&b, " %s  %s  ", c->t->name ? c->t->name : "?",
			   c->t->config_dir ? c->t->config_dir : "?");
	else
		buf_printf(&b, " fleet: %zu hosts  ", c->fleet ? c->fleet->n : 0);
	used = ui_put(stdscr, LINES - 1, 0, COLS, ROLE_STATUS, b.data);
	buf_reset(&b);
	if (n > 0)
		buf_printf(&b, "%zu pending", n);
	else
		buf_puts(&b, "no pending edits");
	used += ui_put_nopad(stdscr, LINES - 1, used, COLS - used, n ? ROLE_PENDING : ROLE_STATUS,
			     b.data);
	if (c->load.running && COLS - used > 12)
		used += ui_put_nopad(stdscr, LINES - 1, used, COLS - used, ROLE_WARNING,
				     "  loading\xe2\x80\xa6");
	keymap_hints(top(c)->ops->keys, &hints);
	if (hints.data && COLS - used > 4) {
		buf_reset(&b);
		buf_printf(&b, "  %s", hints.data);
		ui_put_cut(stdscr, LINES - 1, used, COLS - used, ROLE_STATUS, b.data);
	} else if (COLS > used) {
		ui_fill(stdscr, LINES - 1, used, COLS - used, ROLE_STATUS);
	}
	buf_free(&b);
	buf_free(&hints);
}

/* draw_small - what a too small terminal gets instead of the screens:
 * the sizes, wrapped to the width there is, so none is cut off. */
static void draw_small(void)
{
	char line[160];
	int y, rows;

	erase();
	snprintf(line, sizeof(line), "terminal too small: %dx%d, need %dx%d", COLS, LINES,
		 MIN_W, MIN_H);
	for (y = 0; y < LINES; y++)
		ui_fill(stdscr, y, 0, COLS, ROLE_NORMAL);
	rows = ui_wrap_rows(line, COLS);
	if (rows > LINES)
		rows = LINES;
	ui_put_wrapped(stdscr, (LINES - rows) / 2, 0, COLS, rows, ROLE_ERROR, line);
}

/* draw - one full frame into stdscr, then doupdate. */
static void draw(struct console *c)
{
	struct screen *s = top(c);
	int y, x;

	if (c->dirty & DIRTY_ALL)
		clearok(curscr, TRUE);
	if (COLS < MIN_W || LINES < MIN_H) {
		draw_small();
		curs_set(0);
	} else {
		s->ops->draw(s, stdscr, 0, LINES - 1 - msg_rows(c), COLS);
		draw_status(c);
		if (c->dlg) {
			w_dialog_draw(c->dlg, stdscr, LINES, COLS);
		}
		if (c->dlg && w_dialog_cursor(c->dlg, &y, &x)) {
			move(y, x);
			curs_set(1);
		} else {
			curs_set(0);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
	c->dirty = 0;
}

/* console_busy - paint the message now; the next step blocks the loop. */
void console_busy(struct console *c, const char *msg)
{
	console_message(c, ROLE_WARNING, "%s", msg);
	if (COLS >= MIN_W && LINES >= MIN_H) {
		draw_status(c);
		wnoutrefresh(stdscr);
		doupdate();
	}
}

static void do_switch(struct console *c, const struct screen_ops *ops);

/* console_done - answers to the console's own dialogs. */
static int console_done(struct screen *s, struct w_dialog *d, enum w_dlg_result r)
{
	struct console *c = s->c;
	struct w_list *l;

	if (r != W_DLG_OK)
		return 0;
	switch (w_dialog_tag(d)) {
	case TAG_QUIT:
		c->quit = 1;
		break;
	case TAG_SWITCH:
		if (c->switch_ops)
			do_switch(c, c->switch_ops);
		c->switch_ops = NULL;
		break;
	case TAG_SEARCH:
		l = s->ops->list ? s->ops->list(s) : NULL;
		if (l && w_list_search(l, w_dialog_value(d)) < 0)
			console_message(c, ROLE_WARNING, "not found: %s", l->pattern);
		else
			c->msg[0] = '\0';
		break;
	default:
		break;
	}
	return 0;
}

/* open_help - the help overlay, generated from the key tables. */
static void open_help(struct console *c)
{
	struct buf b = BUF_INIT;
	struct screen *s = top(c);
	struct w_dialog *d;

	keymap_help(s->ops->keys, s->ops->title, &b);
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	d = w_dialog_message("Help", b.data ? b.data : "", ROLE_HEADER);
	buf_free(&b);
	if (d)
		w_dialog_set_tag(d, TAG_HELP);
	console_dialog(c, s, d, console_done);
}

/* back - pop a screen, or quit from the root (asking when edits wait). */
static void back(struct console *c)
{
	struct w_dialog *d;
	char q[256];
	size_t n = pending_count(c->pending);

	if (c->depth > 1) {
		console_pop(c);
		return;
	}
	if (n == 0) {
		c->quit = 1;
		return;
	}
	snprintf(q, sizeof(q),
		 "%zu edit(s) are pending (kept for the next session, not applied). Quit? y/n", n);
	d = w_dialog_confirm("Quit", q);
	if (d)
		w_dialog_set_tag(d, TAG_QUIT);
	console_dialog(c, top(c), d, console_done);
}

/* do_switch - back to the root screen (the Dashboard, Relay settings on a
 * relay not configured yet, or the fleet), then ops on top. */
static void do_switch(struct console *c, const struct screen_ops *ops)
{
	if (c->t == NULL && ops != c->stack[0].ops) {
		console_message(c, ROLE_WARNING, "open a host first: Enter on it");
		return;
	}
	while (c->depth > 1)
		console_pop(c);
	if (ops != c->stack[0].ops)
		console_push(c, ops);
}

/* switch_to - the screen switch (0..6); asks first when a screen it would
 * close holds input not yet applied (the wizard's answers). */
static void switch_to(struct console *c, const struct screen_ops *ops)
{
	struct w_dialog *d;
	char q[256];

	for (int i = c->depth - 1; i >= 1; i--) {
		struct screen *s = &c->stack[i];

		if (s->ops->unsaved && s->ops->unsaved(s)) {
			snprintf(q, sizeof(q), "%s: what you entered is not applied and will be "
				 "lost. Leave? y/n", s->ops->title);
			d = w_dialog_confirm("Leave", q);
			if (d)
				w_dialog_set_tag(d, TAG_SWITCH);
			c->switch_ops = ops;
			console_dialog(c, top(c), d, console_done);
			return;
		}
	}
	do_switch(c, ops);
}

void console_switch(struct console *c, const struct screen_ops *ops)
{
	switch_to(c, ops);
}

/* mouse - a click (press) selects, the wheel scrolls. */
static void mouse(struct console *c)
{
	struct screen *s = top(c);
	struct w_list *l = s->ops->list ? s->ops->list(s) : NULL;
	MEVENT ev;

	if (getmouse(&ev) != OK || l == NULL || c->dlg)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		w_list_scroll(l, -3);
	else if (ev.bstate & BUTTON5_PRESSED)
		w_list_scroll(l, +3);
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		w_list_click(l, ev.y - l->y0);
	c->dirty |= DIRTY_SCREEN;
}

/* key - route one key: dialog, console actions, list, screen. */
static void key(struct console *c, int k)
{
	struct screen *s = top(c);
	struct w_list *l = s->ops->list ? s->ops->list(s) : NULL;
	struct w_dialog *d;
	enum w_dlg_result r;
	console_dialog_fn done;
	struct screen *ds;
	enum act a;

	c->dirty |= DIRTY_SCREEN | DIRTY_STATUS;
	if (k == UI_KEY(KEY_RESIZE)) {
		int i;

		for (i = 0; i < c->depth; i++)
			if (c->stack[i].ops->resize)
				c->stack[i].ops->resize(&c->stack[i], LINES, COLS);
		c->dirty |= DIRTY_ALL;
		return;
	}
	if (COLS < MIN_W || LINES < MIN_H) {
		/* Nothing is visible to act on; only leaving works. */
		if (k == 'q' && pending_count(c->pending) == 0)
			c->quit = 1;
		return;
	}
	if (c->dlg) {
		if ((r = w_dialog_key(c->dlg, k)) == W_DLG_OPEN)
			return;
		d = c->dlg;
		done = c->dlg_done;
		ds = c->dlg_screen;
		c->dlg = NULL;
		if (done && done(ds, d, r) && c->dlg == NULL) {
			c->dlg = d;	/* kept open, e.g. to show why a value is invalid */
			c->dlg_done = done;
			c->dlg_screen = ds;
			return;
		}
		w_dialog_free(d);
		return;
	}
	if (k == UI_KEY(KEY_MOUSE)) {
		mouse(c);
		return;
	}
	if (s->ops->capture && s->ops->capture(s)) {
		s->ops->key(s, ACT_NONE, k);
		return;
	}
	a = keymap_lookup(s->ops->keys, k);
	switch (a) {
	case ACT_HELP:
		open_help(c);
		return;
	case ACT_BACK:
		back(c);
		return;
	case ACT_REDRAW:
		c->dirty |= DIRTY_ALL;
		return;
	case ACT_SCREEN_RELAY:
		switch_to(c, &screen_relay_ops);
		return;
	case ACT_SCREEN_CREDS:
		switch_to(c, &screen_creds_ops);
		return;
	case ACT_SCREEN_MAPS:
		switch_to(c, &screen_maps_ops);
		return;
	case ACT_SCREEN_SETUP:
		switch_to(c, &screen_setup_ops);
		return;
	case ACT_SCREEN_PROBE:
		switch_to(c, &screen_probe_ops);
		return;
	case ACT_SCREEN_QUEUE:
		switch_to(c, &screen_queue_ops);
		return;
	case ACT_SCREEN_FLEET:
		if (c->fleet)
			switch_to(c, &screen_fleet_ops);
		return;
	case ACT_SCREEN_DASHBOARD:
		switch_to(c, &screen_dashboard_ops);
		return;
	case ACT_SCREEN_LOGS:
		switch_to(c, &screen_logs_ops);
		return;
	case ACT_SEARCH: {
		char prompt[sizeof(l->pattern) + 96];

		if (l == NULL)
			break;
		/* The field starts empty, so what is typed is the pattern
		 * (pre-filled, it was appended to the last one); Enter on
		 * nothing searches the last one again. */
		if (l->pattern[0])
			snprintf(prompt, sizeof(prompt), "Search rows for (^ anchors at the start; "
				 "empty: %s again):", l->pattern);
		else
			snprintf(prompt, sizeof(prompt), "Search rows for (^ anchors at the start):");
		d = w_dialog_input("Search", prompt, "", 0);
		if (d)
			w_dialog_set_tag(d, TAG_SEARCH);
		console_dialog(c, s, d, console_done);
		return;
	}
	case ACT_SEARCH_NEXT:
		if (l == NULL)
			break;
		if (w_list_search(l, NULL) < 0)
			console_message(c, ROLE_WARNING, "not found: %s", l->pattern);
		return;
	default:
		break;
	}
	if (l && w_list_act(l, a))
		return;
	if (s->ops->key)
		s->ops->key(s, a, k);
}

/* read_keys - everything the terminal has ready, without blocking. */
static void read_keys(struct console *c)
{
	wint_t wc;
	int rc;

	while (!c->quit && (rc = get_wch(&wc)) != ERR)
		key(c, rc == KEY_CODE_YES ? UI_KEY((int)wc) : (int)wc);
}

/* precheck_wake / precheck_collect - the verdict on main.cf as it was
 * when the console opened: a refusal goes to the message line. */
static void precheck_wake(void *arg)
{
	console_wake(arg);
}

static void precheck_collect(struct console *c)
{
	char why[400];
	int r;

	if (c->pre == NULL || (r = precheck_poll(c->pre, why, sizeof(why))) < 0)
		return;
	if (r == 1)
		console_message(c, ROLE_ERROR, "Postfix already rejects this main.cf: %s", why);
	precheck_free(c->pre);
	c->pre = NULL;
}

/* loop - poll, handle a batch, draw once. */
static void loop(struct console *c)
{
	struct pollfd pfd[2];
	char drain[64];

	nodelay(stdscr, TRUE);
	c->dirty |= DIRTY_ALL;
	while (!c->quit) {
		int timeout = -1, fired = 0;

		if (c->dirty)
			draw(c);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->wake[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (c->timer_at) {
			long long left = c->timer_at - now_ms();

			timeout = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (c->timer_at && now_ms() >= c->timer_at) {
			c->timer_at = 0;
			fired = 1;
		}
		if ((pfd[1].revents & POLLIN) || fired) {
			int i;

			while (read(c->wake[0], drain, sizeof(drain)) > 0)
				;
			load_collect(c);
			precheck_collect(c);
			/* A background job finished: its screen collects the result. */
			for (i = 0; i < c->depth; i++)
				if (c->stack[i].ops->on_wake)
					c->stack[i].ops->on_wake(&c->stack[i]);
		}
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		/* After EINTR (SIGWINCH) curses has a KEY_RESIZE queued. */
		read_keys(c);
	}
}

/* load_theme - pick and load the theme; errors go to the message line. */
static void load_theme(struct console *c, const struct console_opts *o, struct theme *th)
{
	const char *name = o->theme;
	char dir[PATH_MAX];
	int have_dir;
	struct err e;

	err_clear(&e);
	if (name == NULL || *name == '\0')
		name = getenv("RELAYDECK_THEME");
	have_dir = theme_find_dir(o->themes_dir, dir, sizeof(dir)) == 0;
	if (o->no_color || !has_colors()) {
		/* The monochrome file may tune attributes; colours are never used. */
		if (!have_dir || theme_load(th, dir, "monochrome", &e) < 0)
			theme_builtin_mono(th);
		return;
	}
	if (name == NULL || *name == '\0') {
		name = "default";
		if (!have_dir) {
			theme_builtin(th);
			return;
		}
	}
	if (theme_load(th, have_dir ? dir : NULL, name, &e) < 0) {
		theme_builtin(th);
		snprintf(c->theme_err, sizeof(c->theme_err), "theme: %s (using the built-in default)",
			 e.msg);
	}
}

/* setup - model, terminal, theme, root screen. */
static int setup(struct console *c, struct target *t, const struct console_opts *o,
		 struct err *e)
{
	struct apply_report rec;
	struct theme th;
	const char *rh;
	int recovered;

	c->t = t;
	c->wake[0] = c->wake[1] = -1;
	/* Before anything is read: an apply a crash interrupted is undone. */
	recovered = 0;
	if (t) {
		apply_report_init(&rec);
		recovered = changeset_recover(t, &rec, e);
		apply_report_free(&rec);
		if (recovered < 0)
			return -1;
	}
	if (t && (c->mcf = load_maincf(t, e)) == NULL)
		return -1;
	if (t && (c->pending = pending_load(t, e)) == NULL)
		return -1;
	if (pipe(c->wake) < 0)
		return err_sys(e, "pipe");
	fcntl(c->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(c->wake[1], F_SETFL, O_NONBLOCK);
	fcntl(c->wake[0], F_SETFD, FD_CLOEXEC);
	fcntl(c->wake[1], F_SETFD, FD_CLOEXEC);
	if (ui_start(e) < 0)
		return -1;
	load_theme(c, o, &th);
	ui_theme_apply(&th, o->no_color);
	/* A fleet opens on its hosts; a configured relay on the Dashboard; one
	 * with no relayhost yet on the Setup wizard, over Relay settings. */
	rh = t ? maincf_get(c->mcf, "relayhost") : NULL;
	if (console_push(c, t == NULL ? &screen_fleet_ops :
			 rh && *rh ? &screen_dashboard_ops : &screen_relay_ops) < 0) {
		ui_stop();
		return err_set(e, ERR_NOMEM, "cannot open the first screen: %s", c->msg);
	}
	if (t && !(rh && *rh))
		console_push(c, &screen_setup_ops);
	if (c->theme_err[0])
		console_message(c, ROLE_ERROR, "%s", c->theme_err);
	else if (recovered)
		console_message(c, ROLE_WARNING, "an earlier apply was interrupted: its files are "
				"back as they were before it");
	if (t == NULL)
		return 0;	/* a fleet: a host's model loads when it is opened */
	/* Until the host's facts arrive the console works without them:
	 * defaults are blank and table types are checked by syntax only. */
	load_start(c, 1);
	c->pre = precheck_start(t, precheck_wake, c);
	return 0;
}

/* model_drop - forget the current host's model (fleet: another host is
 * being opened); the loader is joined first, it uses the target. */
static void model_drop(struct console *c)
{
	if (c->load.running)
		load_join(c);
	precheck_free(c->pre);
	c->pre = NULL;
	buf_free(&c->expanded);
	c->have_expanded = 0;
	maincf_free(c->mcf);
	c->mcf = NULL;
	params_host_free(c->host);
	c->host = NULL;
	pending_free(c->pending);
	c->pending = NULL;
}

int console_open_host(struct console *c, const char *host)
{
	struct apply_report rec;
	int recovered = 0;
	struct target *t;
	struct maincf *m = NULL;
	struct pending *p = NULL;
	char msg[300];
	struct err e;

	if (c->fleet == NULL)
		return -1;
	if (c->t && c->host_name && strcmp(c->host_name, host) == 0) {
		/* the same host again: its connection and model are kept */
		do_switch(c, &screen_relay_ops);
		return 0;
	}
	err_clear(&e);
	snprintf(msg, sizeof(msg), "connecting to %s ...", host);
	console_busy(c, msg);
	t = c->fleet->open(c->fleet->arg, host, &e);
	if (t != NULL) {
		/* before anything is read: an apply a crash interrupted is undone */
		apply_report_init(&rec);
		recovered = changeset_recover(t, &rec, &e);
		apply_report_free(&rec);
	}
	if (t == NULL || recovered < 0 || (m = load_maincf(t, &e)) == NULL ||
	    (p = pending_load(t, &e)) == NULL) {
		maincf_free(m);
		target_free(t);
		console_error(c, &e);
		return -1;
	}
	/* the screens above the fleet hold the old host's state */
	while (c->depth > 1)
		console_pop(c);
	model_drop(c);
	target_free(c->t);
	free(c->host_name);
	c->t = t;
	c->host_name = strdup(host);
	c->mcf = m;
	c->pending = p;
	load_start(c, 1);
	c->pre = precheck_start(t, precheck_wake, c);
	if (recovered > 0)
		console_message(c, ROLE_WARNING, "%s: an earlier apply was interrupted: its files "
				"are back as they were before it; q goes back to the fleet", host);
	else
		console_message(c, ROLE_OK, "%s: q goes back to the fleet", host);
	if (console_push(c, &screen_relay_ops) < 0)
		return -1;
	refresh_all(c);
	return 0;
}

/* teardown - free everything setup made. */
static void teardown(struct console *c)
{
	while (c->depth > 0) {
		struct screen *s = &c->stack[--c->depth];

		s->ops->free(s);
	}
	precheck_free(c->pre);
	w_dialog_free(c->dlg);
	ui_stop();
	/* The worker uses the target, which the caller frees after us. */
	if (c->load.running)
		load_join(c);
	buf_free(&c->expanded);
	maincf_free(c->mcf);
	params_host_free(c->host);
	pending_free(c->pending);
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	if (c->fleet) {
		/* a fleet console opened its targets itself */
		target_free(c->t);
		free(c->host_name);
	}
}

static int run(struct target *t, const struct console_fleet *f, const struct console_opts *o,
	       struct err *e);

int console_run(struct target *t, const struct console_opts *o, struct err *e)
{
	return run(t, NULL, o, e);
}

int console_run_fleet(const struct console_fleet *f, const struct console_opts *o, struct err *e)
{
	return run(NULL, f, o, e);
}

/* run - console_run and console_run_fleet: t, or a fleet with no host open. */
static int run(struct target *t, const struct console_fleet *f, const struct console_opts *o,
	       struct err *e)
{
	struct console c;
	static const struct console_opts none = { NULL, 0, NULL };
	int rc = 0;

	struct sigaction ign, old_pipe;

	memset(&c, 0, sizeof(c));
	c.fleet = f;
	pthread_mutex_init(&c.load.mu, NULL);
	/* Wide-character drawing and input need the user's locale. */
	setlocale(LC_ALL, "");
	/* Commands run from two threads at once: SIGPIPE stays ignored for
	 * the whole session, so no run can restore it under another. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	if (o == NULL)
		o = &none;
	if (setup(&c, t, o, e) < 0)
		rc = -1;
	else
		loop(&c);
	teardown(&c);
	pthread_mutex_destroy(&c.load.mu);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}
