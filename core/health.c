/*
 * health - thresholds, the verdict on the facts, and its three wordings
 * (people, JSON, a Nagios plugin line). See health.h.
 */
#include "config.h"
#include "health.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "json.h"
#include "queue.h"
#include "termsafe.h"

#define DAY (24LL * 3600)

void health_thresholds_default(struct health_thresholds *th)
{
	th->warn_queue = 100;
	th->crit_queue = 1000;
	th->warn_age = 3600;
	th->crit_age = DAY;
	th->warn_cert_days = 14;
	th->crit_cert_days = 1;
	th->warn_sasl = 1;
	th->warn_tls = 1;
	th->warn_quota = 80;
	th->crit_quota = 95;
	th->warn_rise = 10;
	th->window = 3600;
}

const char *health_level_name(enum health_level l)
{
	static const char *const n[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return l <= HEALTH_UNKNOWN ? n[l] : "UNKNOWN";
}

const char *health_level_word(enum health_level l)
{
	static const char *const n[] = { "ok", "warning", "critical", "unknown" };

	return l <= HEALTH_UNKNOWN ? n[l] : "unknown";
}

static const struct {
	const char *name;
	int key;
	const char *screen;
} fixes[] = {
	[HFIX_NONE] = { NULL, 0, NULL },
	[HFIX_START] = { "start", 's', "start Postfix" },
	[HFIX_RELAY] = { "relay", '1', "Relay settings" },
	[HFIX_CREDS] = { "creds", '2', "Credentials" },
	[HFIX_SETUP] = { "setup", '4', "Setup wizard" },
	[HFIX_PROBE] = { "probe", '5', "Probe" },
	[HFIX_QUEUE] = { "queue", '6', "Queue" },
	[HFIX_REPROBE] = { "reprobe", 'a', "probe the relayhost now" },
};

const char *health_fix_name(enum health_fix x)
{
	return x <= HFIX_REPROBE ? fixes[x].name : NULL;
}

int health_fix_key(enum health_fix x)
{
	return x <= HFIX_REPROBE ? fixes[x].key : 0;
}

const char *health_fix_screen(enum health_fix x)
{
	return x <= HFIX_REPROBE ? fixes[x].screen : NULL;
}

/* ---- the verdict ---------------------------------------------------------- */

static void set(struct health_item *it, enum health_level l, enum health_fix fix,
		const char *todo, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* set - an item's level, text, what to do and its fixing screen. */
static void set(struct health_item *it, enum health_level l, enum health_fix fix,
		const char *todo, const char *fmt, ...)
{
	va_list ap;

	it->level = l;
	it->fix = fix;
	snprintf(it->todo, sizeof(it->todo), "%s", todo ? todo : "");
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/* ago - "5m ago" for a time before now. */
static const char *ago(long long now, long long when, char *out, size_t n)
{
	char a[32];

	snprintf(out, n, "%s ago", queue_age_format(now > when ? now - when : 0, a, sizeof(a)));
	return out;
}

/* clock_at - "06:40" (today) or "Dec 04 06:40" in local time. */
static const char *clock_at(long long now, long long when, char *out, size_t n)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		snprintf(out, n, "?");
	else
		strftime(out, n, now - when < DAY ? "%H:%M" : "%b %d %H:%M", &tm);
	return out;
}

/* probe_matches - the record is of the relayhost's host and port. */
static int probe_matches(const struct health_facts *f, const struct health_probe *p)
{
	return health_probe_matches(p, f->relayhost);
}

static void judge_postfix(const struct health_facts *f, struct health_item *it)
{
	char up[32], todo[400];

	if (f->running == 1 && f->master_pid > 0)
		set(it, HEALTH_OK, HFIX_NONE, NULL, "running, master pid %ld, up %s%s%s",
		    f->master_pid, queue_age_format(f->uptime, up, sizeof(up)),
		    f->running_why[0] ? "; " : "", f->running_why);
	else if (f->running == 1)
		set(it, HEALTH_OK, HFIX_NONE, NULL, "running (postfix status)");
	else if (f->running == 0) {
		snprintf(todo, sizeof(todo), "start it (s on the Dashboard, or postfix -c %.120s "
			 "start); if it stops again, its reason is in the mail log %.120s",
			 f->config_dir, f->log.file[0] ? f->log.file : "");
		set(it, HEALTH_CRITICAL, HFIX_START, todo, "not running: %s",
		    f->running_why[0] ? f->running_why : "postfix status says so");
	} else
		set(it, HEALTH_UNKNOWN, HFIX_NONE, NULL, "cannot tell: %s", f->running_why);
}

static void judge_config(const struct health_facts *f, struct health_item *it)
{
	if (f->check < 0 || f->conf < 0)
		set(it, HEALTH_CRITICAL, HFIX_RELAY,
		    "correct the setting Postfix names in Relay settings, then apply",
		    "Postfix rejects main.cf: %s", f->config_reason);
	else if (f->check == 1)
		set(it, HEALTH_OK, HFIX_NONE, NULL,
		    "postconf -n accepts main.cf (postfix check needs root)");
	else
		set(it, HEALTH_OK, HFIX_NONE, NULL, "postfix check passed");
}

static void judge_relay(const struct health_facts *f, struct health_item *it)
{
	if (f->relayhost[0] == '\0')
		set(it, HEALTH_WARNING, HFIX_SETUP,
		    "choose a smart host with the Setup wizard",
		    "none: mail goes straight to each recipient's MX");
	else if (f->provider_name[0])
		set(it, HEALTH_OK, HFIX_NONE, NULL, "%s: %s", f->relayhost, f->provider_name);
	else
		set(it, HEALTH_OK, HFIX_NONE, NULL, "%s (not in the provider catalog)",
		    f->relayhost);
}

/* unprobed - the item says there is no probe of the relayhost yet. */
static void unprobed(const struct health_facts *f, const struct health_probe *p,
		     struct health_item *it)
{
	char todo[400];

	snprintf(todo, sizeof(todo), "probe it: a on the Dashboard, or relaydeck probe auth %s",
		 f->relayhost);
	if (p->have)
		set(it, HEALTH_UNKNOWN, HFIX_REPROBE, todo,
		    "the last probe was of [%s]:%s, not of the relayhost", p->host, p->port);
	else
		set(it, HEALTH_UNKNOWN, HFIX_REPROBE, todo, "not probed yet");
}

static void judge_tls(const struct health_facts *f, const struct health_thresholds *th,
		      struct health_item *it)
{
	const struct health_probe *p = &f->tls;
	char when[48];

	if (f->relayhost[0] == '\0') {
		set(it, HEALTH_UNKNOWN, HFIX_NONE, NULL, "no relayhost to check");
		return;
	}
	if (!probe_matches(f, p)) {
		unprobed(f, p, it);
		return;
	}
	ago(f->now, p->when, when, sizeof(when));
	if (!p->tls_done)
		set(it, HEALTH_CRITICAL, HFIX_PROBE,
		    "see the step that failed in Probe; check the port and smtp_tls_wrappermode",
		    "no TLS with the relayhost: %s failed: %s (probed %s)", p->failed_step,
		    p->failed_detail, when);
	else if (!p->trusted)
		set(it, HEALTH_CRITICAL, HFIX_PROBE,
		    "in Probe: pin the certificate if it is the right server, or set the CA "
		    "(smtp_tls_CAfile) that signed it",
		    "certificate not trusted: %s (probed %s)", p->verify_error, when);
	else if (p->have_cert && p->days_left < th->crit_cert_days)
		set(it, HEALTH_CRITICAL, HFIX_PROBE,
		    "the smart host must renew its certificate: tell the provider, probe again",
		    p->days_left < 0 ? "certificate expired %ld day(s) ago (probed %s)" :
		    "certificate expires within %ld day(s) (probed %s)",
		    p->days_left < 0 ? -p->days_left : p->days_left + 1, when);
	else if (p->have_cert && p->days_left < th->warn_cert_days)
		set(it, HEALTH_WARNING, HFIX_PROBE,
		    "the smart host should renew its certificate soon: probe again later",
		    "trusted %s, certificate expires in %ld day(s) (probed %s)", p->protocol,
		    p->days_left, when);
	else
		set(it, HEALTH_OK, HFIX_NONE, NULL, "trusted %s, certificate %ld days left "
		    "(probed %s)", p->protocol, p->days_left, when);
}

static void judge_auth(const struct health_facts *f, struct health_item *it)
{
	const struct health_probe *p = &f->auth;
	char when[48];

	if (!f->sasl_enabled) {
		set(it, HEALTH_OK, HFIX_NONE, NULL, "off (smtp_sasl_auth_enable is not yes)");
		return;
	}
	if (f->relayhost[0] == '\0') {
		set(it, HEALTH_UNKNOWN, HFIX_NONE, NULL, "no relayhost to log in to");
		return;
	}
	if (!probe_matches(f, p)) {
		unprobed(f, p, it);
		return;
	}
	ago(f->now, p->when, when, sizeof(when));
	if (p->auth_ok)
		set(it, HEALTH_OK, HFIX_NONE, NULL, "accepted (probed %s)", when);
	else if (p->auth_not_sent)
		set(it, HEALTH_CRITICAL, HFIX_PROBE,
		    "in Probe: pin the certificate if it is the right server, then probe again",
		    "password held back: %s (probed %s)", p->auth_reply, when);
	else if (p->auth_tried)
		set(it, HEALTH_CRITICAL, HFIX_CREDS,
		    "rotate the password (or the user) in Credentials",
		    "refused: %s (probed %s)", p->auth_reply[0] ? p->auth_reply : "no reply", when);
	else
		set(it, HEALTH_CRITICAL, HFIX_PROBE, "see the step that failed in Probe",
		    "not tried: %s%s%s (probed %s)", p->failed_step[0] ? p->failed_step : "",
		    p->failed_step[0] ? " failed: " : "the server offers no AUTH",
		    p->failed_step[0] ? p->failed_detail : "", when);
}

static void judge_queue(const struct health_facts *f, const struct health_thresholds *th,
			struct health_report *r)
{
	struct health_item *q = &r->items[HI_QUEUE], *o = &r->items[HI_OLDEST];
	struct health_item *tr = &r->items[HI_TREND];
	const char *todo = "see why in the Queue screen (its reasons view)";
	enum health_level l;
	char age[32], at[32];
	long long d;

	if (!f->queue_ok) {
		set(q, HEALTH_UNKNOWN, HFIX_NONE, NULL, "cannot read the queue: %s", f->queue_why);
		set(o, HEALTH_UNKNOWN, HFIX_NONE, NULL, "unknown");
		set(tr, HEALTH_UNKNOWN, HFIX_NONE, NULL, "unknown");
		return;
	}
	l = f->queue_total >= th->crit_queue ? HEALTH_CRITICAL :
	    f->queue_total >= th->warn_queue ? HEALTH_WARNING : HEALTH_OK;
	set(q, l, l ? HFIX_QUEUE : HFIX_NONE, l ? todo : NULL,
	    "%lld message(s): %lld deferred, %lld active, %lld hold, %lld incoming",
	    f->queue_total, f->queue_deferred, f->queue_active, f->queue_hold, f->queue_incoming);
	if (f->oldest_age < 0) {
		set(o, HEALTH_OK, HFIX_NONE, NULL, "the queue is empty");
	} else {
		l = f->oldest_age >= th->crit_age ? HEALTH_CRITICAL :
		    f->oldest_age >= th->warn_age ? HEALTH_WARNING : HEALTH_OK;
		set(o, l, l ? HFIX_QUEUE : HFIX_NONE, l ? todo : NULL, "%s old",
		    queue_age_format(f->oldest_age, age, sizeof(age)));
	}
	if (!f->have_prev) {
		set(tr, HEALTH_OK, HFIX_NONE, NULL, "%lld deferred (the first sample)",
		    f->queue_deferred);
		return;
	}
	d = f->queue_deferred - f->prev_deferred;
	clock_at(f->now, f->prev_time, at, sizeof(at));
	l = d >= th->warn_rise ? HEALTH_WARNING : HEALTH_OK;
	if (d > 0)
		set(tr, l, l ? HFIX_QUEUE : HFIX_NONE, l ? todo : NULL,
		    "rising: %lld deferred, %+lld since %s", f->queue_deferred, d, at);
	else if (d < 0)
		set(tr, HEALTH_OK, HFIX_NONE, NULL, "falling: %lld deferred, %lld since %s",
		    f->queue_deferred, d, at);
	else
		set(tr, HEALTH_OK, HFIX_NONE, NULL, "steady: %lld deferred, as at %s",
		    f->queue_deferred, at);
}

static void judge_log(const struct health_facts *f, const struct health_thresholds *th,
		      struct health_report *r)
{
	const struct health_log_facts *lf = &f->log;
	char win[32], since[32];
	enum health_level l;

	queue_age_format(lf->window, win, sizeof(win));
	if (!lf->have) {
		for (int i = HI_SASL; i <= HI_QUOTA; i++)
			set(&r->items[i], HEALTH_UNKNOWN, HFIX_NONE, NULL, "%s", lf->why);
		return;
	}
	l = lf->sasl_failures >= th->warn_sasl ? HEALTH_WARNING : HEALTH_OK;
	set(&r->items[HI_SASL], l, l ? HFIX_CREDS : HFIX_NONE,
	    l ? "check the password with a probe (a), rotate it in Credentials" : NULL,
	    "%ld authentication failure(s) in the last %s", lf->sasl_failures, win);
	l = lf->tls_failures >= th->warn_tls ? HEALTH_WARNING : HEALTH_OK;
	set(&r->items[HI_TLSFAIL], l, l ? HFIX_PROBE : HFIX_NONE,
	    l ? "probe the relayhost's TLS in Probe; compare with smtp_tls_security_level" : NULL,
	    "%ld failure(s) in the last %s", lf->tls_failures, win);
	l = lf->delivered == 0 && lf->deferred > 0 ? HEALTH_WARNING : HEALTH_OK;
	set(&r->items[HI_DELIVERY], l, l ? HFIX_QUEUE : HFIX_NONE,
	    l ? "nothing got through: see the deferral reasons in the Queue screen" : NULL,
	    "%ld delivered in the last %s (%.1f/min), %ld deferred, %ld bounced%s%s",
	    lf->delivered, win, lf->window > 0 ? lf->delivered * 60.0 / (double)lf->window : 0.0,
	    lf->deferred, lf->bounced, lf->partial_window ? "; the log read covers since " : "",
	    lf->partial_window ? clock_at(f->now, lf->since, since, sizeof(since)) : "");
	if (lf->quota_per_day <= 0) {
		set(&r->items[HI_QUOTA], HEALTH_UNKNOWN, HFIX_NONE, NULL,
		    "%ld delivered in 24 h; the catalog knows no daily limit for this relay",
		    lf->delivered_24h);
		return;
	}
	{
		long pct = lf->delivered_24h * 100 / lf->quota_per_day;

		l = pct >= th->crit_quota ? HEALTH_CRITICAL :
		    pct >= th->warn_quota ? HEALTH_WARNING : HEALTH_OK;
		set(&r->items[HI_QUOTA], l, l ? HFIX_RELAY : HFIX_NONE,
		    l ? "slow the relay in Relay settings (default_destination_rate_delay), "
			"or raise the plan's limit" : NULL,
		    "%ld of %ld a day (%ld%%) in the last 24 h%s%s", lf->delivered_24h,
		    lf->quota_per_day, pct, lf->partial_24h ? "; the log read covers since " : "",
		    lf->partial_24h ? clock_at(f->now, lf->since, since, sizeof(since)) : "");
	}
}

/* health_judge - every item, then the worst level. */
void health_judge(const struct health_facts *f, const struct health_thresholds *th,
		  struct health_report *r)
{
	static const struct {
		const char *name, *label;
		int counts;
	} items[HI_COUNT] = {
		[HI_POSTFIX] = { "postfix", "Postfix", 1 },
		[HI_CONFIG] = { "config", "Config", 1 },
		[HI_RELAYHOST] = { "relayhost", "Relayhost", 0 },
		[HI_TLS] = { "tls", "TLS", 0 },
		[HI_AUTH] = { "auth", "AUTH", 0 },
		[HI_QUEUE] = { "queue", "Queue", 1 },
		[HI_OLDEST] = { "oldest", "Oldest", 0 },
		[HI_TREND] = { "deferred_trend", "Deferred", 0 },
		[HI_SASL] = { "sasl_failures", "SASL fails", 0 },
		[HI_TLSFAIL] = { "tls_failures", "TLS fails", 0 },
		[HI_DELIVERY] = { "delivery", "Delivery", 0 },
		[HI_QUOTA] = { "quota", "Quota", 0 },
	};
	int worst = HEALTH_OK, unknown = 0;

	memset(r, 0, sizeof(*r));
	r->f = *f;
	r->th = *th;
	for (int i = 0; i < HI_COUNT; i++) {
		r->items[i].name = items[i].name;
		r->items[i].label = items[i].label;
		r->items[i].counts = items[i].counts;
	}
	judge_postfix(f, &r->items[HI_POSTFIX]);
	judge_config(f, &r->items[HI_CONFIG]);
	judge_relay(f, &r->items[HI_RELAYHOST]);
	judge_tls(f, th, &r->items[HI_TLS]);
	judge_auth(f, &r->items[HI_AUTH]);
	judge_queue(f, th, r);
	judge_log(f, th, r);
	for (int i = 0; i < HI_COUNT; i++) {
		const struct health_item *it = &r->items[i];

		if (it->level == HEALTH_UNKNOWN)
			unknown |= it->counts;
		else if ((int)it->level > worst)
			worst = it->level;
	}
	r->level = worst == HEALTH_OK && unknown ? HEALTH_UNKNOWN : (enum health_level)worst;
}

/* ---- wordings --------------------------------------------------------------- */

/* add_safe - a line escaped whole (texts quote Postfix and peers). */
static void add_safe(struct lines *out, int kind, int tag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_safe(struct lines *out, int kind, int tag, const char *fmt, ...)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	if (termsafe_append(&safe, raw.data ? raw.data : "", raw.len, 0) == 0)
		lines_add_pick(out, kind, tag, "%s", safe.data ? safe.data : "");
	else
		out->nomem = 1;
	buf_free(&raw);
	buf_free(&safe);
}

static int kind_of(enum health_level l)
{
	static const int k[] = { LK_OK, LK_WARN, LK_ERROR, LK_DIM };

	return l <= HEALTH_UNKNOWN ? k[l] : LK_DIM;
}

/* health_lines - a header, then an item a line and what to do under it. */
void health_lines(const struct health_report *r, struct lines *out)
{
	static const char *const tag[] = { "ok  ", "WARN", "CRIT", "--  " };
	char when[64];
	time_t now = (time_t)r->f.now;
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	else
		snprintf(when, sizeof(when), "?");
	add_safe(out, kind_of(r->level) == LK_DIM ? LK_HEADER : kind_of(r->level), -1,
		 "%s: %s (%s %s, checked %s)", r->level == HEALTH_OK ? "This relay is well" :
		 "This relay needs attention", health_level_name(r->level), r->f.host,
		 r->f.config_dir, when);
	for (int i = 0; i < HI_COUNT; i++) {
		const struct health_item *it = &r->items[i];

		add_safe(out, kind_of(it->level), i, "%s %-10s %s", tag[it->level], it->label,
			 it->text);
		if (it->todo[0]) {
			int key = health_fix_key(it->fix);

			if (key)
				add_safe(out, kind_of(it->level) == LK_DIM ? LK_TEXT : kind_of(it->level),
					 i, "     -> %s  [%c: %s]", it->todo, key,
					 health_fix_screen(it->fix));
			else
				add_safe(out, LK_TEXT, i, "     -> %s", it->todo);
		}
	}
}

/* json_probe - a stored probe record, or null. */
static void json_probe(struct json *j, const char *key, const struct health_probe *p)
{
	json_key(j, key);
	if (!p->have) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_kv_int(j, "when", p->when);
	json_kv_str(j, "host", p->host);
	json_kv_str(j, "port", p->port);
	json_kv_bool(j, "tls", p->tls_done);
	json_kv_bool(j, "trusted", p->trusted);
	json_kv_str(j, "verify_error", p->verify_error);
	json_kv_str(j, "protocol", p->protocol);
	json_key(j, "days_left");
	if (p->have_cert)
		json_int(j, p->days_left);
	else
		json_null(j);
	json_kv_bool(j, "auth_tried", p->auth_tried);
	json_kv_bool(j, "auth_ok", p->auth_ok);
	json_kv_bool(j, "auth_not_sent", p->auth_not_sent);
	json_kv_str(j, "auth_reply", p->auth_reply);
	json_kv_str(j, "failed_step", p->failed_step);
	json_obj_end(j);
}

/* kv_num - "key": v, or null when v is below zero (unknown). */
static void kv_num(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

/* health_json - status, items, facts and thresholds. */
void health_json(const struct health_report *r, struct buf *out)
{
	const struct health_facts *f = &r->f;
	const struct health_log_facts *lf = &f->log;
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_str(&j, "host", f->host);
	json_kv_str(&j, "config_dir", f->config_dir);
	json_kv_str(&j, "status", health_level_word(r->level));
	json_kv_int(&j, "exit", r->level);
	json_kv_int(&j, "checked_at", f->now);
	json_key(&j, "items");
	json_arr_begin(&j);
	for (int i = 0; i < HI_COUNT; i++) {
		const struct health_item *it = &r->items[i];
		char key[2] = { (char)health_fix_key(it->fix), 0 };

		json_obj_begin(&j);
		json_kv_str(&j, "name", it->name);
		json_kv_str(&j, "level", health_level_word(it->level));
		json_kv_str(&j, "text", it->text);
		json_kv_str(&j, "todo", it->todo[0] ? it->todo : NULL);
		json_kv_str(&j, "fix", health_fix_name(it->fix));
		json_kv_str(&j, "key", key[0] ? key : NULL);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "postfix");
	json_obj_begin(&j);
	json_key(&j, "running");
	if (f->running < 0)
		json_null(&j);
	else
		json_bool(&j, f->running);
	kv_num(&j, "master_pid", f->master_pid);
	kv_num(&j, "uptime", f->uptime);
	json_kv_bool(&j, "config_valid", f->check >= 0 && f->conf >= 0);
	json_kv_bool(&j, "check_run", f->check != 1);
	json_kv_str(&j, "config_reason", f->config_reason);
	json_obj_end(&j);
	json_key(&j, "relay");
	json_obj_begin(&j);
	json_kv_str(&j, "relayhost", f->relayhost);
	json_kv_str(&j, "provider", f->provider_id[0] ? f->provider_id : NULL);
	json_kv_str(&j, "provider_name", f->provider_name[0] ? f->provider_name : NULL);
	json_kv_bool(&j, "sasl_enabled", f->sasl_enabled);
	json_probe(&j, "tls_probe", &f->tls);
	json_probe(&j, "auth_probe", &f->auth);
	json_obj_end(&j);
	json_key(&j, "queue");
	if (!f->queue_ok) {
		json_null(&j);
	} else {
		json_obj_begin(&j);
		json_kv_int(&j, "total", f->queue_total);
		json_kv_int(&j, "deferred", f->queue_deferred);
		json_kv_int(&j, "active", f->queue_active);
		json_kv_int(&j, "hold", f->queue_hold);
		json_kv_int(&j, "incoming", f->queue_incoming);
		kv_num(&j, "oldest_age", f->oldest_age);
		kv_num(&j, "deferred_previous", f->have_prev ? f->prev_deferred : -1);
		kv_num(&j, "previous_at", f->have_prev ? f->prev_time : -1);
		json_obj_end(&j);
	}
	json_key(&j, "log");
	json_obj_begin(&j);
	json_kv_str(&j, "file", lf->file);
	json_kv_bool(&j, "read", lf->have);
	json_kv_str(&j, "note", lf->why[0] ? lf->why : NULL);
	json_kv_int(&j, "window", lf->window);
	json_kv_int(&j, "sasl_failures", lf->sasl_failures);
	json_kv_int(&j, "tls_failures", lf->tls_failures);
	json_kv_int(&j, "delivered", lf->delivered);
	json_kv_int(&j, "deferred", lf->deferred);
	json_kv_int(&j, "bounced", lf->bounced);
	json_kv_int(&j, "delivered_24h", lf->delivered_24h);
	kv_num(&j, "quota_per_day", lf->quota_per_day);
	json_kv_bool(&j, "partial_24h", lf->partial_24h);
	json_kv_bool(&j, "partial_window", lf->partial_window);
	json_obj_end(&j);
	json_key(&j, "thresholds");
	json_obj_begin(&j);
	json_kv_int(&j, "warn_queue", r->th.warn_queue);
	json_kv_int(&j, "crit_queue", r->th.crit_queue);
	json_kv_int(&j, "warn_age", r->th.warn_age);
	json_kv_int(&j, "crit_age", r->th.crit_age);
	json_kv_int(&j, "warn_cert_days", r->th.warn_cert_days);
	json_kv_int(&j, "crit_cert_days", r->th.crit_cert_days);
	json_kv_int(&j, "warn_quota", r->th.warn_quota);
	json_kv_int(&j, "crit_quota", r->th.crit_quota);
	json_kv_int(&j, "warn_rise", r->th.warn_rise);
	json_kv_int(&j, "window", r->th.window);
	json_obj_end(&j);
	json_obj_end(&j);
}

/* plain - text for a plugin line: escaped, and no '|' (it starts perfdata). */
static void plain(struct buf *out, const char *s)
{
	struct buf safe = BUF_INIT;

	if (termsafe_append(&safe, s, strlen(s), 0) == 0 && safe.data)
		for (char *p = safe.data; *p; p++)
			buf_putc(out, *p == '|' ? '/' : *p);
	buf_free(&safe);
}

/* health_nagios - status, the problems (or a summary), perfdata. */
void health_nagios(const struct health_report *r, struct buf *out)
{
	const struct health_facts *f = &r->f;
	const struct health_thresholds *th = &r->th;
	int n = 0;

	buf_printf(out, "RELAYDECK %s - ", health_level_name(r->level));
	/* the worst first, then the rest that are not well */
	for (int pass = HEALTH_CRITICAL; pass >= HEALTH_WARNING; pass--)
		for (int i = 0; i < HI_COUNT; i++) {
			const struct health_item *it = &r->items[i];

			if ((int)it->level != pass)
				continue;
			buf_puts(out, n++ ? "; " : "");
			buf_printf(out, "%s: ", it->label);
			plain(out, it->text);
		}
	for (int i = 0; n == 0 && i < HI_COUNT; i++) {
		const struct health_item *it = &r->items[i];

		if (it->level == HEALTH_UNKNOWN && it->counts) {
			buf_puts(out, n++ ? "; " : "");
			buf_printf(out, "%s: ", it->label);
			plain(out, it->text);
		}
	}
	if (n == 0) {
		buf_puts(out, "Postfix running, relayhost ");
		plain(out, f->relayhost[0] ? f->relayhost : "none");
		buf_printf(out, ", queue %lld", f->queue_total);
		if (f->log.have)
			buf_printf(out, ", %ld delivered in the last hour", f->log.delivered);
	}
	buf_puts(out, " |");
	if (f->queue_ok) {
		buf_printf(out, " queue=%lld;%lld;%lld;0 deferred=%lld;;;0 oldest=%llds;%lld;%lld;0",
			   f->queue_total, th->warn_queue, th->crit_queue, f->queue_deferred,
			   f->oldest_age < 0 ? 0 : f->oldest_age, th->warn_age, th->crit_age);
	}
	if (f->log.have) {
		buf_printf(out, " delivered=%ld;;;0 log_deferred=%ld;;;0 bounced=%ld;;;0"
			   " sasl_failures=%ld;%ld;;0 tls_failures=%ld;%ld;;0",
			   f->log.delivered, f->log.deferred, f->log.bounced, f->log.sasl_failures,
			   th->warn_sasl, f->log.tls_failures, th->warn_tls);
		if (f->log.quota_per_day > 0)
			buf_printf(out, " quota=%ld%%;%d;%d;0;100",
				   f->log.delivered_24h * 100 / f->log.quota_per_day, th->warn_quota,
				   th->crit_quota);
	}
	if (f->tls.have && f->tls.have_cert)
		buf_printf(out, " cert_days=%ld;%ld:;%ld:", f->tls.days_left, th->warn_cert_days,
			   th->crit_cert_days);
	if (f->uptime >= 0)
		buf_printf(out, " uptime=%llds", f->uptime);
}
