/*
 * screen_logs - the Logs screen (7): the host's mail log summed up over a
 * window (last hour, 24 hours, 7 days, everything; w cycles), read in the
 * background through the target (core/logsrc + core/logsum) while the
 * screen shows how far it got: the counts, SASL and TLS failures, the
 * provider's daily quota, deliveries per hour as a sparkline, delay
 * percentiles, the relays and the top deferral reasons. r reads again.
 *
 * The worker owns a summary until it is done; the screen takes it under
 * the lock. Leaving the screen stops the worker (between lines) and
 * waits for it.
 */
#include "config.h"

#include <langinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "logsrc.h"
#include "logsum.h"
#include "postfix.h"
#include "providers.h"
#include "screens.h"
#include "target.h"
#include "ui.h"
#include "w_text.h"

static const struct {
	const char *name;
	long long secs;		/* -1: everything */
} windows[] = { { "last hour", 3600 }, { "last 24 hours", 86400 }, { "last 7 days", 7 * 86400 },
		{ "the whole log", -1 } };

struct logs_job {
	pthread_t th;
	pthread_mutex_t mu;
	struct console *c;
	struct target *t;
	long long since;
	volatile int stop;
	int done;
	int failed;
	struct err e;
	struct logsum *sum;
	struct logsrc src;
	char warn[300];
	long warnings;
	long per_day;		/* the provider's daily limit, or -1 */
	char provider[128];
};

struct logs {
	struct screen *s;
	struct w_text text;
	int window;
	struct logs_job *job;
	long long started;	/* when the read began */
};

/* job_warn - a file that could be read only in part. */
static void job_warn(void *arg, const char *msg)
{
	struct logs_job *j = arg;

	pthread_mutex_lock(&j->mu);
	j->warnings++;
	if (j->warn[0] == '\0')
		snprintf(j->warn, sizeof(j->warn), "%s", msg);
	pthread_mutex_unlock(&j->mu);
}

/* job_quota - the provider of the relayhost and its daily limit. */
static void job_quota(struct logs_job *j)
{
	struct buf v = BUF_INIT;
	struct provider_catalog *cat;
	const struct provider *p;
	struct err ignore;

	j->per_day = -1;
	if (postfix_expand(j->t, "relayhost", &v, &ignore) == 0 && v.len > 0 &&
	    (cat = providers_load(&ignore)) != NULL) {
		if ((p = providers_match_nexthop(cat, v.data)) != NULL) {
			j->per_day = p->limits.per_day;
			snprintf(j->provider, sizeof(j->provider), "%s", p->name);
		}
		providers_free(cat);
	}
	buf_free(&v);
}

static void *job_main(void *arg)
{
	struct logs_job *j = arg;
	struct err e;
	int rc;

	err_clear(&e);
	job_quota(j);
	rc = logsrc_discover(j->t, &j->src, &e);
	if (rc == 0)
		rc = logsum_read(j->sum, j->t, &j->src, job_warn, j, &j->stop, &e);
	if (rc == 0)
		logsum_finish(j->sum);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	j->failed = rc < 0;
	j->e = e;
	pthread_mutex_unlock(&j->mu);
	console_wake(j->c);
	return NULL;
}

/* job_stop - stop a read and wait for it; frees the job. */
static void job_stop(struct logs *l)
{
	struct logs_job *j = l->job;

	if (j == NULL)
		return;
	j->stop = 1;
	pthread_join(j->th, NULL);
	pthread_mutex_destroy(&j->mu);
	logsum_free(j->sum);
	logsrc_free(&j->src);
	free(j);
	l->job = NULL;
}

static void rebuild(struct logs *l);

/* start - read the log again for the chosen window. */
static void start(struct logs *l)
{
	struct logs_job *j;
	long long now = (long long)time(NULL);

	job_stop(l);
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;
	j->c = l->s->c;
	j->t = console_target(l->s->c);
	j->since = windows[l->window].secs < 0 ? -1 : now - windows[l->window].secs;
	logsrc_init(&j->src);
	pthread_mutex_init(&j->mu, NULL);
	if ((j->sum = logsum_new(j->since, -1)) == NULL ||
	    pthread_create(&j->th, NULL, job_main, j) != 0) {
		pthread_mutex_destroy(&j->mu);
		logsum_free(j->sum);
		free(j);
		console_message(l->s->c, ROLE_ERROR, "cannot start reading the log");
		return;
	}
	l->job = j;
	l->started = now;
	rebuild(l);
	console_wake_after(l->s->c, 250);
}

static const char *count(long v, char *out, size_t len)
{
	char digits[32];
	size_t d, o = 0;

	snprintf(digits, sizeof(digits), "%ld", v);
	d = strlen(digits);
	for (size_t i = 0; i < d && o + 2 < len; i++) {
		if (i > 0 && (d - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

/* spark - deliveries per hour for the last n hours before now. */
static void spark(const struct logsum *s, long long now, int n, struct buf *out, long *max)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-~=+*#";
	int utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	long long h0 = now - now % 3600 - (long long)(n - 1) * 3600;
	long v[200];

	*max = 0;
	for (int i = 0; i < n && i < 200; i++) {
		long long h = h0 + (long long)i * 3600;
		long long k = s->first_hour < 0 ? -1 : (h - s->first_hour) / 3600;

		v[i] = (k >= 0 && (size_t)k < s->nhours && h >= s->first_hour) ? s->hours[k] : 0;
		if (v[i] > *max)
			*max = v[i];
	}
	for (int i = 0; i < n && i < 200; i++) {
		int k = *max ? (int)((v[i] * 7 + *max - 1) / *max) : 0;

		if (v[i] == 0)
			buf_putc(out, utf8 ? ' ' : ' ');
		else if (utf8)
			buf_puts(out, blocks[k]);
		else
			buf_putc(out, ascii[k]);
	}
}

/* summary - the finished summary as lines. */
static void summary(struct logs *l, const struct logs_job *j)
{
	const struct logsum *s = j->sum;
	struct w_text *t = &l->text;
	char a[32], b[32], c[32], d[32], e2[32], f[32];
	struct logsum_pct p;
	struct buf sp = BUF_INIT;
	long max;
	int hours = windows[l->window].secs > 0 && windows[l->window].secs <= 86400 ? 24 : 48;

	w_text_add(t, ROLE_HEADER, "%s: %s lines%s", j->src.desc, count(s->lines, a, sizeof(a)),
		   s->unparsed ? "" : ", all parsed");
	if (s->unparsed)
		w_text_add(t, ROLE_WARNING, "  %s lines could not be parsed (first: %s)",
			   count(s->unparsed, a, sizeof(a)), s->bad[0].where);
	if (j->warnings)
		w_text_add(t, ROLE_ERROR, "  %s", j->warn);
	w_text_add(t, ROLE_NORMAL, "received %s  delivered %s  deferred %s (%s tries)",
		   count(s->received, a, sizeof(a)), count(s->delivered, b, sizeof(b)),
		   count(s->deferred, c, sizeof(c)), count(s->deferrals, d, sizeof(d)));
	w_text_add(t, ROLE_NORMAL, "bounced %s  rejected %s  expired %s  in flight %zu",
		   count(s->bounced, a, sizeof(a)), count(s->rejected, b, sizeof(b)),
		   count(s->expired, c, sizeof(c)), logsum_in_flight(s));
	w_text_add(t, s->sasl_ours || s->sasl_clients ? ROLE_ERROR : ROLE_OK,
		   "SASL failures: %s at the smart host, %s by clients",
		   count(s->sasl_ours, a, sizeof(a)), count(s->sasl_clients, b, sizeof(b)));
	w_text_add(t, s->tls_fail_out || s->tls_fail_in ? ROLE_ERROR : ROLE_OK,
		   "TLS out: %s verified %s trusted %s untrusted %s anon; %s failed",
		   count(s->tls_out[0], a, sizeof(a)), count(s->tls_out[1], b, sizeof(b)),
		   count(s->tls_out[2], c, sizeof(c)), count(s->tls_out[3], d, sizeof(d)),
		   count(s->tls_fail_out + s->tls_fail_in, e2, sizeof(e2)));
	if (j->per_day > 0)
		w_text_add(t, s->last_24h * 10 >= j->per_day * 9 ? ROLE_WARNING : ROLE_NORMAL,
			   "quota: %s of %s a day (%s), %ld%%", count(s->last_24h, a, sizeof(a)),
			   count(j->per_day, b, sizeof(b)), j->provider,
			   s->last_24h * 100 / j->per_day);
	else
		w_text_add(t, ROLE_NORMAL, "last 24 h: %s deliveries", count(s->last_24h, a, sizeof(a)));
	spark(s, (long long)time(NULL), hours, &sp, &max);
	w_text_add(t, ROLE_HEADER, "deliveries per hour, last %d h (max %s):", hours,
		   count(max, f, sizeof(f)));
	w_text_add(t, ROLE_OK, " %.*s|", (int)sp.len, sp.data ? sp.data : "");
	buf_free(&sp);
	logsum_percentiles(s, 0, &p);
	if (p.count > 0)
		w_text_add(t, ROLE_NORMAL, "delay s: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f", p.p50,
			   p.p90, p.p99, p.max);
	if (s->relays.n)
		w_text_add(t, ROLE_HEADER, "relays             delivered  deferrals  bounced");
	for (size_t i = 0; i < s->relays.n && i < 5; i++)
		w_text_add(t, ROLE_NORMAL, "  %-18.18s %9s %10s %8s", s->relays.rows[i].name,
			   count(s->relays.rows[i].delivered, a, sizeof(a)),
			   count(s->relays.rows[i].deferred, b, sizeof(b)),
			   count(s->relays.rows[i].bounced, c, sizeof(c)));
	if (s->defer_reasons.n)
		w_text_add(t, ROLE_HEADER, "deferral reasons");
	for (size_t i = 0; i < s->defer_reasons.n && i < 5; i++)
		w_text_add(t, ROLE_WARNING, "  %6s  %s", count(s->defer_reasons.rows[i].count, a,
							    sizeof(a)),
			   s->defer_reasons.rows[i].name);
	if (s->bounce_reasons.n)
		w_text_add(t, ROLE_HEADER, "bounce reasons");
	for (size_t i = 0; i < s->bounce_reasons.n && i < 5; i++)
		w_text_add(t, ROLE_ERROR, "  %6s  %s", count(s->bounce_reasons.rows[i].count, a,
							  sizeof(a)),
			   s->bounce_reasons.rows[i].name);
}

/* rebuild - the lines for the job's state. */
static void rebuild(struct logs *l)
{
	struct logs_job *j = l->job;
	char a[32], msg[400];

	w_text_clear(&l->text);
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	if (!j->done) {
		w_text_add(&l->text, ROLE_DIM, "reading the mail log (%s): %s lines so far",
			   windows[l->window].name, count(j->sum->lines, a, sizeof(a)));
	} else if (j->failed) {
		w_text_add(&l->text, ROLE_ERROR, "%s", err_format(&j->e, msg, sizeof(msg)));
	} else {
		summary(l, j);
	}
	pthread_mutex_unlock(&j->mu);
}

static int logs_init(struct screen *s, struct err *e)
{
	struct logs *l = calloc(1, sizeof(*l));

	(void)e;
	if (l == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	l->s = s;
	l->window = 1;
	w_text_init(&l->text);
	w_text_pager(&l->text, 1);
	s->data = l;
	start(l);
	return 0;
}

static void logs_free(struct screen *s)
{
	struct logs *l = s->data;

	job_stop(l);
	w_text_free(&l->text);
	free(l);
}

static void logs_key(struct screen *s, enum act a, int key)
{
	struct logs *l = s->data;

	(void)key;
	switch (a) {
	case ACT_L_REFRESH:
		start(l);
		break;
	case ACT_L_WINDOW:
		l->window = (l->window + 1) % (int)(sizeof(windows) / sizeof(windows[0]));
		start(l);
		console_message(s->c, ROLE_OK, "window: %s", windows[l->window].name);
		break;
	default:
		break;
	}
	console_dirty(s->c, DIRTY_SCREEN);
}

static void logs_draw(struct screen *s, WINDOW *w, int y, int h, int wd)
{
	struct logs *l = s->data;
	char title[200];

	snprintf(title, sizeof(title), " relaydeck - Logs, %s (w: window, r: read again)",
		 windows[l->window].name);
	ui_put(w, y, 0, wd, ROLE_TITLE, title);
	w_text_draw(&l->text, w, y + 1, 0, h - 1, wd);
}

static struct w_list *logs_list(struct screen *s)
{
	return w_text_list(&((struct logs *)s->data)->text);
}

/* logs_wake - progress while reading, the summary when done. */
static void logs_wake(struct screen *s)
{
	struct logs *l = s->data;
	int done;

	if (l->job == NULL)
		return;
	pthread_mutex_lock(&l->job->mu);
	done = l->job->done;
	pthread_mutex_unlock(&l->job->mu);
	rebuild(l);
	if (!done)
		console_wake_after(s->c, 250);
	console_dirty(s->c, DIRTY_SCREEN);
}

const struct screen_ops screen_logs_ops = {
	.title = "Logs",
	.keys = keymap_logs,
	.init = logs_init,
	.free = logs_free,
	.key = logs_key,
	.draw = logs_draw,
	.list = logs_list,
	.on_wake = logs_wake,
};
