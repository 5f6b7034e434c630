/*
 * probe_send - a test message through the managed Postfix, followed in
 * its log. See probe_send.h.
 */
#include "config.h"
#include "probe_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "json.h"
#include "postfix.h"
#include "stream.h"
#include "target.h"

#define LINE_CAP 8192		/* a longer log line is cut: its head still parses */
#define READ_MAX (256 * 1024)	/* bytes asked of read_at at a time */
#define POLL_MS 100		/* postlogd appends as it goes */
#define SUBMIT_MAX_MS 30000	/* sendmail returns once the message is queued */

/* A log file on the target, followed by offset. */
struct tail {
	const char *path;
	long long off;
	struct buf partial;	/* an unfinished last line */
};

/* tail_open - remember where the log ends now (0 when it is not there yet). */
static int tail_open(struct target *t, struct tail *tl, const char *path, struct err *e)
{
	struct target_stat st;

	memset(tl, 0, sizeof(*tl));
	tl->path = path;
	buf_init(&tl->partial, LINE_CAP + 1);
	if (t->ops->read_at == NULL)
		return err_set(e, ERR_USAGE, "%s: this target cannot follow a file", t->name);
	if (target_stat(t, path, &st, e) < 0)
		return -1;
	if (st.exists && st.is_dir)
		return err_set(e, ERR_INVALID, "log file %s on %s: a directory", path, t->name);
	tl->off = st.exists ? st.size : 0;
	return 0;
}

/* tail_take - split a piece at newlines: complete lines to out, the rest kept. */
static void tail_take(struct tail *tl, const char *p, size_t n, struct buf *out)
{
	size_t start = 0;

	for (size_t k = 0; k < n; k++) {
		if (p[k] != '\n')
			continue;
		if (tl->partial.len < LINE_CAP)
			buf_append(&tl->partial, p + start, k - start < LINE_CAP - tl->partial.len ?
				   k - start : LINE_CAP - tl->partial.len);
		buf_append(out, tl->partial.data ? tl->partial.data : "", tl->partial.len);
		buf_putc(out, '\n');
		buf_reset(&tl->partial);
		start = k + 1;
	}
	if (start < n && tl->partial.len < LINE_CAP)
		buf_append(&tl->partial, p + start, n - start < LINE_CAP - tl->partial.len ?
			   n - start : LINE_CAP - tl->partial.len);
}

/* tail_read - the complete lines appended since the last call. A file
 * that shrank (rotated or truncated) is read again from its start. */
static int tail_read(struct target *t, struct tail *tl, struct buf *out, struct err *e)
{
	struct target_stat st;
	struct buf piece = BUF_INIT;
	int rc = 0;

	if (target_stat(t, tl->path, &st, e) < 0)
		return -1;
	if (!st.exists)
		return 0;
	if (st.size < tl->off) {
		tl->off = 0;
		buf_reset(&tl->partial);
	}
	while (tl->off < st.size) {
		if (t->ops->read_at(t, tl->path, tl->off, READ_MAX, &piece, e) < 0) {
			rc = -1;
			break;
		}
		if (piece.len == 0)
			break;
		tl->off += (long long)piece.len;
		tail_take(tl, piece.data, piece.len, out);
	}
	buf_free(&piece);
	return rc;
}

/* message_text - the test message: unique Message-ID and Subject. */
static int message_text(struct buf *msg, const char *mid, const char *from, const char *to)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_printf(msg, "Message-ID: <%s>\nDate: %s\n", mid, date);
	if (from)
		buf_printf(msg, "From: <%s>\n", from);
	return buf_printf(msg, "To: <%s>\nSubject: relaydeck test message %s\n"
			  "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
			  "Test message submitted by relaydeck probe send.\n", to, mid);
}

int probe_send_check_addr(const char *a, int need_at)
{
	if (a == NULL || !*a || strpbrk(a, " \t\r\n<>") || a[0] == '-')
		return -1;
	return need_at && strchr(a, '@') == NULL ? -1 : 0;
}

/* left_ms - ms until deadline, at least 1 (so a late step still fails by itself). */
static int left_ms(long long deadline)
{
	long long left = deadline - stream_now_ms();

	return left < 1 ? 1 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* send_ready - whether a test message can go now: sendmail_path absolute
 * (a relative one would be looked up in our PATH, not Postfix's), the config
 * dir trusted to name it, and the Postfix of this config running: when it
 * is not, sendmail leaves the message in maildrop and the log says nothing,
 * so waiting would only use up the deadline. */
static int send_ready(struct target *t, const struct buf *sm, long long deadline, struct err *e)
{
	int running;

	if (sm->len && sm->data[0] != '/')
		return err_set(e, ERR_INVALID, "sendmail_path = %s is not an absolute path; "
			       "Postfix needs the full path of its sendmail (e.g. /usr/sbin/sendmail)",
			       sm->data);
	if (target_config_trust(t, "sendmail_path", e) < 0)
		return -1;
	/* `postfix status` is for root; others find out from the deadline */
	if (!t->is_root)
		return 0;
	/* the whole send has one deadline: the status check gets what is left */
	running = postfix_running_within(t, left_ms(deadline), e);
	if (running < 0 && e->code == ERR_TIMEOUT)
		return err_set(e, ERR_TIMEOUT, "postfix status: no answer before the deadline "
			       "(--timeout)");
	if (running < 0)
		return -1;
	if (running == 0)
		return err_set(e, ERR_RUN, "Postfix is not running for %s (postfix status): "
			       "a test message would wait in the maildrop queue; start it with "
			       "`postfix -c %s start`", t->config_dir, t->config_dir);
	return 0;
}

/* submit - the target's sendmail -C CONFIG_DIR [-f FROM] -- TO, message on stdin. */
static int submit(struct target *t, const char *sendmail, const struct probe_send_opts *o,
		  const struct buf *msg, long long deadline, struct err *e)
{
	const char *args[10];
	struct run_out ro;
	int n = 0, left = left_ms(deadline), rc;

	args[n++] = sendmail;
	args[n++] = "-C";
	args[n++] = t->config_dir;
	if (o->from) {
		args[n++] = "-f";
		args[n++] = o->from;
	}
	args[n++] = "--";
	args[n++] = o->to;
	args[n] = NULL;
	run_out_init(&ro);
	/* the submission spends the same budget as the rest */
	rc = target_run_ok(t, args, msg, &ro, left < SUBMIT_MAX_MS ? left : SUBMIT_MAX_MS, e);
	if (rc < 0 && (ro.timed_out || e->code == ERR_TIMEOUT))
		err_set(e, ERR_TIMEOUT, "%s: no answer within the --timeout of %d s; it was "
			"stopped with what it started", args[0], (o->timeout_ms + 999) / 1000);
	run_out_free(&ro);
	return rc;
}

int probe_send_run(struct target *t, const struct probe_send_opts *o,
		   struct probe_send_result *r, struct err *e)
{
	int timeout = o->timeout_ms > 0 ? o->timeout_ms : PROBE_SEND_TIMEOUT_DEFAULT_MS;
	long long deadline = stream_now_ms() + timeout;
	struct buf v = BUF_INIT, sendmail = BUF_INIT, msg = BUF_INIT, lines = BUF_INIT;
	struct tail tl;
	unsigned char rnd[8];
	int rc = -1, done = 0;

	memset(r, 0, sizeof(*r));
	memset(&tl, 0, sizeof(tl));
	snprintf(r->host, sizeof(r->host), "%s", t->name ? t->name : "");
	if (probe_send_check_addr(o->to, 1) < 0 ||
	    (o->from && probe_send_check_addr(o->from, 0) < 0))
		return err_set(e, ERR_USAGE, "probe send: addresses take the form user@domain");
	/* The target's log: maillog_file (postlogd), else syslog's file. */
	if (postfix_expand(t, "maillog_file", &v, e) < 0)
		goto out;
	snprintf(r->log, sizeof(r->log), "%s", v.len ? v.data : "/var/log/mail.log");
	buf_reset(&v);
	if (postfix_expand(t, "smtp_sasl_auth_enable", &v, e) < 0)
		goto out;
	r->auth_enabled = v.len && strcmp(v.data, "yes") == 0;
	if (postfix_expand(t, "sendmail_path", &sendmail, e) < 0 ||
	    send_ready(t, &sendmail, deadline, e) < 0)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		err_set(e, ERR_SYS, "no random bytes for the Message-ID");
		goto out;
	}
	snprintf(r->message_id, sizeof(r->message_id), "relaydeck-probe.%lld.%02x%02x%02x%02x"
		 "%02x%02x%02x%02x@relaydeck.invalid", (long long)time(NULL), rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	logscan_trace_init(&r->trace, r->message_id);
	if (tail_open(t, &tl, r->log, e) < 0)
		goto out;
	if (message_text(&msg, r->message_id, o->from, o->to) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (submit(t, sendmail.len ? sendmail.data : "/usr/sbin/sendmail", o, &msg, deadline,
		   e) < 0)
		goto out;
	if (o->on_submitted)
		o->on_submitted(o->arg, r->message_id, r->log, left_ms(deadline));
	while (!done) {
		struct logscan_line ll;

		buf_reset(&lines);
		if (tail_read(t, &tl, &lines, e) < 0)
			goto out;
		for (char *l = lines.data; l && *l && !done;) {
			char *nl = strchr(l, '\n');
			size_t len = nl ? (size_t)(nl - l) : strlen(l);

			if (logscan_parse_line(l, len, &ll) == 0)
				done = logscan_trace_feed(&r->trace, &ll);
			l = nl ? nl + 1 : l + len;
		}
		if (done)
			break;
		if (stream_now_ms() >= deadline) {
			r->timed_out = 1;
			break;
		}
		usleep((useconds_t)(left_ms(deadline) < POLL_MS ? left_ms(deadline) : POLL_MS) * 1000);
	}
	rc = !r->timed_out && r->trace.status == LS_SENT ? 0 : 1;
out:
	buf_free(&tl.partial);
	buf_free(&v);
	buf_free(&sendmail);
	buf_free(&msg);
	buf_free(&lines);
	return rc;
}

/* delay_parts - "a/b/c/d" of delays= into its four parts. */
static void delay_parts(const char *delays, char parts[4][16])
{
	memset(parts, 0, 4 * sizeof(parts[0]));
	sscanf(delays, "%15[^/]/%15[^/]/%15[^/]/%15s", parts[0], parts[1], parts[2], parts[3]);
}

/* sasl_text - what the log says of SASL for this delivery. */
const char *probe_send_sasl_text(const struct probe_send_result *r)
{
	const struct logscan_trace *t = &r->trace;

	return t->sasl_failed ? "failed" : !r->auth_enabled ? "off (smtp_sasl_auth_enable)" :
	       t->status == LS_SENT ? "no failure logged (the client logs only failures)" :
	       "unknown";
}

void probe_send_json(const struct probe_send_result *r, struct buf *out)
{
	const struct logscan_trace *t = &r->trace;
	char parts[4][16];
	struct json j;

	delay_parts(t->delays, parts);
	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_str(&j, "host", r->host);
	json_kv_str(&j, "message_id", t->message_id);
	json_kv_str(&j, "queue_id", t->queue_id);
	json_kv_str(&j, "status", r->timed_out ? "timeout" :
		    t->status ? logscan_status_name(t->status) : "unknown");
	json_kv_str(&j, "to", t->to);
	json_kv_str(&j, "relay", t->relay);
	json_kv_str(&j, "delay", t->delay);
	json_key(&j, "delays");
	json_obj_begin(&j);
	json_kv_str(&j, "before_qmgr", parts[0]);
	json_kv_str(&j, "in_qmgr", parts[1]);
	json_kv_str(&j, "connection", parts[2]);
	json_kv_str(&j, "transmission", parts[3]);
	json_obj_end(&j);
	json_kv_str(&j, "dsn", t->dsn);
	json_kv_str(&j, "reason", t->reason);
	json_kv_str(&j, "tls", t->tls);
	json_kv_str(&j, "sasl", probe_send_sasl_text(r));
	json_kv_str(&j, "log", r->log);
	json_obj_end(&j);
}
