/*
 * health_gather - the facts of the health check, each through the target
 * (see health.h), so a relay over SSH is checked like this machine:
 *
 *   - `postconf -x -h` for queue_directory, relayhost and
 *     smtp_sasl_auth_enable (main.cf itself when Postfix refuses it);
 *   - running: `postfix status`, and the master's pid from
 *     queue_directory/pid/master.pid checked with `ps` (its uptime too):
 *     a master that runs still counts when `postfix status` itself fails
 *     on a broken main.cf;
 *   - `postfix check` and `postconf -n` (core/postfix: Postfix's reason);
 *   - the provider: the relayhost's host in the catalog;
 *   - the last probes from the state dir (core/health_probe);
 *   - the queue: `postqueue -j` streamed and counted, never kept;
 *     the deferred count of the previous run from <state>/health-queue,
 *     and this run's written there;
 *   - the mail log's last day, counted by the log summary (core/health_log.c).
 */
#include "config.h"
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maincf.h"
#include "pfdiag.h"
#include "postfix.h"
#include "probe.h"
#include "providers.h"
#include "queue.h"
#include "queue_act.h"
#include "target.h"

#define POSTCONF_MS 10000
#define PS_MS 10000
#define SAMPLE "health-queue"

void health_facts_init(struct health_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->running = -1;
	f->master_pid = -1;
	f->uptime = -1;
	f->oldest_age = -1;
	f->log.since = -1;
	f->log.quota_per_day = -1;
}

/* Values health_gather asks postconf for, in this order. */
enum { V_QDIR, V_RELAYHOST, V_SASL, V_COUNT };

/* conf_values - `postconf -x -h` of the names above; -1 when it fails. */
static int conf_values(struct target *t, char vals[V_COUNT][512], struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, "-x", "-h", "queue_directory",
			       "relayhost", "smtp_sasl_auth_enable", NULL };
	struct run_out o;
	int rc, i = 0;

	run_out_init(&o);
	rc = target_run_ok(t, argv, NULL, &o, POSTCONF_MS, e);
	for (char *l = o.out.data; rc == 0 && l && *l && i < V_COUNT; i++) {
		char *nl = strchr(l, '\n');

		snprintf(vals[i], sizeof(vals[i]), "%.*s", (int)(nl ? nl - l : (long)strlen(l)), l);
		l = nl ? nl + 1 : l + strlen(l);
	}
	run_out_free(&o);
	return rc == 0 && i == V_COUNT ? 0 : -1;
}

/* maincf_values - the same read from main.cf, for a file Postfix refuses. */
static void maincf_values(struct target *t, char vals[V_COUNT][512])
{
	static const char *const names[V_COUNT] = { "queue_directory",
						    "relayhost", "smtp_sasl_auth_enable" };
	struct err e;
	struct maincf *m = postfix_read_maincf(t, &e);

	snprintf(vals[V_QDIR], sizeof(vals[V_QDIR]), "/var/spool/postfix");
	for (int i = 0; m && i < V_COUNT; i++) {
		const char *v = maincf_get(m, names[i]);

		/* a value that needs Postfix to expand it is not used */
		if (v && !strchr(v, '$'))
			snprintf(vals[i], sizeof(vals[i]), "%s", v);
	}
	maincf_free(m);
}

/* master_process - the pid in master.pid and, when that process is a
 * master, its age in seconds: 1 found, 0 not running, -1 unknown. */
static int master_process(struct target *t, const char *qdir, long *pid, long long *uptime,
			  char *why, size_t whylen)
{
	char path[1024], spid[32];
	const char *argv[] = { "ps", "-o", "etimes=,stat=,comm=", "-p", spid, NULL };
	struct buf b = BUF_INIT;
	struct run_out o;
	struct err e;
	long long age;
	char comm[64], stat[16];
	int rc = 0;

	snprintf(path, sizeof(path), "%s/pid/master.pid", qdir);
	buf_init(&b, 4096);
	if (target_read(t, path, &b, &e) < 0) {
		snprintf(why, whylen, "no pid file %.300s", path);
		buf_free(&b);
		return 0;
	}
	*pid = strtol(b.data ? b.data : "", NULL, 10);
	buf_free(&b);
	if (*pid <= 1) {
		snprintf(why, whylen, "%.300s holds no pid", path);
		*pid = -1;
		return 0;
	}
	snprintf(spid, sizeof(spid), "%ld", *pid);
	run_out_init(&o);
	if (target_run(t, argv, NULL, &o, PS_MS, &e) < 0 || o.timed_out) {
		snprintf(why, whylen, "cannot run ps: %.300s", e.msg);
		rc = -1;
	} else if (o.exit_code != 0 || o.out.data == NULL ||
		   sscanf(o.out.data, "%lld %15s %63s", &age, stat, comm) != 3 || stat[0] == 'Z') {
		/* a zombie has exited: only its parent has not collected it */
		snprintf(why, whylen, "%.300s names pid %ld, which no longer runs", path, *pid);
		*pid = -1;
	} else if (strcmp(comm, "master") != 0) {
		snprintf(why, whylen, "%.300s names pid %ld, which is %.40s, not master", path, *pid,
			 comm);
		*pid = -1;
	} else {
		*uptime = age;
		rc = 1;
	}
	run_out_free(&o);
	return rc;
}

struct qcount {
	struct health_facts *f;
	long long oldest;	/* arrival time, 0 none */
};

/* count_msg - one message of postqueue -j, counted and dropped. */
static int count_msg(void *arg, struct queue *q, size_t i)
{
	struct qcount *c = arg;
	const struct queue_msg *m = &q->msgs[i];

	c->f->queue_total++;
	switch (m->queue) {
	case QN_DEFERRED:
		c->f->queue_deferred++;
		break;
	case QN_ACTIVE:
		c->f->queue_active++;
		break;
	case QN_HOLD:
		c->f->queue_hold++;
		break;
	case QN_INCOMING:
	case QN_MAILDROP:
		c->f->queue_incoming++;
		break;
	default:
		break;
	}
	if (m->arrival > 0 && (c->oldest == 0 || m->arrival < c->oldest))
		c->oldest = m->arrival;
	return QUEUE_DROP;
}

static int feed(void *arg, const char *data, size_t len)
{
	struct err e;

	return queue_reader_feed(arg, data, len, &e) < 0;
}

/* count_queue - stream postqueue -j through a reader that keeps nothing. */
static void count_queue(struct target *t, struct health_facts *f)
{
	struct queue q;
	struct queue_reader *r;
	struct qcount c = { f, 0 };
	struct err e;
	int cancelled = 0;

	err_clear(&e);
	if (queue_init(&q) < 0 || (r = queue_reader_new(&q, count_msg, &c)) == NULL) {
		snprintf(f->queue_why, sizeof(f->queue_why), "out of memory");
		queue_free(&q);
		return;
	}
	if (queue_stream(t, feed, r, &cancelled, &e) < 0 || cancelled) {
		snprintf(f->queue_why, sizeof(f->queue_why), "%.290s",
			 e.msg[0] ? e.msg : "postqueue -j was cut short");
	} else {
		queue_reader_end(r, &e);
		f->queue_ok = 1;
		f->oldest_age = c.oldest ? f->now - c.oldest : -1;
		if (f->oldest_age < -1)
			f->oldest_age = 0;
	}
	queue_reader_free(r);
	queue_free(&q);
}

/* sample - read the previous deferred count, write this one. */
static void sample(struct target *t, struct health_facts *f)
{
	struct buf b = BUF_INIT;
	char *path = target_state_path(t, SAMPLE);
	struct target_stat st;
	struct err e;
	long long when, deferred;

	if (path == NULL)
		return;
	memset(&st, 0, sizeof(st));
	buf_init(&b, 4096);
	if (target_stat(t, path, &st, &e) == 0 && st.exists && !st.is_dir &&
	    target_read(t, path, &b, &e) == 0 && b.data &&
	    sscanf(b.data, "%lld %lld", &when, &deferred) == 2 && when > 0) {
		f->have_prev = 1;
		f->prev_time = when;
		f->prev_deferred = deferred;
	}
	buf_reset(&b);
	if (f->queue_ok && t->ops->mkdir_p(t, t->state_dir, 0700, &e) == 0) {
		buf_printf(&b, "%lld %lld %lld\n", f->now, f->queue_deferred, f->queue_total);
		target_write(t, path, b.data, b.len, 0600, &e);
	}
	buf_free(&b);
	free(path);
}

/* provider - the catalog entry the relayhost's host belongs to. */
static void provider(const struct provider_catalog *cat, struct health_facts *f)
{
	char host[256], port[16], region[64];
	const struct provider *p;
	struct err e;
	int br;

	if (cat == NULL || f->relayhost[0] == '\0' ||
	    probe_parse_hostport(f->relayhost, "25", host, sizeof(host), port, sizeof(port), &br,
				 &e) < 0)
		return;
	if ((p = providers_match_host(cat, host, region, sizeof(region))) == NULL)
		return;
	snprintf(f->provider_id, sizeof(f->provider_id), "%s", p->id);
	if (region[0])
		snprintf(f->provider_name, sizeof(f->provider_name), "%s (%s)", p->name, region);
	else
		snprintf(f->provider_name, sizeof(f->provider_name), "%s", p->name);
	f->log.quota_per_day = p->limits.per_day;
}

/* reason_elsewhere - when `postfix check` failed without saying why
 * here (over SSH it has no terminal to say it on), Postfix's words from
 * postqueue, which refused the same main.cf, or from the mail log, where
 * the check logged them just now. */
static void reason_elsewhere(struct health_facts *f)
{
	char why[400];

	if ((f->check >= 0 && f->conf >= 0) || strstr(f->config_reason, "fatal: ") ||
	    strstr(f->config_reason, "error: "))
		return;
	if (pfdiag_reason(f->queue_why, strlen(f->queue_why), why, sizeof(why)) == 1)
		snprintf(f->config_reason, sizeof(f->config_reason), "%s", why);
	else if (f->log.last_fatal[0] && f->log.last_fatal_time >= f->now - 5)
		snprintf(f->config_reason, sizeof(f->config_reason), "%s", f->log.last_fatal);
}

#define STOPPED (stop != NULL && *stop)

/* health_gather - see health.h. */
int health_gather(struct target *t, const struct provider_catalog *cat,
		  const struct health_thresholds *th, struct health_facts *f,
		  const volatile int *stop, struct err *e)
{
	char vals[V_COUNT][512];
	struct postfix_verdict v;
	struct err se;
	long long up = -1;
	long pid = -1;
	int status, master;
	char why[400] = "";

	health_facts_init(f);
	f->now = (long long)time(NULL);
	snprintf(f->host, sizeof(f->host), "%s", t->name ? t->name : "");
	snprintf(f->config_dir, sizeof(f->config_dir), "%s", t->config_dir ? t->config_dir : "");
	memset(vals, 0, sizeof(vals));
	err_clear(&se);
	if (conf_values(t, vals, &se) < 0) {
		memset(vals, 0, sizeof(vals));
		maincf_values(t, vals);
	}
	snprintf(f->relayhost, sizeof(f->relayhost), "%.299s", vals[V_RELAYHOST]);
	f->sasl_enabled = strcmp(vals[V_SASL], "yes") == 0;

	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	/* running: postfix status, and the pid file's master */
	err_clear(&se);
	status = postfix_running(t, &se);
	master = master_process(t, vals[V_QDIR], &pid, &up, why, sizeof(why));
	f->master_pid = pid;
	f->uptime = up;
	if (status == 1 || master == 1) {
		f->running = 1;
		if (status != 1)
			snprintf(f->running_why, sizeof(f->running_why),
				 "postfix status failed, but its master (pid %ld) runs", pid);
	} else if (status == 0) {
		f->running = 0;
		snprintf(f->running_why, sizeof(f->running_why), "%s", why);
	} else {
		snprintf(f->running_why, sizeof(f->running_why), "postfix status: %.200s; %.180s",
			 se.msg, why);
	}

	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	postfix_verdict_init(&v);
	postfix_verdict_get(t, &v);
	f->check = v.check;
	f->conf = v.conf;
	snprintf(f->config_reason, sizeof(f->config_reason), "%s", v.reason);
	postfix_verdict_free(&v);

	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	provider(cat, f);
	err_clear(&se);
	health_probe_load(t, "tls", &f->tls, &se);
	health_probe_load(t, "auth", &f->auth, &se);

	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	count_queue(t, f);
	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	sample(t, f);
	if (STOPPED)
		return err_set(e, ERR_USAGE, "stopped");
	{
		long quota = f->log.quota_per_day;

		health_log_read(t, f->now, th->window, &f->log);
		f->log.quota_per_day = quota;
	}
	reason_elsewhere(f);
	return 0;
}
