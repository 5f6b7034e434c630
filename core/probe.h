/*
 * probe - test a smart host the way Postfix's SMTP client meets it:
 * resolve, connect, banner, EHLO, STARTTLS or implicit TLS (SNI), the
 * certificate chain, verification against a CA file/dir, the host-name
 * check, fingerprints in Postfix's form, and AUTH PLAIN/LOGIN. Each step
 * is timed and kept in the result with a verdict and a detail line, so
 * the CLI and the console render the same thing.
 *
 * The probe speaks over a struct stream (stream.h): with opts.target,
 * one the target opens from its own network position (target_connect:
 * a direct-tcpip channel from a relay reached over SSH, a socket on this
 * machine), so a remote relay is probed from where its Postfix sends;
 * without a target, or with opts.from_here, a TCP connection from this
 * machine; or any stream the caller hands in. The CA file and directory
 * are read through opts.target too (they name files on the relay) and
 * loaded from memory; without a target they are local paths. Every network step has a deadline
 * (opts.timeout_ms); a stalled, hostile or vanishing server ends the
 * probe with a failed step, never a hang.
 *
 * The password never enters the transcript (AUTH lines read
 * "AUTH PLAIN ********"), the result, or an error message; probe_run
 * wipes its own copies. It is sent only over a certificate Postfix
 * would trust (see probe_opts.tls_policy); otherwise the auth step says
 * "not sent: certificate not trusted (reason)" and nothing is written.
 *
 * Text from the peer (replies, certificate names) is kept as it came;
 * front ends escape it (core/termsafe, core/json).
 *
 * Ownership: probe_result_free releases a result filled by probe_run
 * (safe on a zeroed one). Strings in probe_opts stay the caller's.
 * Errors: probe_run returns 0 when every step passed, 1 when a step
 * failed (the result says which), -1 when it could not run at all (e).
 */
#ifndef RELAYDECK_PROBE_H
#define RELAYDECK_PROBE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct stream;
struct target;

enum probe_tls_mode {
	PROBE_TLS_AUTO = 0,	/* implicit for ports 465 and 2465, else STARTTLS */
	PROBE_TLS_STARTTLS,
	PROBE_TLS_IMPLICIT,
};

#define PROBE_TIMEOUT_DEFAULT_MS 10000
#define PROBE_PORT_DEFAULT "587"

struct probe_opts {
	const char *host;		/* name or IP literal, no brackets */
	const char *port;		/* "587" */
	enum probe_tls_mode tls_mode;
	const char *ca_file;		/* NULL with ca_path NULL: the system store */
	const char *ca_path;
	const char *servername;		/* SNI and the name checked; NULL: host */
	const char *digest;		/* extra fingerprint digest: "sha1", "md5", or NULL */
	int timeout_ms;			/* per step; 0: PROBE_TIMEOUT_DEFAULT_MS */
	const char *helo_name;		/* NULL: "relaydeck.invalid" */
	int auth;			/* also authenticate */
	const char *user;
	const char *password;		/* NUL-terminated; wiped by the caller */
	struct stream *stream;		/* already open stream to use (not closed), or NULL */
	struct target *target;		/* the managed host: CA files read and (unless
					   from_here) the connection opened through it */
	int from_here;			/* connect from this machine even with a target */
	/* The password goes out only over a trusted certificate: chain and
	 * host name verified, or the certificate or its key matches the
	 * fingerprint pinned in tls_policy (the target's smtp_tls_policy_maps
	 * entry for [host]:port, compared in digest), unless insecure_auth. */
	const char *tls_policy;		/* "fingerprint match=AB:...", or NULL */
	int insecure_auth;		/* send it over an untrusted certificate too */
	const char *insecure_cert;	/* with insecure_auth, NULL or only to the certificate
					   with this SHA-256 fingerprint (the one accepted) */
};

struct probe_step {
	char name[24];		/* resolve, connect, banner, ehlo, starttls, handshake, verify, hostname, auth */
	int ok;
	int not_sent;		/* auth: held back, the certificate is not trusted (ok is 0) */
	long ms;
	char detail[768];
};

struct probe_ehlo {
	int seen;
	long long size;		/* SIZE limit, -1 when not announced, 0 unlimited */
	int pipelining, eightbitmime, smtputf8, starttls, chunking;
	char auth[256];		/* AUTH mechanisms as announced, "" when none */
};

struct probe_cert {
	char subject[512];
	char issuer[512];
	char **sans;		/* "DNS:x", "IP:1.2.3.4" */
	size_t nsans;
	char not_before[32];	/* "2026-11-29T07:00:00Z" */
	char not_after[32];
	long days_left;		/* negative when expired */
	char key_type[16];	/* "RSA", "EC", "ED25519" */
	int key_bits;
	char signature[64];	/* "sha256WithRSAEncryption" */
};

#define PROBE_FP_MAX 100	/* "AB:CD:..." for 32 bytes plus NUL */

struct probe_tls {
	int done;		/* handshake completed */
	char protocol[16];
	char cipher[96];
	int verified;
	char verify_error[160];
	int hostname_match;
	struct probe_cert *chain;	/* [0] is the server's certificate */
	size_t nchain;
	char cert_sha256[PROBE_FP_MAX];
	char pubkey_sha256[PROBE_FP_MAX];
	char digest[8];			/* extra digest name, or "" */
	char cert_fp[PROBE_FP_MAX];	/* in that digest */
	char pubkey_fp[PROBE_FP_MAX];
};

struct probe_auth {
	int tried;		/* AUTH was attempted */
	int not_sent;		/* held back: the certificate is not trusted */
	char not_sent_reason[512];	/* "certificate not trusted (certificate has expired)" */
	int insecure;		/* sent although the certificate is not trusted (insecure_auth) */
	char mechanisms[256];	/* offered when authenticating (after TLS when TLS ran) */
	int xoauth2;		/* XOAUTH2 offered (not used) */
	char mechanism[16];	/* PLAIN or LOGIN */
	int ok;
	char reply[512];	/* the server's final reply, exactly */
	char hint[256];		/* what it likely means, or "" */
};

struct probe_result {
	char host[256];
	char from[256];			/* where the connection started: the target's name
					   when it connected, "" for this machine */
	char port[16];
	enum probe_tls_mode tls_mode;	/* resolved: STARTTLS or IMPLICIT */
	int ok;				/* every step passed */
	struct probe_step *steps;
	size_t nsteps;
	struct probe_ehlo ehlo_before;	/* first EHLO (before STARTTLS) */
	struct probe_ehlo ehlo_after;	/* EHLO inside TLS */
	struct probe_tls tls;
	struct probe_auth auth;
	char **transcript;		/* "S: 220 ...", "C: EHLO ...", redacted */
	size_t ntranscript;
};

int probe_run(const struct probe_opts *o, struct probe_result *r, struct err *e);
void probe_result_free(struct probe_result *r);

/* probe_json - the result as one JSON object (see relaydeck(1)). */
void probe_json(const struct probe_result *r, struct buf *out);

/* probe_parse_hostport - "[host]:port", "host:port", "[::1]:port", "host",
 * "::1" into host (brackets removed) and port (default_port when absent).
 * bracketed is set when the input used [host]. */
int probe_parse_hostport(const char *s, const char *default_port, char *host, size_t hostlen,
			 char *port, size_t portlen, int *bracketed, struct err *e);

/* probe_fingerprint - Postfix's form of digest(data): "AB:CD:..." */
int probe_fingerprint(const char *digest, const unsigned char *data, size_t len, char *out,
		      size_t outlen, struct err *e);

/* probe_auth_hint - what an AUTH failure reply likely means (static text or NULL). */
const char *probe_auth_hint(int code, const char *enhanced, const char *text, const char *host);

/* probe_cred_lookup - the credential for [host]:port, then host, from the
 * target's smtp_sasl_password_maps (`postmap -q KEY MAP`, secret on
 * stdout only). user and password are filled (password: wipe with
 * buf_wipe_free); 0 found, -1 with ERR_NOTFOUND when no entry. */
int probe_cred_lookup(struct target *t, const char *host, const char *port, struct buf *user,
		      struct buf *password, struct err *e);

/* probe_policy_lookup - the target's smtp_tls_policy_maps entry for
 * [host]:port (first line, into value): 1 found, 0 none, -1 error. */
int probe_policy_lookup(struct target *t, const char *host, const char *port, char *value,
			size_t valuelen, struct err *e);

/* probe_pin_matches - 1 when policy is a fingerprint entry that lists
 * r's certificate or public-key fingerprint in digest (NULL: sha256). */
int probe_pin_matches(const struct probe_result *r, const char *policy, const char *digest);

/* probe_check_pin - compare the result with the target's
 * smtp_tls_policy_maps entry for [host]:port, adding a "pin" step: a
 * fingerprint policy must list the certificate's or its public key's
 * fingerprint in digest (the target's smtp_tls_fingerprint_digest); for
 * secure/verify the chain must verify. No entry: no step. */
int probe_check_pin(struct target *t, struct probe_result *r, const char *digest,
		    struct err *e);

/* probe_ca_defaults - the target's smtp_tls_CAfile/smtp_tls_CApath
 * (malloc'd, NULL when empty). */
int probe_ca_defaults(struct target *t, char **ca_file, char **ca_path, struct err *e);

/* probe_policy_edit - old policy-table text with the line(s) for key
 * replaced by "key value" (appended when absent) into out. */
int probe_policy_edit(const char *old, size_t len, const char *key, const char *value,
		      struct buf *out, struct err *e);

#endif
