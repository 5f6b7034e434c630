/*
 * cli_queue - the mail queue subcommands. See cli_queue.h.
 *
 * list streams: each message is printed as its line of `postqueue -j`
 * arrives and then dropped from the model, so 100,000 messages print
 * with the memory of one (unless --sort needs them all). Filters apply
 * message by message. --input FILE reads `postqueue -j` output saved
 * earlier instead of running postqueue (nothing can be acted on then).
 *
 * Actions take queue IDs (arguments, or "-" for stdin), or a filter, or
 * --all: with a filter the queue is listed first, so only the messages
 * the action applies to are named (hold: those not held; release: held
 * ones). A message postsuper did not act on (gone meanwhile) is
 * reported, not an error. Every action states its count and asks
 * (--yes does not); delete asks twice.
 */
#include "config.h"
#include "cli_queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_int.h"
#include "json.h"
#include "queue.h"
#include "queue_act.h"
#include "queue_shape.h"
#include "report.h"
#include "target.h"

struct qopts {
	struct queue_filter f;
	int have_filter;
	int all;
	enum queue_sort sort;
	int reverse;
	int by_sender;
	int body;
	int longfmt;
	const char *input;
	const char *site;
	char **ids;
	size_t nids, ids_alloc;
	int ids_stdin;
	long long now;
};

static void qopts_free(struct qopts *o)
{
	for (size_t i = 0; i < o->nids; i++)
		free(o->ids[i]);
	free(o->ids);
}

static int add_id(struct qopts *o, const char *id, size_t len)
{
	if (o->nids == o->ids_alloc) {
		size_t n = o->ids_alloc ? o->ids_alloc * 2 : 16;
		char **v = realloc(o->ids, n * sizeof(*v));

		if (v == NULL)
			return -1;
		o->ids = v;
		o->ids_alloc = n;
	}
	if ((o->ids[o->nids] = strndup(id, len)) == NULL)
		return -1;
	o->nids++;
	return 0;
}

/* read_ids - queue IDs from stdin, separated by blanks or newlines (the
 * first word of each line of `mailq`-like output is not assumed). */
static int read_ids(struct cli_ctx *c, struct qopts *o)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		char *p = line;

		for (;;) {
			size_t n;

			p += strspn(p, " \t\r\n");
			if (*p == '\0')
				break;
			n = strcspn(p, " \t\r\n");
			if (add_id(o, p, n) < 0)
				return err_set(&c->e, ERR_NOMEM, "out of memory");
			p += n;
		}
	}
	return 0;
}

/* take - the value of an option given as "--opt V" or "--opt=V". */
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

static int is(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(a, opt, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

/* parse_opts - the options after "queue SUB"; IDs are collected. */
static int parse_opts(struct cli_ctx *c, int argc, char **argv, struct qopts *o)
{
	const char *v;

	queue_filter_init(&o->f);
	o->sort = QS_NONE;
	o->now = (long long)time(NULL);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (is(a, "--queue")) {
			struct queue_filter tmp;
			char spec[300];

			if ((v = take(argc, argv, &i, "--queue", c)) == NULL)
				return -1;
			snprintf(spec, sizeof(spec), "queue:%s", v);
			if (queue_filter_parse(&tmp, spec, &c->e) < 0)
				return -1;
			o->f.queues |= tmp.queues;
			o->have_filter = 1;
		} else if (is(a, "--domain") || is(a, "--sender") || is(a, "--reason")) {
			char *dst = a[2] == 'd' ? o->f.domain : a[2] == 's' ? o->f.sender : o->f.reason;
			const char *opt = a[2] == 'd' ? "--domain" : a[2] == 's' ? "--sender" : "--reason";

			if ((v = take(argc, argv, &i, opt, c)) == NULL)
				return -1;
			if (strlen(v) >= sizeof(o->f.domain))
				return err_set(&c->e, ERR_USAGE, "%s: value too long", opt);
			snprintf(dst, sizeof(o->f.domain), "%s", v);
			o->have_filter = 1;
		} else if (is(a, "--older-than") || is(a, "--younger-than")) {
			const char *opt = a[2] == 'o' ? "--older-than" : "--younger-than";
			long long d;

			if ((v = take(argc, argv, &i, opt, c)) == NULL)
				return -1;
			if ((d = queue_duration_parse(v)) < 0)
				return err_set(&c->e, ERR_USAGE, "%s: \"%s\" is not a duration "
					       "(90s, 30m, 2h, 3d, 1w)", opt, v);
			if (opt[2] == 'o')
				o->f.older = d;
			else
				o->f.younger = d;
			o->have_filter = 1;
		} else if (is(a, "--sort")) {
			if ((v = take(argc, argv, &i, "--sort", c)) == NULL)
				return -1;
			if (queue_sort_parse(v, &o->sort) < 0)
				return err_set(&c->e, ERR_USAGE, "--sort: age, size, sender, domain, id "
					       "or queue");
		} else if (strcmp(a, "--reverse") == 0) {
			o->reverse = 1;
		} else if (is(a, "--by")) {
			if ((v = take(argc, argv, &i, "--by", c)) == NULL)
				return -1;
			if (strcmp(v, "sender") == 0)
				o->by_sender = 1;
			else if (strcmp(v, "recipient") != 0)
				return err_set(&c->e, ERR_USAGE, "--by: recipient or sender");
		} else if (is(a, "--input")) {
			if ((o->input = take(argc, argv, &i, "--input", c)) == NULL)
				return -1;
		} else if (is(a, "--site")) {
			if ((o->site = take(argc, argv, &i, "--site", c)) == NULL)
				return -1;
		} else if (strcmp(a, "--body") == 0) {
			o->body = 1;
		} else if (strcmp(a, "--long") == 0) {
			o->longfmt = 1;
		} else if (strcmp(a, "--all") == 0) {
			o->all = 1;
		} else if (strcmp(a, "-") == 0) {
			o->ids_stdin = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return err_set(&c->e, ERR_USAGE, "queue %s: unknown option %s", argv[1], a);
		} else if (add_id(o, a, strlen(a)) < 0) {
			return err_set(&c->e, ERR_NOMEM, "out of memory");
		}
	}
	if (o->ids_stdin && read_ids(c, o) < 0)
		return -1;
	return 0;
}

/* need_target - open the target on first use (--input needs none). */
static int need_target(struct cli_ctx *c)
{
	if (c->t == NULL && (c->t = cli_open_target(c->o, &c->e)) == NULL)
		return -1;
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

struct sink {
	struct queue_reader *r;
	struct err e;
	int failed;
};

static int sink_feed(void *arg, const char *data, size_t len)
{
	struct sink *k = arg;

	if (queue_reader_feed(k->r, data, len, &k->e) < 0) {
		k->failed = 1;
		return 1;
	}
	return 0;
}

/* load - postqueue -j (or --input) through a reader calling fn per
 * message. Partial results stay with fn's owner on failure; problems
 * with single lines are warned about on stderr. */
static int load(struct cli_ctx *c, struct qopts *o, struct queue *q, queue_msg_fn fn,
		void *arg)
{
	struct sink k;
	char why[600];
	int rc = 0, cancelled = 0;

	memset(&k, 0, sizeof(k));
	if ((k.r = queue_reader_new(q, fn, arg)) == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	if (o->input) {
		FILE *fp = strcmp(o->input, "-") == 0 ? stdin : fopen(o->input, "r");
		char chunk[65536];
		size_t n;

		if (fp == NULL) {
			err_sys(&c->e, "open %s", o->input);
			if (errno == ENOENT)
				c->e.code = ERR_NOTFOUND;
			rc = err_at(&c->e, o->input, 0);
		} else {
			while (!k.failed && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
				sink_feed(&k, chunk, n);
			if (ferror(fp))
				rc = err_sys(&c->e, "read %s", o->input);
			if (fp != stdin)
				fclose(fp);
		}
	} else if (need_target(c) < 0) {
		rc = -1;
	} else {
		rc = queue_stream(c->t, sink_feed, &k, &cancelled, &c->e);
	}
	if (k.failed) {
		c->e = k.e;
		rc = -1;
	} else if (queue_reader_end(k.r, rc < 0 ? &k.e : &c->e) < 0 && rc == 0) {
		rc = -1;
	}
	queue_reader_describe(queue_reader_stats(k.r), why, sizeof(why));
	if (why[0])
		fprintf(stderr, "relaydeck: warning: %s\n", why);
	queue_reader_free(k.r);
	return rc;
}

/* ---- list --------------------------------------------------------------- */

/* json_msg - one message as one JSON object (and its newline) into b. */
static void json_msg(struct buf *b, struct queue *q, size_t i, long long now)
{
	const struct queue_msg *m = &q->msgs[i];
	struct json j;
	char addr[1100];

	json_init(&j, b);
	json_obj_begin(&j);
	json_kv_str(&j, "id", m->id);
	json_kv_str(&j, "queue", queue_name_str((enum queue_name)m->queue));
	json_kv_int(&j, "arrival_time", m->arrival);
	json_kv_int(&j, "age", now - m->arrival);
	json_kv_int(&j, "size", m->size);
	json_kv_str(&j, "sender", queue_sender(q, m));
	json_kv_bool(&j, "forced_expire", (m->flags & QM_FORCED_EXPIRE) != 0);
	json_key(&j, "recipients");
	json_arr_begin(&j);
	for (uint32_t k = 0; k < m->nrcpt; k++) {
		const struct queue_rcpt *r = &q->rcpts[m->rcpt + k];

		json_obj_begin(&j);
		json_kv_str(&j, "address", queue_rcpt_address(q, r, addr, sizeof(addr)));
		json_kv_str(&j, "domain", queue_rcpt_domain(q, r));
		json_kv_str(&j, "reason", queue_rcpt_reason(q, r));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_putc(b, '\n');
}

/* text_msg - "ID QUEUE AGE SIZE SENDER RECIPIENT (+N)" and, long, one
 * line per recipient with its reason. */
static void text_msg(struct buf *b, struct queue *q, size_t i, long long now, int longfmt)
{
	const struct queue_msg *m = &q->msgs[i];
	char age[32], addr[1100];
	const char *sender = queue_sender(q, m);

	queue_age_format(now - m->arrival, age, sizeof(age));
	buf_printf(b, "%-15s %-8s %7s %9u  %s", m->id, queue_name_str((enum queue_name)m->queue),
		   age, m->size, *sender ? sender : "<>");
	if (!longfmt) {
		if (m->nrcpt > 0)
			buf_printf(b, "  %s", queue_rcpt_address(q, &q->rcpts[m->rcpt], addr,
								 sizeof(addr)));
		if (m->nrcpt > 1)
			buf_printf(b, " +%u", m->nrcpt - 1);
		buf_putc(b, '\n');
		return;
	}
	buf_putc(b, '\n');
	for (uint32_t k = 0; k < m->nrcpt; k++) {
		const struct queue_rcpt *r = &q->rcpts[m->rcpt + k];
		const char *why = queue_rcpt_reason(q, r);

		buf_printf(b, "    %s\n", queue_rcpt_address(q, r, addr, sizeof(addr)));
		if (why)
			buf_printf(b, "      (%s)\n", why);
	}
}

struct lister {
	struct cli_ctx *c;
	struct qopts *o;
	struct queue_matcher *mt;
	int keep;		/* sorting: keep the matches */
	size_t shown, rcpts, per_queue[QN_COUNT];
	struct buf out;
	int oom;
};

/* print_one - one message to stdout. */
static void print_one(struct lister *l, struct queue *q, size_t i)
{
	buf_reset(&l->out);
	if (l->c->o->json)
		json_msg(&l->out, q, i, l->o->now);
	else
		text_msg(&l->out, q, i, l->o->now, l->o->longfmt);
	fwrite(l->out.data, 1, l->out.len, stdout);
	l->shown++;
	l->rcpts += q->msgs[i].nrcpt;
	l->per_queue[q->msgs[i].queue]++;
}

static int list_each(void *arg, struct queue *q, size_t i)
{
	struct lister *l = arg;
	int r = l->mt ? queue_matcher_match(l->mt, q, i) : 1;

	if (r < 0) {
		l->oom = 1;
		return QUEUE_DROP;
	}
	if (r == 0)
		return QUEUE_DROP;
	if (l->keep)
		return QUEUE_KEEP;
	print_one(l, q, i);
	return QUEUE_DROP;
}

static void list_header(struct cli_ctx *c)
{
	if (!c->o->json)
		printf("%-15s %-8s %7s %9s  %s\n", "ID", "QUEUE", "AGE", "SIZE", "SENDER  RECIPIENT");
}

/* list_summary - "-- 3 messages (2 deferred, 1 hold), 5 recipients". */
static void list_summary(struct lister *l, int complete)
{
	char n[32];
	int first = 1;

	if (l->c->o->json)
		return;
	printf("-- %s message%s", report_count(l->shown, n, sizeof(n)), l->shown == 1 ? "" : "s");
	for (int k = 0; k < QN_COUNT; k++) {
		if (l->per_queue[k] == 0)
			continue;
		printf("%s%s %s", first ? " (" : ", ", report_count(l->per_queue[k], n, sizeof(n)),
		       queue_name_str((enum queue_name)k));
		first = 0;
	}
	printf("%s, %s recipient%s%s\n", first ? "" : ")", report_count(l->rcpts, n, sizeof(n)),
	       l->rcpts == 1 ? "" : "s", complete ? "" : " so far (incomplete)");
}

static int cmd_list(struct cli_ctx *c, struct qopts *o)
{
	struct queue q;
	struct lister l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.o = o;
	l.keep = o->sort != QS_NONE || o->reverse;
	if (queue_init(&q) < 0 ||
	    (o->have_filter && (l.mt = queue_matcher_new(&o->f, o->now)) == NULL)) {
		queue_free(&q);
		err_set(&c->e, ERR_NOMEM, "out of memory");
		return cli_fail(c);
	}
	list_header(c);
	rc = load(c, o, &q, list_each, &l);
	if (l.oom && rc == 0)
		rc = err_set(&c->e, ERR_NOMEM, "out of memory");
	if (l.keep) {
		static const struct queue_filter none = { .older = -1, .younger = -1 };
		uint32_t *idx = NULL;
		size_t n = 0;
		struct err se;

		err_clear(&se);
		if (queue_select(&q, &none, o->now, o->sort, o->reverse, &idx, &n, &se) < 0 && rc == 0) {
			c->e = se;
			rc = -1;
		}
		for (size_t k = 0; k < n; k++)
			print_one(&l, &q, idx[k]);
		free(idx);
	}
	list_summary(&l, rc == 0);
	fflush(stdout);
	queue_matcher_free(l.mt);
	buf_free(&l.out);
	queue_free(&q);
	return rc < 0 ? cli_fail(c) : EXIT_OK;
}

/* ---- shape -------------------------------------------------------------- */

void cli_queue_print_shape(const struct cli_opts *o, const struct queue_shape *s, unsigned mask,
			   const char *source)
{
	char label[16];
	int w[QUEUE_SHAPE_BUCKETS + 1], dw = 18;
	struct buf b = BUF_INIT;

	if (o->json) {
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "queues");
		json_arr_begin(&j);
		for (int k = 0; k < QN_OTHER; k++)
			if (mask & QUEUE_MASK(k))
				json_str(&j, queue_name_str((enum queue_name)k));
		json_arr_end(&j);
		json_kv_str(&j, "by", s->by_sender ? "sender" : "recipient");
		json_kv_str(&j, "source", source);
		json_kv_int(&j, "messages", (long long)s->messages);
		json_key(&j, "buckets");
		json_arr_begin(&j);
		for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
			json_str(&j, queue_shape_label(k, label, sizeof(label)));
		json_arr_end(&j);
		json_key(&j, "rows");
		json_arr_begin(&j);
		for (size_t r = 0; r <= s->nrows; r++) {
			const struct queue_shape_row *row = r == 0 ? &s->total : &s->rows[r - 1];

			json_obj_begin(&j);
			json_kv_str(&j, "domain", row->name);
			json_kv_int(&j, "total", (long long)row->total);
			json_key(&j, "counts");
			json_arr_begin(&j);
			for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
				json_int(&j, (long long)row->count[k]);
			json_arr_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
		return;
	}
	/* qshape's layout: each column as wide as its heading or TOTAL's count */
	for (int k = 0; k <= QUEUE_SHAPE_BUCKETS; k++) {
		size_t n = k == 0 ? s->total.total : s->total.count[k - 1];
		int l = snprintf(NULL, 0, "%zu", n);
		int h = k == 0 ? 1 : (int)strlen(queue_shape_label(k - 1, label, sizeof(label)));

		w[k] = (h > l ? h : l) + 1;
		if (w[k] < 3)
			w[k] = 3;
	}
	for (size_t r = 0; r < s->nrows; r++) {
		int l = (int)strlen(s->rows[r].name);

		if (l > dw)
			dw = l < 60 ? l : 60;
	}
	printf("%*s", dw, "");
	for (int k = 0; k <= QUEUE_SHAPE_BUCKETS; k++)
		printf("%*s", w[k], k == 0 ? "T" : queue_shape_label(k - 1, label, sizeof(label)));
	printf("\n");
	for (size_t r = 0; r <= s->nrows; r++) {
		const struct queue_shape_row *row = r == 0 ? &s->total : &s->rows[r - 1];

		printf("%*.*s", dw, dw, row->name);
		printf("%*zu", w[0], row->total);
		for (int k = 0; k < QUEUE_SHAPE_BUCKETS; k++)
			printf("%*zu", w[k + 1], row->count[k]);
		printf("\n");
	}
}

struct keeper {
	struct queue_matcher *mt;
	int oom;
};

/* keep_matching - keep only what the filter matches. */
static int keep_matching(void *arg, struct queue *q, size_t i)
{
	struct keeper *k = arg;
	int r = k->mt ? queue_matcher_match(k->mt, q, i) : 1;

	if (r < 0)
		k->oom = 1;
	return r > 0 ? QUEUE_KEEP : QUEUE_DROP;
}

/* load_matching - the messages the filter matches, all in q. */
static int load_matching(struct cli_ctx *c, struct qopts *o, struct queue *q)
{
	struct keeper k = { NULL, 0 };
	int rc;

	if (!queue_filter_empty(&o->f) && (k.mt = queue_matcher_new(&o->f, o->now)) == NULL)
		return err_set(&c->e, ERR_NOMEM, "out of memory");
	rc = load(c, o, q, keep_matching, &k);
	queue_matcher_free(k.mt);
	if (k.oom && rc == 0)
		rc = err_set(&c->e, ERR_NOMEM, "out of memory");
	return rc;
}

/* all_of - indices 0..count-1 of q. */
static uint32_t *all_of(const struct queue *q)
{
	uint32_t *v = malloc((q->count ? q->count : 1) * sizeof(*v));

	if (v)
		for (size_t i = 0; i < q->count; i++)
			v[i] = (uint32_t)i;
	return v;
}

static int cmd_shape(struct cli_ctx *c, struct qopts *o)
{
	struct queue_shape s;
	struct queue q;
	unsigned mask;
	int only_queues, r = 1, rc = 0;
	const char *source = "postqueue -j";

	if (o->f.queues == 0)
		o->f.queues = QUEUE_MASK(QN_DEFERRED);	/* what `qshape deferred` shows */
	mask = o->f.queues;
	only_queues = o->f.domain[0] == 0 && o->f.sender[0] == 0 && o->f.reason[0] == 0 &&
		      o->f.older < 0 && o->f.younger < 0;
	if (queue_shape_init(&s, o->by_sender, o->now) < 0) {
		err_set(&c->e, ERR_NOMEM, "out of memory");
		return cli_fail(c);
	}
	/* The queue files hold all a shape needs and read much faster than
	 * postqueue -j, which also reads every message's delay log. */
	if (only_queues && o->input == NULL) {
		if (need_target(c) < 0) {
			queue_shape_free(&s);
			return cli_fail(c);
		}
		r = queue_scan_shape(c->t, mask, &s, &c->e);
		if (r < 0) {
			queue_shape_free(&s);
			return cli_fail(c);
		}
		if (r == 0)
			source = "queue files";
	}
	if (r == 1) {
		uint32_t *idx;

		queue_init(&q);
		rc = load_matching(c, o, &q);
		if ((idx = all_of(&q)) == NULL || queue_shape_build(&s, &q, idx, q.count, &c->e) < 0)
			rc = -1;
		free(idx);
		queue_free(&q);
	}
	if (c->o->collect && c->o->collect->shape) {
		if (c->o->collect->shape(c->o->collect->arg, &s, mask, source) < 0 && rc == 0)
			rc = err_set(&c->e, ERR_NOMEM, "out of memory");
	} else {
		cli_queue_print_shape(c->o, &s, mask, source);
	}
	queue_shape_free(&s);
	return rc < 0 ? cli_fail(c) : EXIT_OK;
}

/* ---- reasons ------------------------------------------------------------ */

void cli_queue_print_reasons(const struct cli_opts *o, const struct cli_reason_row *rows, size_t n,
			     size_t recipients, size_t messages, size_t hosts)
{
	char n1[32], n2[32], n3[32];

	if (o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_kv_int(&j, "messages", (long long)messages);
		json_kv_int(&j, "recipients", (long long)recipients);
		if (hosts)
			json_kv_int(&j, "hosts", (long long)hosts);
		json_key(&j, "groups");
		json_arr_begin(&j);
		for (size_t g = 0; g < n; g++) {
			json_obj_begin(&j);
			json_kv_str(&j, "reason", rows[g].text);
			json_kv_int(&j, "recipients", (long long)rows[g].recipients);
			json_kv_int(&j, "messages", (long long)rows[g].messages);
			if (hosts)
				json_kv_int(&j, "hosts", (long long)rows[g].hosts);
			json_kv_str(&j, "example", rows[g].example);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
		return;
	}
	if (hosts)
		printf("%10s %9s %7s  %s\n", "RECIPIENTS", "MESSAGES", "RELAYS",
		       "REASON (host, numbers folded)");
	else
		printf("%10s %9s  %s\n", "RECIPIENTS", "MESSAGES", "REASON (host, numbers folded)");
	for (size_t g = 0; g < n; g++) {
		const struct cli_reason_row *gr = &rows[g];

		printf("%10s %9s", report_count(gr->recipients, n1, sizeof(n1)),
		       report_count(gr->messages, n2, sizeof(n2)));
		if (hosts)
			printf(" %7s", report_count(gr->hosts, n3, sizeof(n3)));
		printf("  %s\n", gr->text[0] ? gr->text : "(no delay reason: not tried yet)");
		if (gr->example[0] && strcmp(gr->example, gr->text) != 0)
			printf("%*s  e.g. %s\n", hosts ? 29 : 21, "", gr->example);
	}
	printf("-- %s recipients of %s messages", report_count(recipients, n1, sizeof(n1)),
	       report_count(messages, n2, sizeof(n2)));
	if (hosts)
		printf(" on %s relay%s", report_count(hosts, n3, sizeof(n3)), hosts == 1 ? "" : "s");
	printf("\n");
}

static int cmd_reasons(struct cli_ctx *c, struct qopts *o)
{
	struct queue_reasons rs;
	struct queue q;
	uint32_t *idx = NULL;
	int rc;

	memset(&rs, 0, sizeof(rs));
	queue_init(&q);
	rc = load_matching(c, o, &q);
	if ((idx = all_of(&q)) == NULL || queue_reasons_build(&rs, &q, idx, q.count, &c->e) < 0)
		rc = -1;
	if (rc == 0 && c->o->collect && c->o->collect->reasons) {
		if (c->o->collect->reasons(c->o->collect->arg, &rs) < 0)
			rc = err_set(&c->e, ERR_NOMEM, "out of memory");
	} else if (rc == 0 || rs.ngroups > 0) {
		struct cli_reason_row *rows = calloc(rs.ngroups ? rs.ngroups : 1, sizeof(*rows));

		if (rows == NULL) {
			rc = err_set(&c->e, ERR_NOMEM, "out of memory");
		} else {
			for (size_t g = 0; g < rs.ngroups; g++) {
				rows[g].text = rs.groups[g].text;
				rows[g].example = rs.groups[g].example;
				rows[g].recipients = rs.groups[g].recipients;
				rows[g].messages = rs.groups[g].messages;
			}
			cli_queue_print_reasons(c->o, rows, rs.ngroups, rs.recipients, rs.messages, 0);
			free(rows);
		}
	}
	free(idx);
	queue_reasons_free(&rs);
	queue_free(&q);
	return rc < 0 ? cli_fail(c) : EXIT_OK;
}

/* ---- show --------------------------------------------------------------- */

/* section - the text between marker line "*** NAME" and the next "*** ". */
static char *section(const char *text, const char *name)
{
	const char *p = text, *start, *end;

	while ((p = strstr(p, "*** ")) != NULL) {
		if ((p == text || p[-1] == '\n') && strncmp(p + 4, name, strlen(name)) == 0)
			break;
		p += 4;
	}
	if (p == NULL || (start = strchr(p, '\n')) == NULL)
		return NULL;
	start++;
	for (end = start; (end = strstr(end, "*** ")) != NULL; end += 4)
		if (end[-1] == '\n')
			break;
	if (end == NULL)
		end = start + strlen(start);
	return strndup(start, (size_t)(end - start));
}

static int cmd_show(struct cli_ctx *c, struct qopts *o)
{
	struct buf out = BUF_INIT, b = BUF_INIT;

	if (o->nids != 1)
		return cli_usage_error(c, "queue show takes one queue ID");
	if (need_target(c) < 0)
		return cli_fail(c);
	if (queue_show(c->t, o->ids[0], o->body, &out, &c->e) < 0) {
		buf_free(&out);
		return cli_fail(c);
	}
	if (c->o->json) {
		char *env = section(out.data, "ENVELOPE"), *content = section(out.data, "MESSAGE CONTENTS");
		char *body = NULL;
		struct json j;

		/* headers end at the first empty line of the content */
		if (content) {
			char *blank = strstr(content, "\n\n");

			if (content[0] == '\n')
				blank = content - 1;
			if (blank) {
				body = strdup(blank + 2);
				blank[1] = '\0';
			}
		}
		json_init(&j, &b);
		json_obj_begin(&j);
		json_kv_str(&j, "id", o->ids[0]);
		json_kv_str(&j, "envelope", env ? env : "");
		json_kv_str(&j, "headers", content ? content : "");
		if (o->body)
			json_kv_str(&j, "body", body ? body : "");
		else
			json_kv_str(&j, "body", NULL);
		json_obj_end(&j);
		printf("%s\n", b.data);
		free(env);
		free(content);
		free(body);
	} else {
		fwrite(out.data, 1, out.len, stdout);
	}
	buf_free(&out);
	buf_free(&b);
	return EXIT_OK;
}

/* ---- actions -------------------------------------------------------------- */

struct picker {
	struct queue_matcher *mt;
	enum queue_action a;
	int oom;
};

/* pick_applicable - keep the matches the action applies to. */
static int pick_applicable(void *arg, struct queue *q, size_t i)
{
	struct picker *p = arg;
	int r = p->mt ? queue_matcher_match(p->mt, q, i) : 1;

	if (r < 0)
		p->oom = 1;
	if (r > 0 && queue_action_applies(p->a, q->msgs[i].queue))
		return QUEUE_KEEP;
	return QUEUE_DROP;
}

/* confirm_action - the question with the count; delete asks twice. */
static int confirm_action(struct cli_ctx *c, enum queue_action a, size_t n)
{
	char q[300], cnt[32];
	int go;

	report_count(n, cnt, sizeof(cnt));
	if (a == QA_DELETE)
		snprintf(q, sizeof(q), "Delete %s message%s from the queue of %s?", cnt,
			 n == 1 ? "" : "s", c->t->name);
	else
		snprintf(q, sizeof(q), "%c%s %s message%s on %s?",
			 queue_action_name(a)[0] - 'a' + 'A', queue_action_name(a) + 1, cnt,
			 n == 1 ? "" : "s", c->t->name);
	if ((go = cli_confirm(c, q)) <= 0 || a != QA_DELETE || c->o->yes)
		return go;
	snprintf(q, sizeof(q), "Deleted mail cannot be brought back. Really delete %s message%s?",
		 cnt, n == 1 ? "" : "s");
	return cli_confirm(c, q);
}

/* print_result - what was done and what was not there any more. */
static void print_result(struct cli_ctx *c, const struct queue_act_result *r)
{
	char n[32];

	if (c->o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_kv_str(&j, "action", queue_action_name(r->action));
		json_kv_int(&j, "requested", (long long)r->requested);
		json_kv_int(&j, "done", (long long)r->done);
		json_key(&j, "missing");
		json_arr_begin(&j);
		for (size_t i = 0; i < r->nmissing; i++)
			json_str(&j, r->missing[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", b.data);
		buf_free(&b);
		return;
	}
	printf("%s: %s message%s\n", queue_action_done(r->action), report_count(r->done, n, sizeof(n)),
	       r->done == 1 ? "" : "s");
	if (r->nmissing) {
		printf("not acted on (no longer in the queue, or already %s): %s:",
		       queue_action_done(r->action), report_count(r->nmissing, n, sizeof(n)));
		for (size_t i = 0; i < r->nmissing && i < 50; i++)
			printf(" %s", r->missing[i]);
		printf("%s\n", r->nmissing > 50 ? " ..." : "");
	}
}

static int cmd_act(struct cli_ctx *c, struct qopts *o, enum queue_action a)
{
	struct queue_act_result r;
	struct queue q;
	const char **ids = NULL;
	size_t n = 0;
	int go, status = EXIT_OK, have_q = 0;

	if (o->input)
		return cli_usage_error(c, "--input lists a saved queue: nothing to act on");
	if (a == QA_FLUSH && o->site) {
		if (o->nids || o->have_filter || o->all)
			return cli_usage_error(c, "flush --site takes no IDs or filters");
		if (need_target(c) < 0 || queue_flush_site(c->t, o->site, &c->e) < 0)
			return cli_fail(c);
		if (c->o->json)
			printf("{\"action\":\"flush\",\"site\":\"%s\",\"done\":true}\n", o->site);
		else
			printf("deliveries to %s scheduled (postqueue -s)\n", o->site);
		return EXIT_OK;
	}
	if (a == QA_FLUSH && o->nids == 0 && !o->have_filter && !o->ids_stdin) {
		/* no selection: the whole queue, as postqueue -f */
		if (need_target(c) < 0 || queue_flush_all(c->t, &c->e) < 0)
			return cli_fail(c);
		if (c->o->json)
			printf("{\"action\":\"flush\",\"all\":true,\"done\":true}\n");
		else
			printf("deferred mail scheduled for delivery (postqueue -f)\n");
		return EXIT_OK;
	}
	if (o->nids && (o->have_filter || o->all))
		return cli_usage_error(c, "name queue IDs or a filter, not both");
	if (o->nids == 0 && !o->have_filter && !o->all) {
		if (o->ids_stdin) {
			printf("%s: no queue IDs on stdin: nothing to do\n", queue_action_name(a));
			return EXIT_OK;
		}
		return cli_usage_error(c, "name queue IDs, - (IDs on stdin), a filter (--queue, "
				       "--domain, --sender, --reason, --older-than, --younger-than) "
				       "or --all");
	}
	if (need_target(c) < 0)
		return cli_fail(c);
	if (o->nids) {
		for (size_t i = 0; i < o->nids; i++)
			if (!queue_id_valid(o->ids[i])) {
				err_set(&c->e, ERR_INVALID, "not a queue ID: \"%.64s\"", o->ids[i]);
				return cli_fail(c);
			}
		ids = (const char **)o->ids;
		n = o->nids;
	} else {
		struct picker p = { NULL, a, 0 };
		int rc;

		queue_init(&q);
		have_q = 1;
		if (!queue_filter_empty(&o->f) && (p.mt = queue_matcher_new(&o->f, o->now)) == NULL) {
			err_set(&c->e, ERR_NOMEM, "out of memory");
			status = cli_fail(c);
			goto out;
		}
		rc = load(c, o, &q, pick_applicable, &p);
		queue_matcher_free(p.mt);
		if (rc < 0 || p.oom) {
			/* acting on part of a listing would miss messages: stop */
			if (p.oom)
				err_set(&c->e, ERR_NOMEM, "out of memory");
			status = cli_fail(c);
			goto out;
		}
		if ((ids = malloc((q.count ? q.count : 1) * sizeof(*ids))) == NULL) {
			err_set(&c->e, ERR_NOMEM, "out of memory");
			status = cli_fail(c);
			goto out;
		}
		for (size_t i = 0; i < q.count; i++)
			ids[n++] = q.msgs[i].id;
		if (n == 0) {
			if (c->o->json)
				printf("{\"action\":\"%s\",\"requested\":0,\"done\":0,\"missing\":[]}\n",
				       queue_action_name(a));
			else
				printf("%s: no message matches\n", queue_action_name(a));
			goto out;
		}
	}
	go = confirm_action(c, a, n);
	if (go < 0) {
		status = cli_fail(c);
		goto out;
	}
	if (go == 0) {
		printf("nothing done\n");
		status = EXIT_FAILED;
		goto out;
	}
	if (queue_act(c->t, a, ids, n, &r, &c->e) < 0) {
		status = cli_fail(c);
		goto out;
	}
	print_result(c, &r);
	queue_act_result_free(&r);
out:
	if (have_q) {
		free(ids);
		queue_free(&q);
	}
	return status;
}

int cli_cmd_queue(struct cli_ctx *c, int argc, char **argv)
{
	struct qopts o;
	enum queue_action a;
	const char *sub = argc > 1 ? argv[1] : "";
	int status;

	memset(&o, 0, sizeof(o));
	if (argc < 2)
		return cli_usage_error(c, "queue: list, shape, reasons, show, hold, release, requeue, "
				       "delete or flush");
	if (parse_opts(c, argc, argv, &o) < 0) {
		qopts_free(&o);
		return cli_fail(c);
	}
	if (strcmp(sub, "list") == 0 || strcmp(sub, "shape") == 0 || strcmp(sub, "reasons") == 0) {
		if (o.nids) {
			qopts_free(&o);
			return cli_usage_error(c, "queue list, shape and reasons take filters, not IDs");
		}
		status = sub[0] == 'l' ? cmd_list(c, &o) : sub[0] == 's' ? cmd_shape(c, &o) :
			 cmd_reasons(c, &o);
	} else if (strcmp(sub, "show") == 0) {
		status = cmd_show(c, &o);
	} else if (queue_action_parse(sub, &a) == 0) {
		status = cmd_act(c, &o, a);
	} else {
		status = cli_usage_error(c, "queue: list, shape, reasons, show, hold, release, "
					 "requeue, delete or flush");
	}
	qopts_free(&o);
	return status;
}
