/*
 * cli_logs - the log subcommands. See cli_logs.h.
 *
 * summary reads every line once, streaming (memory grows with messages in
 * flight, not with the log); problems with one file (a corrupt gzip) are
 * warnings on stderr and make the exit code 1, the other files' counts
 * are still printed. Unparsable lines are counted and the first few
 * named on stderr.
 */
#include "config.h"
#include "cli_logs.h"

#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"
#include "json.h"
#include "logfollow.h"
#include "logsrc.h"
#include "logsum.h"
#include "postfix.h"
#include "providers.h"
#include "logtrace.h"
#include "target.h"
#include "termsafe.h"

struct lopts {
	const char *files[64];
	size_t nfiles;
	long long since, until;
	long top;
	/* trace / follow */
	const char *id;
	const char *f_status, *f_relay, *f_sender, *f_rcpt, *f_text;
	int from_start;
	long max_lines;		/* follow: stop after this many lines (tests); 0 never */
};

static int is(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(a, opt, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static const char *take(int argc, char **argv, int *i, const char *opt, struct cli_ctx *c)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		err_set(&c->e, ERR_USAGE, "%s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

static int parse_opts(struct cli_ctx *c, int argc, char **argv, struct lopts *o)
{
	long long now = (long long)time(NULL);
	const char *v;

	memset(o, 0, sizeof(*o));
	o->since = o->until = -1;
	o->top = 10;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (is(a, "--file")) {
			if ((v = take(argc, argv, &i, "--file", c)) == NULL)
				return -1;
			if (o->nfiles == sizeof(o->files) / sizeof(o->files[0]))
				return err_set(&c->e, ERR_USAGE, "--file: at most 64 files");
			o->files[o->nfiles++] = v;
		} else if (is(a, "--since") || is(a, "--until")) {
			const char *opt = a[2] == 's' ? "--since" : "--until";

			if ((v = take(argc, argv, &i, opt, c)) == NULL)
				return -1;
			if (logsum_time_parse(v, now, opt[2] == 's' ? &o->since : &o->until) < 0)
				return err_set(&c->e, ERR_USAGE, "%s: \"%s\" is not a time (@EPOCH, "
					       "YYYY-MM-DD[ HH:MM[:SS]], or an age: 30m, 24h, 7d)",
					       opt, v);
		} else if (is(a, "--top")) {
			if ((v = take(argc, argv, &i, "--top", c)) == NULL)
				return -1;
			o->top = strtol(v, NULL, 10);
		} else if (is(a, "--status") || is(a, "--relay") || is(a, "--sender") ||
			   is(a, "--rcpt") || is(a, "--text")) {
			const char **dst = a[2] == 's' && a[3] == 't' ? &o->f_status :
					   a[2] == 'r' && a[3] == 'e' ? &o->f_relay :
					   a[2] == 's' ? &o->f_sender : a[2] == 'r' ? &o->f_rcpt :
					   &o->f_text;
			char opt[16];

			snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(a, "="), a);
			if ((*dst = take(argc, argv, &i, opt, c)) == NULL)
				return -1;
		} else if (strcmp(a, "--from-start") == 0) {
			o->from_start = 1;
		} else if (is(a, "--max-lines")) {
			if ((v = take(argc, argv, &i, "--max-lines", c)) == NULL)
				return -1;
			o->max_lines = strtol(v, NULL, 10);
		} else if (a[0] == '-' && a[1] != '\0') {
			return err_set(&c->e, ERR_USAGE, "logs %s: unknown option %s", argv[1], a);
		} else if (o->id == NULL) {
			o->id = a;
		} else {
			return err_set(&c->e, ERR_USAGE, "logs %s: one ID at a time", argv[1]);
		}
	}
	return 0;
}

/* sources - --file paths, else the host's own log. */
static int sources(struct cli_ctx *c, const struct lopts *o, struct logsrc *src)
{
	logsrc_init(src);
	if (o->nfiles == 0)
		return logsrc_discover(c->t, src, &c->e);
	for (size_t i = 0; i < o->nfiles; i++)
		if (logsrc_add_file(c->t, src, o->files[i], &c->e) < 0)
			return -1;
	logsrc_sort(src);
	if (o->nfiles > 1)
		snprintf(src->desc, sizeof(src->desc), "%zu files, oldest %.400s", o->nfiles,
			 src->files[0].path);
	return 0;
}

struct warns {
	int n;
};

static void warn_print(void *arg, const char *msg)
{
	struct warns *w = arg;

	w->n++;
	fprintf(stderr, "relaydeck: warning: %s\n", msg);
}

/* fmt_count - 3214 -> "3,214". */
static const char *fmt_count(long v, char *out, size_t len)
{
	char digits[32];
	size_t d, o = 0;

	snprintf(digits, sizeof(digits), "%ld", v);
	d = strlen(digits);
	for (size_t i = 0; i < d && o + 2 < len; i++) {
		if (i > 0 && digits[i - 1] != '-' && (d - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

static void fmt_time(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

static const char *const series[5] = { "delay", "before_qmgr", "in_qmgr", "connection",
				       "transmission" };
static const char *const tls_names[LT_LEVELS] = { "verified", "trusted", "untrusted",
						  "anonymous" };

struct quota {
	const struct provider *p;
	struct provider_catalog *cat;
	char relayhost[300];
};

/* quota_find - the provider of the host's relayhost, when the catalog has it. */
static void quota_find(struct cli_ctx *c, struct quota *q)
{
	struct buf v = BUF_INIT;
	struct err ignore;

	memset(q, 0, sizeof(*q));
	if (postfix_expand(c->t, "relayhost", &v, &ignore) == 0 && v.len > 0) {
		snprintf(q->relayhost, sizeof(q->relayhost), "%s", v.data);
		if ((q->cat = providers_load(&ignore)) != NULL)
			q->p = providers_match_nexthop(q->cat, q->relayhost);
	}
	buf_free(&v);
}

static void json_rows(struct json *j, const char *key, const struct logsum_table *t, long top,
		      int reasons)
{
	json_key(j, key);
	json_arr_begin(j);
	for (size_t i = 0; i < t->n && (top <= 0 || (long)i < top); i++) {
		json_obj_begin(j);
		if (reasons) {
			json_kv_str(j, "reason", t->rows[i].name);
			json_kv_int(j, "count", t->rows[i].count);
		} else {
			json_kv_str(j, "name", t->rows[i].name);
			json_kv_int(j, "delivered", t->rows[i].delivered);
			json_kv_int(j, "deferred", t->rows[i].deferred);
			json_kv_int(j, "bounced", t->rows[i].bounced);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_pct(struct json *j, const struct logsum_pct *p)
{
	json_obj_begin(j);
	json_kv_int(j, "count", p->count);
	json_key(j, "p50");
	json_fixed(j, p->p50);
	json_key(j, "p90");
	json_fixed(j, p->p90);
	json_key(j, "p99");
	json_fixed(j, p->p99);
	json_key(j, "max");
	json_fixed(j, p->max);
	json_obj_end(j);
}

static void print_json(const struct logsum *s, const struct logsrc *src, const struct quota *q,
		       long top, int failed)
{
	struct buf b = BUF_INIT;
	struct json j;
	struct logsum_pct p;

	buf_init(&b, 64 * 1024 * 1024);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_kv_str(&j, "source", src->desc);
	json_key(&j, "files");	/* in the order read */
	json_arr_begin(&j);
	for (size_t i = 0; i < src->n; i++)
		json_str(&j, src->files[i].path);
	if (src->journal_units)
		json_str(&j, "journal");
	json_arr_end(&j);
	json_kv_bool(&j, "complete", !failed);
	if (s->since >= 0)
		json_kv_int(&j, "since", s->since);
	else
		(json_key(&j, "since"), json_null(&j));
	if (s->until >= 0)
		json_kv_int(&j, "until", s->until);
	else
		(json_key(&j, "until"), json_null(&j));
	json_kv_int(&j, "lines", s->lines);
	json_kv_int(&j, "unparsed_lines", s->unparsed);
	json_key(&j, "unparsed_examples");
	json_arr_begin(&j);
	for (long i = 0; i < s->unparsed && i < LOGSUM_BAD_KEPT; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "where", s->bad[i].where);
		json_kv_str(&j, "text", s->bad[i].text);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kv_int(&j, "outside_window", s->outside);
	json_kv_int(&j, "received", s->received);
	json_kv_int(&j, "delivered", s->delivered);
	json_kv_int(&j, "deferred", s->deferred);
	json_kv_int(&j, "deferrals", s->deferrals);
	json_kv_int(&j, "bounced", s->bounced);
	json_kv_int(&j, "rejected", s->rejected);
	json_kv_int(&j, "expired", s->expired);
	json_kv_int(&j, "in_flight", (long long)logsum_in_flight(s));
	json_key(&j, "sasl");
	json_obj_begin(&j);
	json_kv_int(&j, "ours_failed", s->sasl_ours);
	json_kv_int(&j, "clients_failed", s->sasl_clients);
	json_obj_end(&j);
	json_key(&j, "tls");
	json_obj_begin(&j);
	for (int dir = 0; dir < 2; dir++) {
		json_key(&j, dir ? "inbound" : "outbound");
		json_obj_begin(&j);
		for (int k = 0; k < LT_LEVELS; k++)
			json_kv_int(&j, tls_names[k], dir ? s->tls_in[k] : s->tls_out[k]);
		json_kv_int(&j, "failures", dir ? s->tls_fail_in : s->tls_fail_out);
		json_obj_end(&j);
	}
	json_kv_int(&j, "failures", s->tls_fail_in + s->tls_fail_out);
	json_obj_end(&j);
	json_rows(&j, "relays", &s->relays, top, 0);
	json_rows(&j, "domains", &s->domains, top, 0);
	json_rows(&j, "senders", &s->senders, top, 0);
	json_rows(&j, "deferral_reasons", &s->defer_reasons, top, 1);
	json_rows(&j, "bounce_reasons", &s->bounce_reasons, top, 1);
	json_key(&j, "delays");
	json_obj_begin(&j);
	for (int k = 0; k < 5; k++) {
		logsum_percentiles(s, k, &p);
		json_key(&j, series[k]);
		json_pct(&j, &p);
	}
	json_obj_end(&j);
	json_key(&j, "hourly");
	json_arr_begin(&j);
	for (size_t i = 0; i < s->nhours; i++) {
		if (s->first_hour + (long long)i * 3600 > s->newest)
			break;
		json_obj_begin(&j);
		json_kv_int(&j, "hour", s->first_hour + (long long)i * 3600);
		json_kv_int(&j, "delivered", s->hours[i]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kv_int(&j, "last_24h", s->last_24h);
	json_key(&j, "quota");
	if (q->p) {
		json_obj_begin(&j);
		json_kv_str(&j, "provider", q->p->id);
		json_kv_str(&j, "relayhost", q->relayhost);
		if (q->p->limits.per_day > 0)
			json_kv_int(&j, "per_day", q->p->limits.per_day);
		else
			(json_key(&j, "per_day"), json_null(&j));
		json_kv_int(&j, "last_24h", s->last_24h);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_obj_end(&j);
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* spark - one character per hour, eight heights (ASCII without UTF-8). */
static void spark(const long *v, size_t n, struct buf *out)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-~=+*#";
	int utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	long max = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t i = 0; i < n; i++) {
		int k = max ? (int)((v[i] * 7 + max - 1) / max) : 0;

		if (v[i] == 0)
			buf_putc(out, ' ');
		else if (utf8)
			buf_puts(out, blocks[k]);
		else
			buf_putc(out, ascii[k]);
	}
}

static void print_rows(const char *title, const struct logsum_table *t, long top)
{
	char a[32], b[32], c[32];

	if (t->n == 0)
		return;
	printf("\n%-40s %10s %10s %10s\n", title, "delivered", "deferrals", "bounced");
	for (size_t i = 0; i < t->n && (top <= 0 || (long)i < top); i++)
		printf("  %-38.38s %10s %10s %10s\n", t->rows[i].name,
		       fmt_count(t->rows[i].delivered, a, sizeof(a)),
		       fmt_count(t->rows[i].deferred, b, sizeof(b)),
		       fmt_count(t->rows[i].bounced, c, sizeof(c)));
	if (top > 0 && (long)t->n > top)
		printf("  (%zu more; --top 0 shows all)\n", t->n - (size_t)top);
}

static void print_reasons(const char *title, const struct logsum_table *t, long top)
{
	char a[32];

	if (t->n == 0)
		return;
	printf("\n%s\n", title);
	for (size_t i = 0; i < t->n && (top <= 0 || (long)i < top); i++)
		printf("  %8s  %s\n", fmt_count(t->rows[i].count, a, sizeof(a)), t->rows[i].name);
}

static void print_text(const struct logsum *s, const struct logsrc *src, const struct quota *q,
		       long top)
{
	char a[32], b[32], c[32], d[32], t1[32], t2[32];
	struct logsum_pct p;

	printf("source: %s\n", src->desc);
	if (s->since >= 0 || s->until >= 0) {
		if (s->since >= 0)
			fmt_time(s->since, t1, sizeof(t1));
		if (s->until >= 0)
			fmt_time(s->until, t2, sizeof(t2));
		printf("window: %s .. %s\n", s->since >= 0 ? t1 : "start",
		       s->until >= 0 ? t2 : "now");
	}
	printf("lines: %s (%s unparsed, %s outside the window)\n\n",
	       fmt_count(s->lines, a, sizeof(a)), fmt_count(s->unparsed, b, sizeof(b)),
	       fmt_count(s->outside, c, sizeof(c)));
	printf("received   %12s\n", fmt_count(s->received, a, sizeof(a)));
	printf("delivered  %12s\n", fmt_count(s->delivered, a, sizeof(a)));
	printf("deferred   %12s  messages (%s deferrals)\n", fmt_count(s->deferred, a, sizeof(a)),
	       fmt_count(s->deferrals, b, sizeof(b)));
	printf("bounced    %12s\n", fmt_count(s->bounced, a, sizeof(a)));
	printf("rejected   %12s\n", fmt_count(s->rejected, a, sizeof(a)));
	printf("expired    %12s\n", fmt_count(s->expired, a, sizeof(a)));
	printf("\nSASL failures: %s at the smart host (ours), %s by clients\n",
	       fmt_count(s->sasl_ours, a, sizeof(a)), fmt_count(s->sasl_clients, b, sizeof(b)));
	for (int dir = 0; dir < 2; dir++) {
		const long *v = dir ? s->tls_in : s->tls_out;

		printf("TLS %-8s verified %s, trusted %s, untrusted %s, anonymous %s; failures %s\n",
		       dir ? "inbound:" : "outbound:", fmt_count(v[0], a, sizeof(a)),
		       fmt_count(v[1], b, sizeof(b)), fmt_count(v[2], c, sizeof(c)),
		       fmt_count(v[3], d, sizeof(d)),
		       fmt_count(dir ? s->tls_fail_in : s->tls_fail_out, t1, sizeof(t1)));
	}
	printf("last 24 h: %s deliveries", fmt_count(s->last_24h, a, sizeof(a)));
	if (q->p && q->p->limits.per_day > 0)
		printf(" of %s a day allowed by %s (%ld%%)",
		       fmt_count(q->p->limits.per_day, b, sizeof(b)), q->p->name,
		       s->last_24h * 100 / q->p->limits.per_day);
	printf("\n");
	logsum_percentiles(s, 0, &p);
	if (p.count > 0) {
		printf("\n%-14s %9s %9s %9s %9s\n", "delays (s)", "p50", "p90", "p99", "max");
		for (int k = 0; k < 5; k++) {
			logsum_percentiles(s, k, &p);
			printf("  %-12s %9.2f %9.2f %9.2f %9.2f\n", series[k], p.p50, p.p90, p.p99,
			       p.max);
		}
	}
	if (s->nhours > 0) {
		struct buf sp = BUF_INIT;
		size_t n = 0;
		long max = 0;

		while (n < s->nhours && s->first_hour + (long long)n * 3600 <= s->newest)
			n++;
		for (size_t i = 0; i < n; i++)
			if (s->hours[i] > max)
				max = s->hours[i];
		if (n > 72) {
			fmt_time(s->first_hour + (long long)(n - 72) * 3600, t1, sizeof(t1));
			spark(s->hours + n - 72, 72, &sp);
		} else {
			fmt_time(s->first_hour, t1, sizeof(t1));
			spark(s->hours, n, &sp);
		}
		printf("\ndeliveries per hour from %s (max %s):\n  %.*s\n", t1,
		       fmt_count(max, a, sizeof(a)), (int)sp.len, sp.data ? sp.data : "");
		buf_free(&sp);
	}
	print_rows("relays", &s->relays, top);
	print_rows("recipient domains", &s->domains, top);
	print_rows("senders", &s->senders, top);
	print_reasons("deferral reasons", &s->defer_reasons, top);
	print_reasons("bounce reasons", &s->bounce_reasons, top);
}

static int cmd_summary(struct cli_ctx *c, const struct lopts *o)
{
	struct logsrc src;
	struct logsum *s;
	struct warns w = { 0 };
	struct quota q;
	int rc = EXIT_OK;

	if ((s = logsum_new(o->since, o->until)) == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory"), cli_fail(c);
	if (sources(c, o, &src) < 0 || logsum_read(s, c->t, &src, warn_print, &w, NULL, &c->e) < 0) {
		rc = cli_fail(c);
		goto out;
	}
	logsum_finish(s);
	quota_find(c, &q);
	if (c->o->json)
		print_json(s, &src, &q, o->top, w.n > 0);
	else
		print_text(s, &src, &q, o->top);
	providers_free(q.cat);
	if (s->unparsed > 0) {
		fprintf(stderr, "relaydeck: warning: %ld line%s could not be parsed", s->unparsed,
			s->unparsed == 1 ? "" : "s");
		for (long i = 0; i < s->unparsed && i < LOGSUM_BAD_KEPT; i++)
			fprintf(stderr, "%s %s", i ? "," : ":", s->bad[i].where);
		fprintf(stderr, "\n");
	}
	if (w.n > 0)
		rc = EXIT_FAILED;
out:
	logsrc_free(&src);
	logsum_free(s);
	return rc;
}

/* ---- trace ------------------------------------------------------------------ */

struct tracer {
	struct logtrace *t;
	struct logscan_clock clk;
};

static void tr_begin(void *arg, const char *name, long long mtime)
{
	struct tracer *tr = arg;

	(void)name;
	logscan_clock_init(&tr->clk, (time_t)mtime);
}

static int tr_line(void *arg, const char *line, size_t len)
{
	struct tracer *tr = arg;
	struct logscan_view v;

	if (logscan_split(line, len, &tr->clk, &v) == 0)
		logtrace_feed(tr->t, &v, line, len);
	return 0;
}

static void tr_json(const struct logtrace *t)
{
	struct buf b = BUF_INIT;
	struct json j;

	buf_init(&b, 256 * 1024 * 1024);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_kv_str(&j, "message_id", t->found_mid[0] ? t->found_mid : NULL);
	json_key(&j, "queue_ids");
	json_arr_begin(&j);
	for (size_t i = 0; i < t->nids; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "id", t->ids[i].id);
		json_kv_bool(&j, "notice", t->ids[i].notice);
		json_kv_bool(&j, "removed", !t->ids[i].open);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "recipients");
	json_arr_begin(&j);
	for (size_t i = 0; i < t->nrcpts; i++) {
		const struct logtrace_rcpt *r = &t->rcpts[i];

		json_obj_begin(&j);
		json_kv_str(&j, "queue_id", r->qid);
		json_kv_str(&j, "to", r->to);
		json_kv_str(&j, "status", r->status);
		json_kv_str(&j, "relay", r->relay);
		json_kv_str(&j, "dsn", r->dsn);
		json_kv_str(&j, "reason", r->reason);
		json_kv_int(&j, "attempts", r->attempts);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "lines");
	json_arr_begin(&j);
	for (size_t i = 0; i < t->n; i++) {
		json_obj_begin(&j);
		json_kv_int(&j, "time", t->lines[i].time);
		json_kv_str(&j, "queue_id", t->lines[i].qid);
		json_kv_str(&j, "line", t->lines[i].line);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kv_bool(&j, "truncated", t->truncated);
	json_obj_end(&j);
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void tr_text(const struct logtrace *t)
{
	if (t->found_mid[0])
		printf("message-id: <%s>\n", t->found_mid);
	printf("queue IDs:");
	for (size_t i = 0; i < t->nids; i++)
		printf("%s %s%s", i ? "," : "", t->ids[i].id,
		       t->ids[i].notice ? " (the bounce notice)" : "");
	printf("\n");
	if (t->nrcpts)
		printf("\nrecipients:\n");
	for (size_t i = 0; i < t->nrcpts; i++) {
		const struct logtrace_rcpt *r = &t->rcpts[i];

		printf("  %s %s: %s after %d attempt%s, relay=%s, dsn=%s%s%s%s\n", r->qid, r->to,
		       r->status, r->attempts, r->attempts == 1 ? "" : "s",
		       r->relay ? r->relay : "-", r->dsn ? r->dsn : "-", r->reason ? " (" : "",
		       r->reason ? r->reason : "", r->reason ? ")" : "");
	}
	printf("\nlines:\n");
	for (size_t i = 0; i < t->n; i++)
		printf("  %s\n", t->lines[i].line);
	if (t->truncated)
		printf("  (more than %d lines: the rest left out)\n", LOGTRACE_MAX_LINES);
}

static int cmd_trace(struct cli_ctx *c, const struct lopts *o)
{
	struct tracer tr;
	struct logsrc src;
	struct warns w = { 0 };
	struct logsrc_sink sink = { &tr, tr_begin, tr_line, warn_print, NULL, NULL };
	int rc = EXIT_OK;

	(void)w;
	if (o->id == NULL)
		return cli_usage_error(c, "logs trace: give a queue ID or a Message-ID");
	if (!strchr(o->id, '@') && o->id[0] != '<' && !logtrace_is_queue_id(o->id))
		return cli_usage_error(c, "logs trace: not a queue ID or a Message-ID");
	memset(&tr, 0, sizeof(tr));
	if ((tr.t = logtrace_new(o->id)) == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory"), cli_fail(c);
	logscan_clock_init(&tr.clk, time(NULL));
	sink.arg = &tr;
	if (sources(c, o, &src) < 0 ||
	    logsrc_read(c->t, &src, o->since, o->until, &sink, &c->e) < 0) {
		rc = cli_fail(c);
	} else if ((logtrace_finish(tr.t), tr.t->n == 0)) {
		err_set(&c->e, ERR_NOTFOUND, "no line of %s names %s", src.desc, o->id);
		rc = cli_fail(c);
	} else if (c->o->json) {
		tr_json(tr.t);
	} else {
		tr_text(tr.t);
	}
	logsrc_free(&src);
	logtrace_free(tr.t);
	return rc;
}

/* ---- follow ------------------------------------------------------------------- */

static volatile sig_atomic_t follow_stop;

static void on_signal(int sig)
{
	(void)sig;
	follow_stop = 1;
}

struct follower {
	struct logfollow *lf;
	int json, colour;
	long shown, max;
};

/* fo_line - a line that passes the filters, coloured by outcome on a terminal. */
static int fo_line(void *arg, const char *line, size_t len)
{
	static const char *const colours[] = { "", "\033[32m", "\033[33m", "\033[31m" };
	struct follower *fo = arg;

	if (!logfollow_match(fo->lf, line, len))
		return follow_stop;
	if (fo->json) {
		struct buf b = BUF_INIT;
		struct json j;
		static const char *const kinds[] = { "other", "sent", "deferred", "bounced" };

		json_init(&j, &b);
		json_obj_begin(&j);
		json_kv_str(&j, "kind", kinds[logfollow_kind(line, len)]);
		json_key(&j, "line");
		buf_puts(&b, "");
		{
			char *s = strndup(line, len);

			json_str(&j, s);
			free(s);
		}
		json_obj_end(&j);
		buf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		fflush(stdout);
		buf_free(&b);
	} else if (fo->colour) {
		struct buf b = BUF_INIT;
		enum logfollow_kind k = logfollow_kind(line, len);

		/* escaped text between our own colour codes, straight to the terminal */
		buf_puts(&b, colours[k]);
		termsafe_append(&b, line, len, strcmp(nl_langinfo(CODESET), "UTF-8") ? TERMSAFE_ASCII : 0);
		buf_puts(&b, k ? "\033[0m\n" : "\n");
		fflush(stdout);
		if (write(STDOUT_FILENO, b.data, b.len) < 0)
			follow_stop = 1;
		buf_free(&b);
	} else {
		printf("%.*s\n", (int)len, line);
		fflush(stdout);
	}
	if (fo->max > 0 && ++fo->shown >= fo->max)
		follow_stop = 1;
	return follow_stop;
}

static int cmd_follow(struct cli_ctx *c, const struct lopts *o)
{
	struct logfollow_filter f = { o->f_status, o->f_relay, o->f_rcpt, o->f_sender, o->f_text };
	struct follower fo;
	struct logsrc src;
	struct logsrc_sink sink = { &fo, NULL, fo_line, NULL, NULL, NULL };
	const char *path = NULL;
	int rc = EXIT_OK;

	memset(&fo, 0, sizeof(fo));
	fo.json = c->o->json;
	fo.colour = !fo.json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	fo.max = o->max_lines;
	if (o->nfiles > 1)
		return cli_usage_error(c, "logs follow: one --file at a time");
	if (sources(c, o, &src) < 0) {
		rc = cli_fail(c);
		goto out;
	}
	if (o->nfiles == 1 && !src.files[0].journal)
		path = src.files[0].path;
	else if (o->nfiles == 0 && src.live[0])
		path = src.live;
	if ((fo.lf = logfollow_new(path, &f, o->from_start)) == NULL) {
		rc = (err_set(&c->e, ERR_NOMEM, "out of memory"), cli_fail(c));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, on_signal);
	if (path) {
		fprintf(stderr, "relaydeck: following %s\n", path);
		while (!follow_stop) {
			if (logfollow_poll(fo.lf, c->t, &sink, &c->e) < 0) {
				rc = cli_fail(c);
				break;
			}
			for (int i = 0; i < 5 && !follow_stop; i++)
				usleep(100 * 1000);
		}
	} else {
		if (logsrc_follow_journal(c->t, &src, o->from_start, &sink, &c->e) < 0 &&
		    !follow_stop)
			rc = cli_fail(c);
	}
out:
	logfollow_free(fo.lf);
	logsrc_free(&src);
	return rc;
}

int cli_cmd_logs(struct cli_ctx *c, int argc, char **argv)
{
	struct lopts o;

	if (argc < 2)
		return cli_usage_error(c, "logs: summary, trace or follow");
	if (parse_opts(c, argc, argv, &o) < 0)
		return c->e.code == ERR_USAGE ? cli_usage_error(c, c->e.msg) : cli_fail(c);
	if (strcmp(argv[1], "summary") == 0) {
		if (o.id)
			return cli_usage_error(c, "logs summary takes no ID");
		return cmd_summary(c, &o);
	}
	if (strcmp(argv[1], "trace") == 0)
		return cmd_trace(c, &o);
	if (strcmp(argv[1], "follow") == 0) {
		if (o.id)
			return cli_usage_error(c, "logs follow takes no ID (filters: --status, "
					       "--relay, --sender, --rcpt, --text)");
		return cmd_follow(c, &o);
	}
	return cli_usage_error(c, "logs: summary, trace or follow");
}
