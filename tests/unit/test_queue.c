/*
 * test_queue - the queue model and its `postqueue -j` reader: lines in
 * Postfix 3.7's format cut at every byte, bad and truncated lines
 * skipped and counted with what was read kept, dropping while streaming,
 * interned strings, filters and sort orders, qshape's buckets and
 * domains, the reason folding table, and the memory of 100,000 messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "queue_reason.h"
#include "queue_shape.h"
#include "strpool.h"

/* Three messages as postqueue -j of Postfix 3.7 prints them. */
static const char three[] =
	"{\"queue_name\": \"deferred\", \"queue_id\": \"D05DE1020B6\", \"arrival_time\": 1796410536, "
	"\"message_size\": 286, \"forced_expire\": false, \"sender\": \"alice@example.org\", "
	"\"recipients\": [{\"address\": \"carol@Dest1.example.com\", \"delay_reason\": \"delivery "
	"temporarily suspended: connect to 127.0.0.1[127.0.0.1]:48492: Connection refused\"}, "
	"{\"address\": \"bob3@dest3.example.com\", \"delay_reason\": \"connect to "
	"127.0.0.1[127.0.0.1]:48492: Connection refused\"}]}\n"
	"{\"queue_name\": \"hold\", \"queue_id\": \"CA79810205D\", \"arrival_time\": 1796400000, "
	"\"message_size\": 9000, \"forced_expire\": true, \"sender\": \"MAILER-DAEMON\", "
	"\"recipients\": [{\"address\": \"postmaster\"}]}\n"
	"{\"queue_name\": \"active\", \"queue_id\": \"C61CF10205E\", \"arrival_time\": 1796410000, "
	"\"message_size\": 1, \"forced_expire\": false, \"sender\": \"alice@example.org\", "
	"\"recipients\": [{\"address\": \"x\\u00e9@mx1.rl.example\", \"delay_reason\": \"host "
	"mx1.rl.example[192.0.2.1] said: 421 4.7.0 rate limited, try again in 17 seconds\"}]}\n";

static void check_three(struct queue *q)
{
	char a[200];

	assert_int_equal(q->count, 3);
	assert_int_equal(q->nrcpts, 4);
	assert_string_equal(q->msgs[0].id, "D05DE1020B6");
	assert_int_equal(q->msgs[0].queue, QN_DEFERRED);
	assert_int_equal(q->msgs[0].arrival, 1796410536LL);
	assert_int_equal(q->msgs[0].size, 286);
	assert_string_equal(queue_sender(q, &q->msgs[0]), "alice@example.org");
	/* repeated strings are stored once */
	assert_int_equal(q->msgs[0].sender, q->msgs[2].sender);
	assert_string_equal(queue_rcpt_address(q, &q->rcpts[0], a, sizeof(a)),
			    "carol@Dest1.example.com");
	assert_string_equal(queue_rcpt_domain(q, &q->rcpts[0]), "Dest1.example.com");
	assert_int_equal(q->msgs[1].queue, QN_HOLD);
	assert_true(q->msgs[1].flags & QM_FORCED_EXPIRE);
	assert_null(queue_rcpt_reason(q, &q->rcpts[2]));
	assert_string_equal(queue_rcpt_address(q, &q->rcpts[2], a, sizeof(a)), "postmaster");
	assert_string_equal(queue_rcpt_address(q, &q->rcpts[3], a, sizeof(a)),
			    "x\xc3\xa9@mx1.rl.example");
	assert_int_equal(q->per_queue[QN_DEFERRED], 1);
	assert_int_equal(q->per_queue[QN_ACTIVE], 1);
	assert_int_equal(queue_find(q, "CA79810205D"), 1);
	assert_int_equal(queue_find(q, "NOSUCH"), -1);
}

/* Every split of the input into two pieces reads the same three messages. */
static void test_reader_every_cut(void **state)
{
	size_t len = strlen(three);
	struct err e;

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		struct queue q;
		struct queue_reader *r;

		assert_int_equal(queue_init(&q), 0);
		r = queue_reader_new(&q, NULL, NULL);
		assert_non_null(r);
		assert_int_equal(queue_reader_feed(r, three, cut, &e), 0);
		/* the messages whose newline has arrived are there already */
		{
			size_t nl = 0;

			for (size_t i = 0; i < cut; i++)
				nl += three[i] == '\n';
			assert_int_equal(q.count, nl);
		}
		assert_int_equal(queue_reader_feed(r, three + cut, len - cut, &e), 0);
		assert_int_equal(queue_reader_end(r, &e), 0);
		assert_int_equal(queue_reader_stats(r)->bad, 0);
		check_three(&q);
		queue_reader_free(r);
		queue_free(&q);
	}
}

/* Bad lines are skipped and counted; what was read stays. */
static void test_reader_bad_lines(void **state)
{
	static const char *const bad[] = {
		"{\"queue_name\": \"deferred\", \"queue_id\": \"ABC\", \"arrival_tim",	/* cut */
		"not json at all",
		"[1, 2, 3]",
		"{\"queue_name\": \"deferred\", \"arrival_time\": 1, \"sender\": \"\", \"recipients\": []}",
		"{\"queue_name\": \"deferred\", \"queue_id\": \"../etc\", \"arrival_time\": 1, "
		"\"sender\": \"\", \"recipients\": []}",
		"{\"queue_name\": \"deferred\", \"queue_id\": \"A B\", \"arrival_time\": 1, "
		"\"sender\": \"\", \"recipients\": []}",
		"{\"queue_name\": \"deferred\", \"queue_id\": \"ABC\", \"arrival_time\": \"x\", "
		"\"sender\": \"\", \"recipients\": []}",
		"{\"queue_name\": \"deferred\", \"queue_id\": \"ABC\", \"arrival_time\": 1, "
		"\"sender\": \"\", \"recipients\": [{\"delay_reason\": \"x\"}]}",
		"{\"queue_name\": \"deferred\", \"queue_id\": \"ABC\", \"arrival_time\": 1, "
		"\"sender\": \"\", \"recipients\": []} trailing",
	};
	struct queue q;
	struct queue_reader *r;
	struct buf in = BUF_INIT;
	char why[400];
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		buf_printf(&in, "%s\n", bad[i]);
	buf_puts(&in, "\n   \n");
	buf_puts(&in, three);
	queue_init(&q);
	r = queue_reader_new(&q, NULL, NULL);
	assert_int_equal(queue_reader_feed(r, in.data, in.len, &e), 0);
	assert_int_equal(queue_reader_end(r, &e), 0);
	check_three(&q);
	assert_int_equal(queue_reader_stats(r)->bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(queue_reader_stats(r)->first_bad, 1);
	assert_false(queue_reader_stats(r)->truncated);
	queue_reader_describe(queue_reader_stats(r), why, sizeof(why));
	assert_non_null(strstr(why, "9 lines of postqueue -j output skipped (line 1: JSON"));
	queue_reader_free(r);
	queue_free(&q);
	buf_free(&in);
}

/* A last line without its end (a connection lost mid-line) is reported. */
static void test_reader_truncated(void **state)
{
	struct queue q;
	struct queue_reader *r;
	size_t len = strlen(three);
	char why[400];
	struct err e;

	(void)state;
	queue_init(&q);
	r = queue_reader_new(&q, NULL, NULL);
	assert_int_equal(queue_reader_feed(r, three, len - 40, &e), 0);
	assert_int_equal(queue_reader_end(r, &e), 0);
	assert_int_equal(q.count, 2);
	assert_true(queue_reader_stats(r)->truncated);
	queue_reader_describe(queue_reader_stats(r), why, sizeof(why));
	assert_non_null(strstr(why, "the last line was cut short (line 3"));
	queue_reader_free(r);
	queue_free(&q);

	/* the last line complete without its newline is a message */
	queue_init(&q);
	r = queue_reader_new(&q, NULL, NULL);
	assert_int_equal(queue_reader_feed(r, three, len - 1, &e), 0);
	assert_int_equal(queue_reader_end(r, &e), 0);
	check_three(&q);
	assert_false(queue_reader_stats(r)->truncated);
	queue_reader_free(r);
	queue_free(&q);

	/* nothing at all: an empty queue */
	queue_init(&q);
	r = queue_reader_new(&q, NULL, NULL);
	assert_int_equal(queue_reader_end(r, &e), 0);
	assert_int_equal(q.count, 0);
	assert_int_equal(queue_reader_stats(r)->bad, 0);
	queue_reader_free(r);
	queue_free(&q);
}

/* A line over the limit is skipped without holding it in memory. */
static void test_reader_long_line(void **state)
{
	struct queue q;
	struct queue_reader *r;
	char *junk = malloc(1 << 20);
	struct err e;

	(void)state;
	memset(junk, 'x', 1 << 20);
	queue_init(&q);
	r = queue_reader_new(&q, NULL, NULL);
	for (int i = 0; i < 17; i++)
		assert_int_equal(queue_reader_feed(r, junk, 1 << 20, &e), 0);
	assert_int_equal(queue_reader_feed(r, "\n", 1, &e), 0);
	assert_int_equal(queue_reader_feed(r, three, strlen(three), &e), 0);
	assert_int_equal(queue_reader_end(r, &e), 0);
	check_three(&q);
	assert_int_equal(queue_reader_stats(r)->bad, 1);
	assert_string_equal(queue_reader_stats(r)->first_why, "line longer than 16 MiB");
	queue_reader_free(r);
	queue_free(&q);
	free(junk);
}

static int drop_all(void *arg, struct queue *q, size_t i)
{
	size_t *seen = arg;

	assert_int_equal(i, q->count - 1);
	(*seen)++;
	return QUEUE_DROP;
}

/* Streaming: each message is seen, then dropped; memory does not grow. */
static void test_reader_drop(void **state)
{
	struct queue q;
	struct queue_reader *r;
	size_t seen = 0, bytes = 0;
	struct err e;

	(void)state;
	queue_init(&q);
	r = queue_reader_new(&q, drop_all, &seen);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(queue_reader_feed(r, three, strlen(three), &e), 0);
		if (i == 10)
			bytes = q.text.bytes;
	}
	assert_int_equal(queue_reader_end(r, &e), 0);
	assert_int_equal(seen, 9000);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.nrcpts, 0);
	assert_int_equal(q.text.bytes, bytes);
	queue_reader_free(r);
	queue_free(&q);
}

static void test_strpool(void **state)
{
	struct strpool p;
	char s[32];

	(void)state;
	assert_int_equal(strpool_init(&p), 0);
	assert_int_equal(strpool_find(&p, "", 0), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(s, sizeof(s), "reason %d", i % 1000);
		assert_int_equal(strpool_intern(&p, s, strlen(s)), (uint32_t)(i % 1000) + 1);
	}
	assert_int_equal(p.count, 1001);
	assert_string_equal(strpool_str(&p, 43), "reason 42");
	assert_int_equal(strpool_find(&p, "reason 4", 8), 5);
	assert_int_equal(strpool_find(&p, "reason 42x", 10), STRPOOL_NONE);
	/* a prefix is not the string */
	assert_int_equal(strpool_find(&p, "reason 42", 8), 5);
	strpool_free(&p);
}

struct norm_case {
	const char *in, *out;
};

static const struct norm_case norm_cases[] = {
	{ "", "" },
	{ "   ", "" },
	{ "delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:29635: Connection refused",
	  "connect to *: Connection refused" },
	{ "connect to mx.example.com[2001:db8::25]:25: Connection timed out",
	  "connect to *: Connection timed out" },
	{ "host mx1.rl.example[192.0.2.1] said: 421 4.7.0 Too many messages from 203.0.113.5, "
	  "rate limited; try again in 17 seconds",
	  "host * said: 421 4.7.0 Too many messages from *, rate limited; try again in # seconds" },
	{ "host gmail-smtp-in.l.google.com[142.250.1.27] said: 421-4.7.28 [203.0.113.5 15] Our "
	  "system has detected an unusual rate of unsolicited mail. To protect our users, see "
	  "https://support.google.com/mail/answer/188131 - gsmtp (in reply to end of DATA command)",
	  "host * said: 421-4.7.28 [* #] Our system has detected an unusual rate of unsolicited "
	  "mail. To protect our users, see https://*/mail/answer/# - gsmtp (in reply to end of "
	  "DATA command)" },
	{ "host mx.example[192.0.2.9] said: 450 4.2.0 <bob@example.net>: Recipient address "
	  "rejected: Greylisted for 300 seconds (in reply to RCPT TO command)",
	  "host * said: 450 4.2.0 <*>: Recipient address rejected: Greylisted for # seconds (in "
	  "reply to RCPT TO command)" },
	{ "Host or domain name not found. Name service error for name=mx3.dns.example type=MX: "
	  "Host not found, try again",
	  "Host or domain name not found. Name service error for name=* type=MX: Host not found, "
	  "try again" },
	{ "TLS is required, but was not offered by host mx2.tls.example[192.0.2.12]",
	  "TLS is required, but was not offered by host *" },
	{ "lost connection with smtp.example.com[198.51.100.7] while sending message body",
	  "lost connection with * while sending message body" },
	{ "conversation with x.example[192.0.2.1] timed out while receiving the initial server "
	  "greeting", "conversation with * timed out while receiving the initial server greeting" },
	{ "host relay.example[192.0.2.5] said: 451 Temporary failure, session 8f3a9c2b11e0 "
	  "(in reply to MAIL FROM command)",
	  "host * said: 451 Temporary failure, session * (in reply to MAIL FROM command)" },
	{ "4.7.1 rate   limited\tnow", "4.7.1 rate limited now" },
	{ "deferred transport", "deferred transport" },
};

static void test_reason_normalize(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		struct buf b = BUF_INIT;

		assert_int_equal(queue_reason_normalize(norm_cases[i].in, &b), 0);
		if (strcmp(b.data ? b.data : "", norm_cases[i].out) != 0)
			fail_msg("case %zu: \"%s\"\n  got \"%s\"\n want \"%s\"", i, norm_cases[i].in,
				 b.data ? b.data : "", norm_cases[i].out);
		buf_free(&b);
	}
}

/* qshape's buckets: [0,5) [5,10) [10,20) ... [640,1280) and 1280+ minutes. */
static void test_shape_buckets(void **state)
{
	static const struct { long long age; int b; } cases[] = {
		{ -100, 0 }, { 0, 0 }, { 299, 0 }, { 300, 1 }, { 599, 1 }, { 600, 2 },
		{ 1199, 2 }, { 1200, 3 }, { 2399, 3 }, { 2400, 4 }, { 38399, 7 }, { 38400, 8 },
		{ 76799, 8 }, { 76800, 9 }, { 10000000, 9 },
	};
	static const char *const labels[] = { "5", "10", "20", "40", "80", "160", "320", "640",
					      "1280", "1280+" };
	char l[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (queue_shape_bucket(cases[i].age) != cases[i].b)
			fail_msg("age %lld: bucket %d, want %d", cases[i].age,
				 queue_shape_bucket(cases[i].age), cases[i].b);
	for (int b = 0; b < QUEUE_SHAPE_BUCKETS; b++)
		assert_string_equal(queue_shape_label(b, l, sizeof(l)), labels[b]);
}

/* qshape's domain of an address. */
static void test_shape_domain(void **state)
{
	static const char *const cases[][2] = {
		{ "Bob@Example.COM", "example.com" }, { "a@b@c.example", "c.example" },
		{ "", "MAILER-DAEMON" }, { "postmaster", "postmaster" },
		{ "x@.example.org.", "example.org" }, { "x@a..b", "a.b" }, { "x@a...b", "a..b" },
		{ "x@", "" }, { "x@.", "." },
	};
	char out[100];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(queue_shape_domain(cases[i][0], out, sizeof(out)), cases[i][1]);
}

static void load_three(struct queue *q)
{
	struct queue_reader *r;
	struct err e;

	queue_init(q);
	r = queue_reader_new(q, NULL, NULL);
	assert_int_equal(queue_reader_feed(r, three, strlen(three), &e), 0);
	assert_int_equal(queue_reader_end(r, &e), 0);
	queue_reader_free(r);
}

/* ids_of - the selected IDs, space-separated. */
static const char *ids_of(struct queue *q, const char *spec, enum queue_sort s, int rev,
			  const char *text, char *out, size_t n)
{
	struct queue_filter f;
	uint32_t *idx;
	size_t cnt, o = 0;
	struct err e;

	assert_int_equal(queue_filter_parse(&f, spec, &e), 0);
	if (text)
		snprintf(f.text, sizeof(f.text), "%s", text);
	assert_int_equal(queue_select(q, &f, 1796410600LL, s, rev, &idx, &cnt, &e), 0);
	out[0] = '\0';
	for (size_t i = 0; i < cnt; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? " " : "", q->msgs[idx[i]].id);
	free(idx);
	return out;
}

static void test_filters_and_sort(void **state)
{
	struct queue q;
	struct queue_filter f;
	char out[400];
	struct err e;

	(void)state;
	load_three(&q);
	assert_string_equal(ids_of(&q, "", QS_NONE, 0, NULL, out, sizeof(out)),
			    "D05DE1020B6 CA79810205D C61CF10205E");
	assert_string_equal(ids_of(&q, "", QS_AGE, 0, NULL, out, sizeof(out)),
			    "CA79810205D C61CF10205E D05DE1020B6");
	assert_string_equal(ids_of(&q, "", QS_AGE, 1, NULL, out, sizeof(out)),
			    "D05DE1020B6 C61CF10205E CA79810205D");
	assert_string_equal(ids_of(&q, "", QS_SIZE, 0, NULL, out, sizeof(out)),
			    "CA79810205D D05DE1020B6 C61CF10205E");
	assert_string_equal(ids_of(&q, "", QS_DOMAIN, 0, NULL, out, sizeof(out)),
			    "CA79810205D D05DE1020B6 C61CF10205E");
	/* the domain or below it, any case */
	assert_string_equal(ids_of(&q, "domain:example.com", QS_NONE, 0, NULL, out, sizeof(out)),
			    "D05DE1020B6");
	assert_string_equal(ids_of(&q, "domain:dest1.EXAMPLE.com", QS_NONE, 0, NULL, out,
				   sizeof(out)), "D05DE1020B6");
	assert_string_equal(ids_of(&q, "domain:xample.com", QS_NONE, 0, NULL, out, sizeof(out)), "");
	assert_string_equal(ids_of(&q, "queue:hold,active", QS_ID, 0, NULL, out, sizeof(out)),
			    "C61CF10205E CA79810205D");
	assert_string_equal(ids_of(&q, "sender:<>", QS_NONE, 0, NULL, out, sizeof(out)),
			    "CA79810205D");
	assert_string_equal(ids_of(&q, "sender:ALICE", QS_NONE, 0, NULL, out, sizeof(out)),
			    "D05DE1020B6 C61CF10205E");
	assert_string_equal(ids_of(&q, "reason:\"rate limited\"", QS_NONE, 0, NULL, out,
				   sizeof(out)), "C61CF10205E");
	/* ages from 1796410600: 64 s, 10600 s, 600 s */
	assert_string_equal(ids_of(&q, "older:10m", QS_NONE, 0, NULL, out, sizeof(out)),
			    "CA79810205D C61CF10205E");
	assert_string_equal(ids_of(&q, "older:5m younger:1h", QS_NONE, 0, NULL, out, sizeof(out)),
			    "C61CF10205E");
	/* free text: ID, sender, address, reason */
	assert_string_equal(ids_of(&q, "", QS_NONE, 0, "bob3@dest3", out, sizeof(out)),
			    "D05DE1020B6");
	assert_string_equal(ids_of(&q, "", QS_NONE, 0, "ca798", out, sizeof(out)), "CA79810205D");
	assert_string_equal(ids_of(&q, "", QS_NONE, 0, "try again", out, sizeof(out)),
			    "C61CF10205E");
	assert_true(queue_match_text(&q, 0, "Connection refused"));
	assert_false(queue_match_text(&q, 1, "Connection refused"));
	/* a group of the reasons view */
	queue_filter_init(&f);
	snprintf(f.group, sizeof(f.group), "connect to *: Connection refused");
	{
		uint32_t *idx;
		size_t n;

		assert_int_equal(queue_select(&q, &f, 0, QS_NONE, 0, &idx, &n, &e), 0);
		assert_int_equal(n, 1);
		assert_string_equal(q.msgs[idx[0]].id, "D05DE1020B6");
		free(idx);
	}
	/* syntax */
	assert_int_equal(queue_filter_parse(&f, "domain:a.example older:2h queue:hold "
					    "reason:\"x y\"", &e), 0);
	assert_string_equal(queue_filter_format(&f, out, sizeof(out)),
			    "queue:hold domain:a.example reason:\"x y\" older:2h");
	assert_int_equal(queue_filter_parse(&f, "older:2x", &e), -1);
	assert_non_null(strstr(e.msg, "not a duration"));
	assert_int_equal(queue_filter_parse(&f, "colour:red", &e), -1);
	assert_int_equal(queue_filter_parse(&f, "queue:spool", &e), -1);
	assert_int_equal(queue_filter_parse(&f, "reason:\"open", &e), -1);
	assert_int_equal(queue_duration_parse("90"), 90);
	assert_int_equal(queue_duration_parse("1w"), 604800);
	assert_int_equal(queue_duration_parse("-1"), -1);
	assert_int_equal(queue_duration_parse("5mm"), -1);
	queue_free(&q);
}

static void test_shape_and_reasons(void **state)
{
	struct queue q;
	struct queue_shape s;
	struct queue_reasons rs;
	uint32_t idx[3] = { 0, 1, 2 };
	struct err e;

	(void)state;
	load_three(&q);
	assert_int_equal(queue_shape_init(&s, 0, 1796410600LL), 0);
	assert_int_equal(queue_shape_build(&s, &q, idx, 3, &e), 0);
	assert_int_equal(s.total.total, 4);
	assert_int_equal(s.nrows, 4);
	assert_string_equal(s.rows[0].name, "postmaster");	/* ties: shorter first */
	assert_int_equal(s.total.count[0], 2);			/* 64 s, two recipients */
	assert_int_equal(s.total.count[2], 1);			/* 600 s */
	assert_int_equal(s.total.count[6], 1);			/* 10600 s: 160-320 minutes */
	queue_shape_free(&s);
	assert_int_equal(queue_shape_init(&s, 1, 1796410600LL), 0);
	assert_int_equal(queue_shape_build(&s, &q, idx, 3, &e), 0);
	assert_int_equal(s.total.total, 3);
	assert_string_equal(s.rows[0].name, "example.org");
	assert_int_equal(s.rows[0].total, 2);
	/* postqueue shows the null sender as MAILER-DAEMON; qshape names it so */
	assert_string_equal(s.rows[1].name, "MAILER-DAEMON");
	queue_shape_free(&s);

	assert_int_equal(queue_reasons_build(&rs, &q, idx, 3, &e), 0);
	assert_int_equal(rs.recipients, 4);
	assert_int_equal(rs.messages, 3);
	assert_int_equal(rs.ngroups, 3);
	assert_string_equal(rs.groups[0].text, "connect to *: Connection refused");
	assert_int_equal(rs.groups[0].recipients, 2);
	assert_int_equal(rs.groups[0].messages, 1);
	queue_reasons_free(&rs);
	queue_free(&q);
}

/* 100,000 messages as a rate-limited relay holds them: two recipients
 * each with their own address, 40 senders, 30 domains, 8 reasons. */
static void test_memory_100k(void **state)
{
	struct queue q;
	char id[32], a1[64], a2[64], snd[64], why[200];
	struct err e;
	size_t bytes;

	(void)state;
	queue_init(&q);
	for (int i = 0; i < 100000; i++) {
		struct queue_new_rcpt r[2];

		snprintf(id, sizeof(id), "%011llX", 0x4A0000000ULL + (unsigned long long)i);
		snprintf(snd, sizeof(snd), "user%d@shop%d.example.org", i % 5, i % 8);
		snprintf(a1, sizeof(a1), "customer%d@d%02d.example", i, i % 30);
		snprintf(a2, sizeof(a2), "customer%d@d%02d.example", i + 100000, (i + 7) % 30);
		snprintf(why, sizeof(why), "host mx%d.example[192.0.2.%d] said: 421 4.7.0 rate "
			 "limited, try again in %d seconds", i % 8, i % 8, 10 + i % 8);
		r[0].address = a1;
		r[0].reason = why;
		r[1].address = a2;
		r[1].reason = why;
		assert_true(queue_add(&q, id, QN_DEFERRED, 1796400000LL + i, 2000 + i % 5000, snd, 0,
				      r, 2, &e) >= 0);
	}
	bytes = queue_mem_bytes(&q);
	print_message("# 100,000 messages: %zu bytes in the model\n", bytes);
	assert_true(bytes < (size_t)12 << 20);
	assert_int_equal(queue_find(&q, "4A001869F"), -1);
	assert_int_equal(queue_find(&q, "004A001869F"), 99999);
	queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_every_cut),
		cmocka_unit_test(test_reader_bad_lines),
		cmocka_unit_test(test_reader_truncated),
		cmocka_unit_test(test_reader_long_line),
		cmocka_unit_test(test_reader_drop),
		cmocka_unit_test(test_strpool),
		cmocka_unit_test(test_reason_normalize),
		cmocka_unit_test(test_shape_buckets),
		cmocka_unit_test(test_shape_domain),
		cmocka_unit_test(test_filters_and_sort),
		cmocka_unit_test(test_shape_and_reasons),
		cmocka_unit_test(test_memory_100k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
