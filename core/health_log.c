/*
 * health_log - the mail-log facts of the health check (see health.h),
 * counted by the log summary (core/logsum: logsum_brief), so the check
 * and `relaydeck logs summary --since` count every line the same way.
 *
 * The window is the last th->window seconds; the quota needs the
 * deliveries of the last 24 hours, which the summary counts whatever its
 * window (last_24h). The summary finds the log as Postfix is configured
 * (maillog_file and its rotations, the syslog file, journald) and enters
 * it near the read's start (core/logsrc), so a big log costs the bytes
 * of its last day, not the whole file.
 */
#include "config.h"
#include "health.h"

#include <stdio.h>
#include <string.h>

#include "logsum.h"

#define DAY (24LL * 3600)

/* health_log_from_brief - the facts from a summary of [now - window, ...). */
void health_log_from_brief(struct health_log_facts *lf, const struct logsum_brief *b,
			   long long now, long long window)
{
	lf->have = 1;
	lf->window = window;
	snprintf(lf->file, sizeof(lf->file), "%s", b->source);
	lf->since = b->oldest;
	lf->sasl_failures = b->sasl_failures;
	lf->tls_failures = b->tls_failures;
	lf->delivered = b->delivered;
	lf->deferred = b->deferred;
	lf->bounced = b->bounced;
	lf->delivered_24h = b->last_24h;
	/* the log begins inside the window: counts are those of what is there */
	lf->partial_24h = b->oldest > now - DAY;
	lf->partial_window = b->oldest > now - window;
	snprintf(lf->last_fatal, sizeof(lf->last_fatal), "%s", b->last_fatal);
	lf->last_fatal_time = b->last_fatal_time >= 0 ? b->last_fatal_time : 0;
}

/* health_log_read - summarise the window; a log that cannot be read says why. */
void health_log_read(struct target *t, long long now, long long window,
		     struct health_log_facts *lf)
{
	struct logsum_brief b;
	struct err e;

	memset(lf, 0, sizeof(*lf));
	lf->window = window;
	lf->since = -1;
	lf->quota_per_day = -1;
	err_clear(&e);
	if (logsum_brief(t, now - window, -1, &b, &e) < 0) {
		snprintf(lf->file, sizeof(lf->file), "%s", b.source);
		snprintf(lf->why, sizeof(lf->why), "cannot read the mail log%s%.150s: %.120s",
			 b.source[0] ? " " : "", b.source, e.msg);
		return;
	}
	health_log_from_brief(lf, &b, now, window);
}
