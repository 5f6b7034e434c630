/*
 * health_probe - the last probe's record in the state dir. See
 * health_probe.h.
 */
#include "config.h"
#include "health_probe.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "pin.h"
#include "postfix.h"
#include "probe.h"
#include "target.h"

#define RECORD_MAX 16384

/* one_line - s with every control character a blank, into dst. */
static void one_line(char *dst, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	dst[i] = '\0';
}

/* step - the step called name, or NULL. */
static const struct probe_step *step(const struct probe_result *r, const char *name)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (strcmp(r->steps[i].name, name) == 0)
			return &r->steps[i];
	return NULL;
}

/* health_probe_from - what the health check needs of a probe. */
void health_probe_from(const struct probe_result *r, long long now, struct health_probe *p)
{
	const struct probe_step *pin = step(r, "pin");

	memset(p, 0, sizeof(*p));
	p->have = 1;
	p->when = now;
	one_line(p->host, sizeof(p->host), r->host);
	one_line(p->port, sizeof(p->port), r->port);
	p->tls_done = r->tls.done;
	/* As Postfix trusts: a verified chain and name, or the pinned fingerprint. */
	p->trusted = r->tls.done && (pin ? pin->ok : r->tls.verified && r->tls.hostname_match);
	if (r->tls.done && !p->trusted) {
		if (pin)
			one_line(p->verify_error, sizeof(p->verify_error), pin->detail);
		else if (!r->tls.verified)
			one_line(p->verify_error, sizeof(p->verify_error),
				 r->tls.verify_error[0] ? r->tls.verify_error : "chain not verified");
		else
			snprintf(p->verify_error, sizeof(p->verify_error),
				 "the certificate does not name %.160s", p->host);
	}
	one_line(p->protocol, sizeof(p->protocol), r->tls.protocol);
	if (r->tls.nchain > 0) {
		p->have_cert = 1;
		p->days_left = r->tls.chain[0].days_left;
	}
	p->auth_tried = r->auth.tried;
	p->auth_ok = r->auth.tried && r->auth.ok;
	p->auth_not_sent = r->auth.not_sent;
	one_line(p->auth_reply, sizeof(p->auth_reply),
		 r->auth.not_sent ? r->auth.not_sent_reason : r->auth.reply);
	for (size_t i = 0; i < r->nsteps; i++)
		if (!r->steps[i].ok) {
			one_line(p->failed_step, sizeof(p->failed_step), r->steps[i].name);
			one_line(p->failed_detail, sizeof(p->failed_detail), r->steps[i].detail);
			break;
		}
}

/* format - the record as key=value lines. */
static void format(const struct health_probe *p, struct buf *b)
{
	buf_printf(b, "when=%lld\nhost=%s\nport=%s\ntls_done=%d\ntrusted=%d\n"
		   "verify_error=%s\nprotocol=%s\nhave_cert=%d\ndays_left=%ld\n"
		   "auth_tried=%d\nauth_ok=%d\nauth_not_sent=%d\nauth_reply=%s\n"
		   "failed_step=%s\nfailed_detail=%s\n",
		   p->when, p->host, p->port, p->tls_done, p->trusted, p->verify_error,
		   p->protocol, p->have_cert, p->days_left, p->auth_tried, p->auth_ok,
		   p->auth_not_sent, p->auth_reply, p->failed_step, p->failed_detail);
}

/* health_probe_save - one record per kind, written atomically. */
int health_probe_save(struct target *t, const struct health_probe *p, int auth,
		      struct err *e)
{
	struct buf b = BUF_INIT;
	char *path = NULL;
	int rc = -1;

	if (t->ops->mkdir_p(t, t->state_dir, 0700, e) < 0)
		return -1;
	format(p, &b);
	if (b.data == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((path = target_state_path(t, "probe-tls")) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (target_write(t, path, b.data, b.len, 0600, e) < 0)
		goto out;
	free(path);
	path = NULL;
	if (auth) {
		if ((path = target_state_path(t, "probe-auth")) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (target_write(t, path, b.data, b.len, 0600, e) < 0)
			goto out;
	}
	rc = 0;
out:
	free(path);
	buf_free(&b);
	return rc;
}

/* set_field - one key=value line into p. */
static void set_field(struct health_probe *p, const char *k, const char *v)
{
#define STR(name) \
	if (strcmp(k, #name) == 0) { \
		one_line(p->name, sizeof(p->name), v); \
		return; \
	}
#define NUM(name) \
	if (strcmp(k, #name) == 0) { \
		p->name = strtol(v, NULL, 10); \
		return; \
	}
	STR(host) STR(port) STR(verify_error) STR(protocol) STR(auth_reply)
	STR(failed_step) STR(failed_detail)
	NUM(tls_done) NUM(trusted) NUM(have_cert) NUM(days_left) NUM(auth_tried)
	NUM(auth_ok) NUM(auth_not_sent)
#undef STR
#undef NUM
	if (strcmp(k, "when") == 0)
		p->when = strtoll(v, NULL, 10);
}

/* health_probe_load - parse the record; unknown keys are skipped. One
 * read, no stat first: a missing record is the error the read reports
 * (over SSH each call is a round trip, and the fleet reads every host). */
int health_probe_load(struct target *t, const char *kind, struct health_probe *p,
		      struct err *e)
{
	struct buf b = BUF_INIT;
	char name[32], *path;
	struct err re;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	snprintf(name, sizeof(name), "probe-%s", kind);
	if ((path = target_state_path(t, name)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	buf_init(&b, RECORD_MAX);
	err_clear(&re);
	if (target_read(t, path, &b, &re) < 0) {
		if (re.code != ERR_NOTFOUND) {
			*e = re;
			rc = -1;
		}
		goto out;
	}
	for (char *l = b.data; l && *l;) {
		char *nl = strchr(l, '\n'), *eq;

		if (nl)
			*nl = '\0';
		if ((eq = strchr(l, '=')) != NULL) {
			*eq = '\0';
			set_field(p, l, eq + 1);
		}
		l = nl ? nl + 1 : l + strlen(l);
	}
	p->have = p->when > 0 && p->host[0];
out:
	buf_free(&b);
	free(path);
	return rc;
}

/* health_probe_first_hop - the first next hop of a relayhost list (Postfix 3.5 takes
 * "[a]:587, [b]:587"): the one a probe of the relayhost probes; a port
 * named as a service ("[a]:submission", which Postfix and `set` take)
 * by its number, as the probe and its record have it. */
void health_probe_first_hop(const char *relayhost, char *out, size_t n)
{
	char *port, buf[1024];
	struct servent se, *sp = NULL;

	relayhost += strspn(relayhost, ", \t\n");
	snprintf(out, n, "%.*s", (int)strcspn(relayhost, ", \t\n"), relayhost);
	if (out[0] == '[')
		port = strstr(out, "]:") ? strstr(out, "]:") + 1 : NULL;
	else	/* one ':' only: more is a bare IPv6 address */
		port = strchr(out, ':') == strrchr(out, ':') ? strchr(out, ':') : NULL;
	if (port == NULL || port[1] == '\0' || port[strspn(port + 1, "0123456789") + 1] == '\0')
		return;
	if (getservbyname_r(port + 1, "tcp", &se, buf, sizeof(buf), &sp) == 0 && sp != NULL)
		snprintf(port + 1, n - (size_t)(port + 1 - out), "%d", ntohs((uint16_t)sp->s_port));
}

/* health_probe_matches - the record is of relayhost's host and port. */
int health_probe_matches(const struct health_probe *p, const char *relayhost)
{
	char host[256], port[16], hop[300];
	const char *h = hop, *colon;
	size_t hl;

	if (!p->have || relayhost == NULL)
		return 0;
	health_probe_first_hop(relayhost, hop, sizeof(hop));
	if (!h[0])
		return 0;
	/* "[host]:port", "host:port", "host" (port 25) */
	if (*h == '[') {
		const char *rb = strchr(h, ']');

		if (rb == NULL)
			return 0;
		hl = (size_t)(rb - h - 1);
		snprintf(host, sizeof(host), "%.*s", (int)hl, h + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = strrchr(h, ':');
		hl = colon ? (size_t)(colon - h) : strlen(h);
		snprintf(host, sizeof(host), "%.*s", (int)hl, h);
	}
	snprintf(port, sizeof(port), "%s", colon ? colon + 1 : "25");
	return strcasecmp(host, p->host) == 0 && strcmp(port, p->port) == 0;
}

/* health_probe_relay - the probe the CLI's `probe auth RELAYHOST` runs. */
int health_probe_relay(struct target *t, const char *relayhost, int auth,
		       struct probe_result *r, struct err *e)
{
	struct probe_opts o;
	struct buf user = BUF_INIT, pw = BUF_INIT;
	char host[256], port[16], digest[16], policy[2048], hop[300];
	char *ca_file = NULL, *ca_path = NULL;
	struct err ce;
	int br, rc;

	memset(r, 0, sizeof(*r));
	if (relayhost == NULL || *relayhost == '\0')
		return err_set(e, ERR_INVALID, "no relayhost to probe");
	health_probe_first_hop(relayhost, hop, sizeof(hop));
	/* Postfix's smtp client connects to port 25 when the next hop names none. */
	if (probe_parse_hostport(hop, "25", host, sizeof(host), port, sizeof(port), &br, e) < 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = host;
	o.port = port;
	o.tls_mode = PROBE_TLS_AUTO;
	if (probe_ca_defaults(t, &ca_file, &ca_path, &ce) == 0) {
		o.ca_file = ca_file;
		o.ca_path = ca_path;
	}
	pin_host_digest(t, digest, sizeof(digest));
	o.digest = strcmp(digest, "sha1") == 0 || strcmp(digest, "md5") == 0 ? digest : NULL;
	if (probe_policy_lookup(t, host, port, policy, sizeof(policy), &ce) == 1)
		o.tls_policy = policy;
	if (auth) {
		if (probe_cred_lookup(t, host, port, &user, &pw, e) < 0) {
			rc = -1;
			goto out;
		}
		o.auth = 1;
		o.user = user.data ? user.data : "";
		o.password = pw.data ? pw.data : "";
	}
	rc = probe_run(&o, r, e);
	if (rc >= 0 && probe_check_pin(t, r, digest, &ce) == 0 && !r->ok)
		rc = 1;
out:
	buf_wipe_free(&pw);
	buf_free(&user);
	free(ca_file);
	free(ca_path);
	return rc;
}

/* health_probe_run - probe, keep the record, say whether it passed. */
int health_probe_run(struct target *t, const char *relayhost, int auth, struct health_probe *rec,
		     struct err *e)
{
	struct probe_result r;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rc = health_probe_relay(t, relayhost, auth, &r, e);
	if (rc >= 0) {
		health_probe_from(&r, (long long)time(NULL), rec);
		rc = r.ok ? 0 : 1;
		if (health_probe_save(t, rec, auth, e) < 0)
			rc = -1;
	}
	probe_result_free(&r);
	return rc;
}
