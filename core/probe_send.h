/*
 * probe_send - send a test message through the managed Postfix and follow
 * it through the managed host's mail log to its final status.
 *
 * Everything happens on the target, so the same code works on this
 * machine and on a relay over SSH: the message is submitted with the
 * target's own sendmail (sendmail_path, `-C CONFIG_DIR`, argv only, the
 * message on stdin), and the log the target's Postfix writes
 * (maillog_file, else /var/log/mail.log) is followed by offset through
 * target stat + read_at from where it ended before the submission. The
 * message carries a random Message-ID; core/logscan finds its queue ID
 * from the cleanup line and collects relay=, delays=, dsn=, status= and
 * the smtp client's TLS line.
 *
 * One deadline (opts.timeout_ms) bounds the whole operation: the
 * configuration look-ups, the submission and the following. Before the
 * submission: sendmail_path must be absolute and the config dir trusted
 * to name it (target_config_trust), and, as root, the instance must run
 * (else the message would wait in maildrop and the log say nothing).
 *
 * report_probe_send (core/report) gives the same result as text.
 *
 * Ownership: the result is a plain struct (no allocations).
 * Errors: probe_send_run returns 0 when the message was sent, 1 when it
 * was not (deferred, bounced, or no final status before the deadline:
 * the result says which), -1 when it could not run (e).
 */
#ifndef RELAYDECK_PROBE_SEND_H
#define RELAYDECK_PROBE_SEND_H

#include "buf.h"
#include "err.h"
#include "logscan.h"

struct target;

#define PROBE_SEND_TIMEOUT_DEFAULT_MS 60000

struct probe_send_opts {
	const char *to;			/* user@domain */
	const char *from;		/* envelope sender, or NULL: sendmail's default */
	int timeout_ms;			/* the whole operation; 0: the default */
	/* Called once sendmail accepted the message, with the ms left (may be NULL). */
	void (*on_submitted)(void *arg, const char *message_id, const char *log, int left_ms);
	void *arg;
};

struct probe_send_result {
	char host[256];			/* the target's name */
	char message_id[200];		/* without angle brackets */
	char log[1024];			/* the log file followed, on the target */
	int timed_out;			/* no final status before the deadline */
	int auth_enabled;		/* smtp_sasl_auth_enable = yes */
	struct logscan_trace trace;
};

/* probe_send_check_addr - 0 when a looks like user@domain (no blanks, no
 * <>, no leading '-' that sendmail would take as an option). */
int probe_send_check_addr(const char *a, int need_at);

int probe_send_run(struct target *t, const struct probe_send_opts *o,
		   struct probe_send_result *r, struct err *e);

/* probe_send_sasl_text - what the log says of SASL for this delivery. */
const char *probe_send_sasl_text(const struct probe_send_result *r);

/* probe_send_json - the result as one JSON object (see relaydeck(1)). */
void probe_send_json(const struct probe_send_result *r, struct buf *out);

#endif
