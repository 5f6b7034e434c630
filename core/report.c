/*
 * report - people-facing results shared by both front ends. See report.h.
 */
#include "config.h"
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "probe.h"
#include "probe_send.h"
#include "termsafe.h"

/* report_apply - outcome first, then the steps and older warnings. */
void report_apply(struct lines *out, const char *what, int rc, const struct apply_report *r,
		  const struct err *e, const char *config_dir)
{
	char msg[1024];

	if (rc == 0)
		lines_add(out, LK_OK, "%s succeeded: %s is updated.", what, config_dir);
	else
		lines_add(out, LK_ERROR, "%s failed: %s", what, err_format(e, msg, sizeof(msg)));
	/* not the change's doing: said right after the outcome */
	if (r->rejected_before[0])
		lines_add(out, LK_WARN, "Postfix already rejects this main.cf: %s", r->rejected_before);
	if (rc == 0) {
		if (r->backup_id[0])
			lines_add(out, LK_TEXT, "Backup of the previous files: %s", r->backup_id);
		lines_add(out, LK_TEXT, "postfix check: %s. Reload: %s.",
			  r->validated ? "passed" : r->check_skipped ? "skipped (not root)" : "not run",
			  r->reloaded ? "done" : "not needed (Postfix not running)");
	} else {
		if (r->restored)
			lines_add(out, LK_TEXT, "The previous files were restored%s%s.",
				  r->backup_id[0] ? " from backup " : "", r->backup_id);
		else
			lines_add(out, LK_TEXT, "Previous files restored: no.");
	}
	if (r->steps.len) {
		lines_add(out, LK_HEADER, "Steps:");
		lines_add_text(out, LK_TEXT, "  ", r->steps.data);
	}
	if (r->warnings.len) {
		lines_add(out, LK_WARN, "Warnings already present (not caused by this change):");
		lines_add_text(out, LK_WARN, "  ", r->warnings.data);
	}
}

/* add_safe - one line, escaped whole: a peer's text (a reply, a
 * certificate name) may hold controls and newlines, which must neither
 * reach a terminal nor start a line of their own. */
static void add_safe(struct lines *out, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_safe(struct lines *out, int kind, const char *fmt, ...)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	if (termsafe_append(&safe, raw.data ? raw.data : "", raw.len, 0) == 0)
		lines_add(out, kind, "%s", safe.data ? safe.data : "");
	else
		out->nomem = 1;
	buf_free(&raw);
	buf_free(&safe);
}

/* report_cert - one certificate of the chain; expired or close to it is
 * said in the validity line's kind. */
static void report_cert(struct lines *out, size_t i, const struct probe_cert *pc)
{
	struct buf names = BUF_INIT;

	add_safe(out, LK_TEXT, "certificate %zu: %s", i, pc->subject);
	add_safe(out, LK_TEXT, "  issuer:    %s", pc->issuer);
	for (size_t k = 0; k < pc->nsans; k++)
		buf_printf(&names, " %s", pc->sans[k]);
	if (pc->nsans)
		add_safe(out, LK_TEXT, "  names:    %s", names.data);
	buf_free(&names);
	add_safe(out, pc->days_left < 0 ? LK_ERROR : pc->days_left < 14 ? LK_WARN : LK_TEXT,
		 "  valid:     %s to %s (%ld days %s)", pc->not_before, pc->not_after,
		 pc->days_left < 0 ? -pc->days_left : pc->days_left,
		 pc->days_left < 0 ? "ago: EXPIRED" : "left");
	add_safe(out, LK_TEXT, "  key:       %s %d bits, signed %s", pc->key_type, pc->key_bits,
		 pc->signature);
}

/* report_probe - steps, TLS, AUTH, verdict; the same lines for
 * `relaydeck probe` and the console's Probe screen. */
void report_probe(struct lines *out, const struct probe_result *r, const char *send_anyway)
{
	const struct probe_tls *t = &r->tls;
	size_t failed = 0;

	for (size_t i = 0; i < r->nsteps; i++) {
		const struct probe_step *s = &r->steps[i];

		add_safe(out, s->not_sent ? LK_WARN : s->ok ? LK_TEXT : LK_ERROR,
			 "%-4s %ld ms  %s%s%s", s->not_sent ? "SKIP" : s->ok ? "ok" : "FAIL", s->ms,
			 s->name, s->ok ? " " : ": ", s->detail);
		failed += !s->ok;
	}
	if (t->done) {
		lines_add(out, LK_TEXT, "%s", "");
		add_safe(out, LK_HEADER, "TLS: %s %s", t->protocol, t->cipher);
		for (size_t i = 0; i < t->nchain; i++)
			report_cert(out, i, &t->chain[i]);
		add_safe(out, t->verified ? LK_OK : LK_ERROR, "verified:    %s",
			 t->verified ? "yes" : t->verify_error);
		add_safe(out, t->hostname_match ? LK_OK : LK_ERROR, "host name:   %s",
			 t->hostname_match ? "matches" : "does NOT match");
		add_safe(out, LK_TEXT, "fingerprint (sha256) cert:   %s", t->cert_sha256);
		add_safe(out, LK_TEXT, "fingerprint (sha256) pubkey: %s", t->pubkey_sha256);
		if (t->digest[0]) {
			add_safe(out, LK_TEXT, "fingerprint (%s) cert:   %s", t->digest, t->cert_fp);
			add_safe(out, LK_TEXT, "fingerprint (%s) pubkey: %s", t->digest, t->pubkey_fp);
		}
	}
	if (r->auth.mechanisms[0] || r->auth.xoauth2)
		add_safe(out, LK_TEXT, "AUTH offered: %s%s", r->auth.mechanisms,
			 r->auth.xoauth2 ? " (XOAUTH2 needs OAuth tokens; Postfix uses PLAIN/LOGIN)" :
			 "");
	if (r->auth.not_sent) {
		add_safe(out, LK_WARN, "AUTH:        not sent: %s", r->auth.not_sent_reason);
		add_safe(out, LK_TEXT, "  the password stays here: whoever answers this connection is "
			 "not proven to be the relay%s%s", send_anyway ? "; " : "",
			 send_anyway ? send_anyway : "");
	}
	if (r->auth.insecure)
		add_safe(out, LK_WARN, "AUTH:        sent to a server whose certificate is not "
			 "trusted (asked for)");
	if (r->auth.tried && r->auth.ok)
		add_safe(out, LK_OK, "AUTH %s: accepted", r->auth.mechanism);
	if (r->auth.tried && !r->auth.ok && r->auth.reply[0]) {
		add_safe(out, LK_ERROR, "AUTH reply:  %s", r->auth.reply);
		if (r->auth.hint[0])
			add_safe(out, LK_WARN, "  likely: %s", r->auth.hint);
	}
	if (failed == 0) {
		lines_add(out, LK_OK, "verdict: ok, every step passed");
	} else {
		struct buf names = BUF_INIT;

		for (size_t i = 0; i < r->nsteps; i++)
			if (!r->steps[i].ok)
				buf_printf(&names, " %s%s", r->steps[i].name,
					   r->steps[i].not_sent ? " (not sent)" : "");
		add_safe(out, LK_ERROR, "verdict: FAIL,%s", names.data ? names.data : "");
		buf_free(&names);
	}
}

/* report_count - 3214 -> "3,214". */
const char *report_count(size_t n, char *out, size_t len)
{
	char digits[32];
	size_t d, o = 0;

	snprintf(digits, sizeof(digits), "%zu", n);
	d = strlen(digits);
	for (size_t i = 0; i < d && o + 2 < len; i++) {
		if (i > 0 && (d - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

void report_probe_send(struct lines *out, const struct probe_send_result *r)
{
	const struct logscan_trace *t = &r->trace;
	const char *st = t->status ? logscan_status_name(t->status) : "none";
	char parts[4][16] = { "", "", "", "" };

	sscanf(t->delays, "%15[^/]/%15[^/]/%15[^/]/%15s", parts[0], parts[1], parts[2], parts[3]);
	add_safe(out, LK_TEXT, "message-id: <%s>", t->message_id);
	add_safe(out, LK_TEXT, "queue id:   %s", t->queue_id[0] ? t->queue_id :
		 "(not seen in the log)");
	add_safe(out, r->timed_out || t->status != LS_SENT ? LK_ERROR : LK_OK, "status:     %s%s",
		 r->timed_out ? "no final status before the deadline; last: " : "", st);
	if (t->to[0])
		add_safe(out, LK_TEXT, "to:         %s", t->to);
	if (t->relay[0])
		add_safe(out, LK_TEXT, "relay:      %s", t->relay);
	if (t->delays[0])
		add_safe(out, LK_TEXT, "delays:     %s s total: %s before the queue manager, %s in "
			 "the queue manager, %s connection setup, %s transmission", t->delay,
			 parts[0], parts[1], parts[2], parts[3]);
	if (t->dsn[0])
		add_safe(out, LK_TEXT, "dsn:        %s", t->dsn);
	if (t->reason[0])
		add_safe(out, LK_TEXT, "reply:      %s", t->reason);
	add_safe(out, LK_TEXT, "TLS:        %s", t->tls[0] ? t->tls :
		 "no TLS line logged for this delivery");
	add_safe(out, LK_TEXT, "SASL:       %s", probe_send_sasl_text(r));
	add_safe(out, LK_TEXT, "log:        %s%s%s", r->log, r->host[0] ? " on " : "", r->host);
}
