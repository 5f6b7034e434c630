/*
 * hostfacts - what the fleet overview shows of one relay, read through
 * its target in a few round trips: the relayhost, whether Postfix runs,
 * the queue (messages in all queues, deferred ones, the age bucket of
 * the oldest, as qshape counts them from the queue files) and every
 * explicitly set parameter (for drift: which parameters differ from
 * what most relays of the group have), and the verdicts of the last TLS
 * and AUTH probe of its relayhost (the records core/health_probe keeps
 * in its state dir: two small reads, no command).
 *
 * hostfacts_load fills what it can: a part that fails is left unknown
 * (-1 or NULL) with its reason in f->why, and the rest is still read;
 * it returns -1 only when main.cf itself cannot be read.
 *
 * Ownership: hostfacts_free releases what hostfacts_load filled.
 */
#ifndef RELAYDECK_HOSTFACTS_H
#define RELAYDECK_HOSTFACTS_H

#include <stddef.h>

#include "err.h"

struct target;

/* A probe record's verdict on the relayhost. */
enum hostfacts_verdict {
	HFV_NONE,	/* no record of the relayhost (never probed, another host, AUTH off) */
	HFV_OK,		/* TLS trusted / AUTH accepted */
	HFV_UNTRUSTED,	/* TLS: the handshake completed, the certificate not trusted */
	HFV_FAILED,	/* TLS: no handshake; AUTH: refused or not tried */
	HFV_HELD	/* AUTH: the password held back (an untrusted certificate) */
};

struct hostfacts {
	char *relayhost;	/* "" when unset */
	int running;		/* 1, 0, -1 unknown */
	long queued;		/* messages in every queue; -1 unknown */
	long deferred;		/* -1 unknown */
	int oldest_bucket;	/* qshape bucket (0..9) of the oldest message; -1 none or unknown */
	char **params;		/* "name = value", sorted by name */
	size_t nparams;
	int sasl;		/* smtp_sasl_auth_enable = yes */
	enum hostfacts_verdict tls, auth;
	int have_cert;		/* cert_days is known (a TLS record with a certificate) */
	long cert_days;		/* the smart host certificate's days left */
	long long probed;	/* when the TLS record was made, 0 never */
	char why[256];		/* what could not be read, "" when everything was */
};

int hostfacts_load(struct target *t, struct hostfacts *f, struct err *e);
void hostfacts_free(struct hostfacts *f);

/* hostfacts_load_probes - the probe verdicts again (after a probe),
 * against f->relayhost; a record that cannot be read is noted in why. */
void hostfacts_load_probes(struct target *t, struct hostfacts *f);

/* hostfacts_verdict_word - "ok", "untrusted", "failed", "held" or "-". */
const char *hostfacts_verdict_word(enum hostfacts_verdict v);

/* The group's reference: for every parameter any relay sets, the value
 * most relays have (NULL: most do not set it; a tie goes to the first
 * value in byte order, "not set" last). */
struct hostfacts_ref {
	char **names;
	char **values;
	size_t n;
};

/* hostfacts_ref_build - the reference of all[0..n) (NULL entries, hosts
 * that could not be read, are left out). */
int hostfacts_ref_build(const struct hostfacts *const *all, size_t n, struct hostfacts_ref *ref,
			struct err *e);
void hostfacts_ref_free(struct hostfacts_ref *ref);

/* hostfacts_drift - how many parameters of f differ from the reference,
 * their names comma-separated into out (cut to outlen). */
size_t hostfacts_drift(const struct hostfacts_ref *ref, const struct hostfacts *f, char *out,
		       size_t outlen);

#endif
