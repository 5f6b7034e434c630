/*
 * pin - turn a probe result into a per-destination TLS policy: stage the
 * smtp_tls_policy_maps entry "[host]:port fingerprint match=FP",
 * "secure match=NAME" or "verify", and the main.cf settings it needs
 * (smtp_tls_policy_maps, smtp_tls_fingerprint_digest), in a change set
 * the caller reviews and applies. The command line (`relaydeck pin`) and
 * the console's Probe screen both come here.
 *
 * API: pin_mode_parse/pin_mode_name, pin_modes_allowed (which modes the
 * result permits), pin_host_digest (the target's fingerprint digest),
 * pin_stage.
 * Ownership: everything filled is the caller's; pin_stage only stages.
 * Errors: -1 with e naming the destination and the reason.
 */
#ifndef RELAYDECK_PIN_H
#define RELAYDECK_PIN_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct changeset;
struct maincf;
struct probe_result;
struct target;

enum pin_mode {
	PIN_DEFAULT = 0,	/* fingerprint, and only when the chain verified */
	PIN_FINGERPRINT,	/* digest of this exact certificate */
	PIN_PUBKEY,		/* digest of its public key (survives a same-key renewal) */
	PIN_SECURE,		/* CA-verified, match=NAME */
	PIN_VERIFY,		/* CA-verified, Postfix's default name match */
};

#define PIN_MASK(m) (1u << (m))

/* pin_mode_parse - "fingerprint", "pubkey", "secure", "verify"; -1 otherwise. */
int pin_mode_parse(const char *s, enum pin_mode *out);

/* pin_mode_name - the name of a mode ("fingerprint" for PIN_DEFAULT). */
const char *pin_mode_name(enum pin_mode m);

/* pin_modes_allowed - PIN_MASK bits of the modes r permits: none without
 * a certificate; fingerprint and pubkey once the handshake ran; secure
 * and verify only when the chain verified and the name matched. */
unsigned pin_modes_allowed(const struct probe_result *r);

/* pin_host_digest - the target's smtp_tls_fingerprint_digest in lower
 * case ("sha256" when unset or unreadable). */
void pin_host_digest(struct target *t, char *out, size_t outlen);

struct pin_req {
	enum pin_mode mode;
	const char *servername;		/* the name for secure's match=; NULL: r->host */
	const char *digest;		/* digest of r's extra fingerprints; NULL: sha256 */
	const char *policy_file;	/* absolute path; NULL: the one smtp_tls_policy_maps
					 * names, else <config>/tls_policy */
};

/* pin_stage - stage the policy entry for [r->host]:r->port and main.cf
 * (m is edited in place and serialized to maincf_path) in cs. notes gets
 * what the admin must read first, one line each ("pinning KEY: VALUE",
 * the rotation warning); desc (may be NULL) the change's description.
 * Refuses: no certificate; PIN_DEFAULT on an unverified chain;
 * secure/verify when Postfix would defer; a digest change that would
 * break other fingerprint pins. */
int pin_stage(struct changeset *cs, struct target *t, struct maincf *m, const char *maincf_path,
	      const struct probe_result *r, const struct pin_req *q, struct buf *notes,
	      char *desc, size_t desclen, struct err *e);

#endif
