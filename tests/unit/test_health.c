/*
 * test_health - core/health's verdict and its wordings on made-up facts:
 * the level of each item against its thresholds and the overall level
 * (an unknown TLS or log item never makes the verdict unknown, an
 * unreadable queue does), the probe record matched to the relayhost,
 * the log lines counted (deliveries by the SMTP client only, SASL and
 * TLS failures once each, lines older than the window or a day left
 * out), the Nagios line (one line, no '|' before the perfdata, escaped
 * control bytes) and what to do with the fixing screen's key.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "health_probe.h"
#include "lines.h"
#include "logsum.h"

#define NOW 1764900000LL

/* well - the facts of a relay that is well. */
static void well(struct health_facts *f)
{
	health_facts_init(f);
	f->now = NOW;
	snprintf(f->host, sizeof(f->host), "localhost");
	snprintf(f->config_dir, sizeof(f->config_dir), "/etc/postfix");
	f->running = 1;
	f->master_pid = 4242;
	f->uptime = 3600;
	snprintf(f->relayhost, sizeof(f->relayhost), "[smtp.example.com]:587");
	f->sasl_enabled = 1;
	f->tls.have = 1;
	f->tls.when = NOW - 60;
	snprintf(f->tls.host, sizeof(f->tls.host), "SMTP.example.com");
	snprintf(f->tls.port, sizeof(f->tls.port), "587");
	f->tls.tls_done = f->tls.trusted = f->tls.have_cert = 1;
	f->tls.days_left = 200;
	snprintf(f->tls.protocol, sizeof(f->tls.protocol), "TLSv1.3");
	f->auth = f->tls;
	f->auth.auth_tried = f->auth.auth_ok = 1;
	f->queue_ok = 1;
	f->queue_total = 5;
	f->queue_deferred = 5;
	f->oldest_age = 120;
	f->log.have = 1;
	f->log.window = 3600;
	f->log.delivered = 40;
	f->log.delivered_24h = 400;
	f->log.quota_per_day = 1000;
}

static struct health_thresholds th(void)
{
	struct health_thresholds t;

	health_thresholds_default(&t);
	return t;
}

static void test_well_and_thresholds(void **state)
{
	struct health_facts f;
	struct health_thresholds t = th();
	static struct health_report r;

	(void)state;
	well(&f);
	health_judge(&f, &t, &r);
	assert_int_equal(r.level, HEALTH_OK);
	for (int i = 0; i < HI_COUNT; i++)
		assert_int_equal(r.items[i].level, HEALTH_OK);
	assert_string_equal(r.items[HI_QUOTA].text, "400 of 1000 a day (40%) in the last 24 h");
	/* the thresholds, at their edges */
	f.queue_total = 100;
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_QUEUE].level, HEALTH_WARNING);
	assert_int_equal(r.level, HEALTH_WARNING);
	assert_int_equal(health_fix_key(r.items[HI_QUEUE].fix), '6');
	f.queue_total = 1000;
	health_judge(&f, &t, &r);
	assert_int_equal(r.level, HEALTH_CRITICAL);
	well(&f);
	f.oldest_age = 3600;
	f.tls.days_left = 13;
	f.log.delivered_24h = 950;
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_OLDEST].level, HEALTH_WARNING);
	assert_int_equal(r.items[HI_TLS].level, HEALTH_WARNING);
	assert_int_equal(r.items[HI_QUOTA].level, HEALTH_CRITICAL);
	assert_int_equal(health_fix_key(r.items[HI_QUOTA].fix), '1');
	f.tls.days_left = -2;
	health_judge(&f, &t, &r);
	assert_string_equal(r.items[HI_TLS].text, "certificate expired 2 day(s) ago (probed 1m ago)");
	/* trend: a rise of warn_rise is a warning, a fall is not */
	well(&f);
	f.have_prev = 1;
	f.prev_deferred = 40;
	f.prev_time = NOW - 300;
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_TREND].level, HEALTH_OK);
	assert_non_null(strstr(r.items[HI_TREND].text, "falling: 5 deferred, -35 since "));
	f.queue_deferred = f.queue_total = 50;
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_TREND].level, HEALTH_WARNING);
}

static void test_unknown_and_critical(void **state)
{
	struct health_facts f;
	struct health_thresholds t = th();
	static struct health_report r;

	(void)state;
	/* never probed, no log, no quota: the verdict stays ok */
	well(&f);
	f.tls.have = f.auth.have = 0;
	f.log.have = 0;
	snprintf(f.log.why, sizeof(f.log.why), "cannot read the mail log /var/log/mail.log");
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_TLS].level, HEALTH_UNKNOWN);
	assert_int_equal(r.items[HI_TLS].fix, HFIX_REPROBE);
	assert_int_equal(r.items[HI_SASL].level, HEALTH_UNKNOWN);
	assert_int_equal(r.level, HEALTH_OK);
	/* a probe of another host is not the relayhost's */
	well(&f);
	snprintf(f.auth.port, sizeof(f.auth.port), "465");
	health_judge(&f, &t, &r);
	assert_string_equal(r.items[HI_AUTH].text,
			    "the last probe was of [SMTP.example.com]:465, not of the relayhost");
	/* a queue that cannot be read: unknown */
	well(&f);
	f.queue_ok = 0;
	health_judge(&f, &t, &r);
	assert_int_equal(r.level, HEALTH_UNKNOWN);
	/* ... unless something is critical */
	f.running = 0;
	snprintf(f.running_why, sizeof(f.running_why), "no pid file");
	health_judge(&f, &t, &r);
	assert_int_equal(r.level, HEALTH_CRITICAL);
	assert_int_equal(r.items[HI_POSTFIX].fix, HFIX_START);
	/* AUTH refused, and held back */
	well(&f);
	f.auth.auth_ok = 0;
	snprintf(f.auth.auth_reply, sizeof(f.auth.auth_reply), "535 5.7.8 bad credentials");
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_AUTH].level, HEALTH_CRITICAL);
	assert_int_equal(health_fix_key(r.items[HI_AUTH].fix), '2');
	f.auth.auth_not_sent = 1;
	health_judge(&f, &t, &r);
	assert_int_equal(health_fix_key(r.items[HI_AUTH].fix), '5');
	/* no relayhost: the wizard */
	well(&f);
	f.relayhost[0] = '\0';
	health_judge(&f, &t, &r);
	assert_int_equal(r.items[HI_RELAYHOST].level, HEALTH_WARNING);
	assert_int_equal(health_fix_key(r.items[HI_RELAYHOST].fix), '4');
	assert_int_equal(r.items[HI_TLS].level, HEALTH_UNKNOWN);
}

/* count - a maillog line age seconds before NOW in RFC 3339 form, into s. */
static void count(struct logsum *s, long long age, const char *prog, const char *text)
{
	char stamp[64], line[1024];
	time_t t = (time_t)(NOW - age);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	snprintf(line, sizeof(line), "%s relay1 postfix-out/%s[123]: %s", stamp, prog, text);
	logsum_feed(s, line, strlen(line));
}

/* The log facts are the summary's counts of the window [NOW - 1 h, ...). */
static void test_log_counts(void **state)
{
	struct health_log_facts lf;
	struct logsum_brief b;
	struct logsum *s = logsum_new(NOW - 3600, NOW + 1);

	(void)state;
	assert_non_null(s);
	count(s, 90000, "smtp", "4A1B2C3D55: to=<g@example.org>, relay=x[192.0.2.1]:587, delay=1, "
	      "dsn=2.0.0, status=sent (250 ok)");
	/* before the window: only the day's count */
	count(s, 7300, "smtp", "4A1B2C3D54: to=<f@example.org>, relay=x[192.0.2.1]:587, delay=1, "
	      "dsn=4.7.8, status=deferred (SASL authentication failed; 535)");
	count(s, 7200, "smtp", "4A1B2C3D53: to=<e@example.org>, relay=x[192.0.2.1]:587, delay=1, "
	      "dsn=2.0.0, status=sent (250 ok)");
	count(s, 60, "smtp", "4A1B2C3D52: to=<d@example.org>, relay=none, delay=9, dsn=5.4.4, "
	      "status=bounced (Host or domain name not found)");
	count(s, 50, "smtpd", "warning: unknown[198.51.100.7]: SASL LOGIN authentication failed: "
	      "authentication failure");
	count(s, 40, "smtp", "4A1B2C3D51: to=<c@example.org>, relay=smtp.example.com[192.0.2.1]:587,"
	      " delay=2, dsn=4.7.5, status=deferred (Server certificate not verified)");
	count(s, 30, "smtp", "4A1B2C3D50: to=<b@example.org>, relay=smtp.example.com[192.0.2.1]:587,"
	      " delay=2, dsn=4.7.8, status=deferred (SASL authentication failed; server "
	      "smtp.example.com[192.0.2.1] said: 535 5.7.8 Error: authentication failed)");
	count(s, 25, "smtp", "4A1B2C3D50: to=<b2@example.org>, relay=smtp.example.com[192.0.2.1]:587,"
	      " delay=2, dsn=4.7.8, status=deferred (delivery temporarily suspended: SASL "
	      "authentication failed; server smtp.example.com[192.0.2.1] said: 535 5.7.8 no)");
	count(s, 20, "local", "4A1B2C3D4F: to=<root@relay1>, relay=local, delay=0.1, "
	      "dsn=2.0.0, status=sent (delivered to mailbox)");
	count(s, 10, "smtp", "4A1B2C3D4E: to=<a@example.org>, relay=smtp.example.com[192.0.2.1]:587, "
	      "delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
	count(s, 5, "postfix-script", "fatal: the Postfix mail system is already running");
	logsum_feed(s, "not a log line", 14);
	snprintf(b.source, sizeof(b.source), "/var/log/mail.log");
	logsum_brief_of(s, &b);
	health_log_from_brief(&lf, &b, NOW, 3600);
	assert_int_equal(lf.have, 1);
	assert_string_equal(lf.file, "/var/log/mail.log");
	assert_int_equal(lf.delivered, 2);	/* every status=sent, local too */
	assert_int_equal(lf.delivered_24h, 3);
	assert_int_equal(lf.deferred, 2);	/* messages: 4A1B2C3D50 once */
	assert_int_equal(lf.bounced, 1);
	assert_int_equal(lf.sasl_failures, 2);	/* the suspended repeat is no attempt */
	assert_int_equal(lf.tls_failures, 1);
	assert_int_equal(lf.since, NOW - 90000);
	assert_int_equal(lf.partial_24h, 0);
	assert_string_equal(lf.last_fatal, "fatal: the Postfix mail system is already running");
	assert_int_equal(lf.last_fatal_time, NOW - 5);
	/* a log that begins inside the window says so */
	b.oldest = NOW - 600;
	health_log_from_brief(&lf, &b, NOW, 3600);
	assert_int_equal(lf.partial_window, 1);
	assert_int_equal(lf.partial_24h, 1);
	logsum_free(s);
}

static void test_wordings(void **state)
{
	struct health_facts f;
	struct health_thresholds t = th();
	static struct health_report r;
	struct buf b = BUF_INIT;
	struct lines l = LINES_INIT;
	const char *bar;

	(void)state;
	well(&f);
	f.check = -1;
	snprintf(f.config_reason, sizeof(f.config_reason),
		 "fatal: bad value | \x1b]2;pwned\x07 here");
	health_judge(&f, &t, &r);
	health_nagios(&r, &b);
	assert_null(strchr(b.data, '\n'));
	assert_null(strchr(b.data, '\x1b'));
	assert_int_equal(strncmp(b.data, "RELAYDECK CRITICAL - Config: Postfix rejects main.cf: "
				 "fatal: bad value / \\x1b]2;pwned\\x07 here |", 91), 0);
	bar = strchr(b.data, '|');
	assert_string_equal(bar, "| queue=5;100;1000;0 deferred=5;;;0 oldest=120s;3600;86400;0 "
			    "delivered=40;;;0 log_deferred=0;;;0 bounced=0;;;0 sasl_failures=0;1;;0 "
			    "tls_failures=0;1;;0 quota=40%;80;95;0;100 cert_days=200;14:;1: "
			    "uptime=3600s");
	health_lines(&r, &l);
	assert_int_equal(l.v[0].kind, LK_ERROR);
	for (size_t i = 0; i < l.n; i++) {
		assert_null(strchr(l.v[i].text, '\x1b'));
		if (strstr(l.v[i].text, "-> correct the setting")) {
			assert_non_null(strstr(l.v[i].text, "[1: Relay settings]"));
			assert_int_equal(l.v[i].tag, HI_CONFIG);
		}
	}
	lines_free(&l);
	buf_reset(&b);
	well(&f);
	health_judge(&f, &t, &r);
	health_nagios(&r, &b);
	assert_int_equal(strncmp(b.data, "RELAYDECK OK - Postfix running, relayhost "
				 "[smtp.example.com]:587, queue 5, 40 delivered in the last hour |",
				 104), 0);
	buf_reset(&b);
	health_json(&r, &b);
	assert_non_null(strstr(b.data, "\"status\":\"ok\",\"exit\":0"));
	buf_free(&b);
}

/* A relayhost list (Postfix 3.5+): the record of its first next hop,
 * the one `probe tls|auth` without HOST probes, is the relayhost's. */
static void test_probe_matches_list(void **state)
{
	struct health_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.have = 1;
	snprintf(p.host, sizeof(p.host), "a.example");
	snprintf(p.port, sizeof(p.port), "587");
	assert_true(health_probe_matches(&p, "[a.example]:587"));
	assert_true(health_probe_matches(&p, "[a.example]:587, [b.example]:587"));
	assert_true(health_probe_matches(&p, "[a.example]:587 [b.example]:25"));
	assert_false(health_probe_matches(&p, "[b.example]:587, [a.example]:587"));
	snprintf(p.port, sizeof(p.port), "25");
	assert_true(health_probe_matches(&p, "a.example,b.example"));
	/* a port by its service name, as Postfix and `set relayhost` take it */
	assert_true(health_probe_matches(&p, "[a.example]:smtp"));
	snprintf(p.port, sizeof(p.port), "587");
	assert_true(health_probe_matches(&p, "[a.example]:submission"));
	assert_false(health_probe_matches(&p, "[a.example]:smtp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_and_thresholds),
		cmocka_unit_test(test_unknown_and_critical),
		cmocka_unit_test(test_log_counts),
		cmocka_unit_test(test_wordings),
		cmocka_unit_test(test_probe_matches_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
