/*
 * credtest - AUTH with a new credential before it is applied. See
 * credtest.h.
 */
#include "config.h"
#include "credtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "secret.h"

/* credtest_run - parse the key, probe with AUTH, summarise. */
int credtest_run(struct target *t, const char *key, const char *user, const struct secret *pw,
		 const struct credtest_opts *co, struct probe_result *r, char *why, size_t whylen,
		 struct err *e)
{
	struct probe_opts o;
	char host[256], port[16], digest[16], policy[2048];
	char *ca_file = NULL, *ca_path = NULL;
	struct err ce;
	int br, rc;

	memset(r, 0, sizeof(*r));
	why[0] = '\0';
	if (key == NULL || key[0] == '@' || (key[0] != '[' && strchr(key, '@') != NULL)) {
		snprintf(why, whylen, "%s is keyed by sender: no host to test against", key);
		return CREDTEST_SKIPPED;
	}
	/* Postfix's smtp client connects to port 25 when the next hop names none. */
	if (probe_parse_hostport(key, "25", host, sizeof(host), port, sizeof(port), &br, e) < 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = host;
	o.port = port;
	o.tls_mode = PROBE_TLS_AUTO;
	o.auth = 1;
	o.user = user;
	o.password = pw && pw->data ? pw->data : "";
	o.target = t;
	if (probe_ca_defaults(t, &ca_file, &ca_path, &ce) == 0) {
		o.ca_file = ca_file;
		o.ca_path = ca_path;
	}
	/* A pinned fingerprint is trusted as Postfix trusts it, in its digest. */
	pin_host_digest(t, digest, sizeof(digest));
	o.digest = strcmp(digest, "sha1") == 0 || strcmp(digest, "md5") == 0 ? digest : NULL;
	if (probe_policy_lookup(t, host, port, policy, sizeof(policy), &ce) == 1)
		o.tls_policy = policy;
	if (co) {
		o.insecure_auth = co->insecure_auth;
		o.insecure_cert = co->insecure_cert;
		o.from_here = co->from_here;
	}
	rc = probe_run(&o, r, e);
	free(ca_file);
	free(ca_path);
	if (rc < 0)
		return -1;
	if (r->auth.tried && r->auth.ok)
		return CREDTEST_OK;
	if (r->auth.not_sent) {
		snprintf(why, whylen, "[%s]:%s: not sent: %s", host, port, r->auth.not_sent_reason);
		return CREDTEST_NOT_SENT;
	}
	if (r->auth.tried && r->auth.reply[0]) {
		snprintf(why, whylen, "[%s]:%s refused it: %s%s%s", host, port, r->auth.reply,
			 r->auth.hint[0] ? " (likely: " : "", r->auth.hint[0] ? r->auth.hint : "");
		if (r->auth.hint[0] && strlen(why) + 1 < whylen)
			strcat(why, ")");
		return CREDTEST_FAILED;
	}
	for (size_t i = 0; i < r->nsteps; i++)
		if (!r->steps[i].ok) {
			snprintf(why, whylen, "[%s]:%s: the %s step failed before AUTH could be "
				 "tried: %s", host, port, r->steps[i].name, r->steps[i].detail);
			return CREDTEST_FAILED;
		}
	snprintf(why, whylen, "[%s]:%s: AUTH was not tried", host, port);
	return CREDTEST_FAILED;
}
