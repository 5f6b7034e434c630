/*
 * health_probe - the last TLS and AUTH probe of a host, kept in its state
 * dir so the health check and the Dashboard can say what the smart host
 * did when it was last asked, and when that was.
 *
 * `relaydeck probe tls|auth`, the Probe screen and the Dashboard's probe
 * key save a record after each probe: <state dir>/probe-tls (every probe:
 * what it found of TLS, or the step that failed before it) and <state dir>/probe-auth (AUTH probes). The record
 * is "key=value" lines, mode 0600; peer text (replies, verify errors)
 * is kept to one line. It never holds a secret: the probe result holds
 * none.
 *
 * health_probe_relay runs the probe the Dashboard's key runs: the
 * relayhost, the CA, fingerprint digest and pinned policy the target's
 * Postfix uses, and with auth the credential from its
 * smtp_sasl_password_maps (wiped after use).
 *
 * Ownership: plain values. Errors: -1 with e filled.
 */
#ifndef RELAYDECK_HEALTH_PROBE_H
#define RELAYDECK_HEALTH_PROBE_H

#include "err.h"

struct target;
struct probe_result;

struct health_probe {
	int have;		/* a record was found */
	long long when;		/* seconds since the epoch */
	char host[256];
	char port[16];
	int tls_done;		/* the handshake completed */
	int trusted;		/* chain and name verified, or a pinned fingerprint matched */
	char verify_error[200];	/* why not trusted */
	char protocol[16];
	long days_left;		/* the server certificate's; meaningful with have_cert */
	int have_cert;
	int auth_tried, auth_ok, auth_not_sent;
	char auth_reply[400];	/* the server's reply, or why it was not sent */
	char failed_step[24];	/* the first step that failed, or "" */
	char failed_detail[300];
};

/* health_probe_from - a record of r (now: when it ran). */
void health_probe_from(const struct probe_result *r, long long now, struct health_probe *p);

/* health_probe_save - <state>/probe-tls, and with auth <state>/probe-auth. */
int health_probe_save(struct target *t, const struct health_probe *p, int auth,
		      struct err *e);

/* health_probe_load - the record of kind "tls" or "auth"; p->have 0
 * when there is none. */
int health_probe_load(struct target *t, const char *kind, struct health_probe *p,
		      struct err *e);

/* health_probe_first_hop - the first next hop of relayhost (a list since
 * Postfix 3.5), a port named as a service given by its number: what a
 * probe of the relayhost probes. */
void health_probe_first_hop(const char *relayhost, char *out, size_t n);

/* health_probe_relay - probe relayhost ("[host]:port") as Postfix meets
 * it, AUTH with its credential when auth; r as probe_run fills it. */
int health_probe_relay(struct target *t, const char *relayhost, int auth,
		       struct probe_result *r, struct err *e);

/* health_probe_matches - 1 when p is a probe of relayhost's host and
 * port ("[host]:port", "host:port", "host" meaning port 25). */
int health_probe_matches(const struct health_probe *p, const char *relayhost);

/* health_probe_run - health_probe_relay, then the record of what it
 * found saved (health_probe_save) and left in rec: 0 when the probe
 * passed (TLS trusted, and AUTH accepted when auth), 1 when it ran and
 * did not pass, -1 when it could not run or the record not be saved. */
int health_probe_run(struct target *t, const char *relayhost, int auth, struct health_probe *rec,
		     struct err *e);

#endif
