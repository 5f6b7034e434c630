/*
 * credtest - try a credential before it is written: AUTH against the
 * destination of a sasl_passwd key with the probe (core/probe), TLS mode
 * by port (implicit for 465/2465, else STARTTLS), the CA the target's
 * Postfix trusts (read through the target), from the target's own network
 * position (a direct-tcpip channel over SSH) unless from_here. Used by `creds rotate` and the Credentials screen.
 *
 * The password goes out only over a certificate the target's Postfix
 * would trust (chain and name verified, or a fingerprint pinned in
 * smtp_tls_policy_maps); otherwise the verdict is CREDTEST_NOT_SENT,
 * unless the caller allows it (credtest_opts.insecure_auth).
 *
 * Sender-keyed entries ("user@domain", "@domain") name no host: they are
 * skipped with a note. The password is the caller's (struct secret); the
 * probe copies nothing of it into the result.
 *
 * Ownership: r is filled as probe_run fills it (probe_result_free).
 * Errors: -1 with e set when the test could not run at all.
 */
#ifndef RELAYDECK_CREDTEST_H
#define RELAYDECK_CREDTEST_H

#include <stddef.h>

#include "err.h"
#include "probe.h"

struct secret;
struct target;

enum credtest_verdict {
	CREDTEST_OK = 0,
	CREDTEST_FAILED = 1,
	CREDTEST_SKIPPED = 2,
	CREDTEST_NOT_SENT = 3,
};

/* What the caller allows beyond the default (NULL: nothing). */
struct credtest_opts {
	int insecure_auth;		/* send over an untrusted certificate too */
	const char *insecure_cert;	/* ... only to this one (SHA-256), or NULL */
	int from_here;			/* connect from this machine, not from the target */
};

/* credtest_run - CREDTEST_OK when AUTH was accepted; CREDTEST_FAILED with
 * why (the server's reply, or the step that failed) when not;
 * CREDTEST_NOT_SENT with why when the certificate is not trusted (the
 * password stayed here; r->tls.cert_sha256 names the certificate);
 * CREDTEST_SKIPPED with why when key names no host; -1 on error. */
int credtest_run(struct target *t, const char *key, const char *user, const struct secret *pw,
		 const struct credtest_opts *co, struct probe_result *r, char *why, size_t whylen,
		 struct err *e);

#endif
