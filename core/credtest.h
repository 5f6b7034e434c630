/*
 * credtest - try a credential before it is written: AUTH against the
 * destination of a sasl_passwd key with the probe (core/probe), TLS mode
 * by port (implicit for 465/2465, else STARTTLS), the CA the target's
 * Postfix trusts. Used by `creds rotate` and the Credentials screen.
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

enum credtest_verdict { CREDTEST_OK = 0, CREDTEST_FAILED = 1, CREDTEST_SKIPPED = 2 };

/* credtest_run - CREDTEST_OK when AUTH was accepted; CREDTEST_FAILED with
 * why (the server's reply, or the step that failed) when not;
 * CREDTEST_SKIPPED with why when key names no host; -1 on error. */
int credtest_run(struct target *t, const char *key, const char *user, const struct secret *pw,
		 struct probe_result *r, char *why, size_t whylen, struct err *e);

#endif
