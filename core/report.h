/*
 * report - results told to people, in one wording for both front ends:
 * the command line prints the lines, the console shows them in its theme
 * roles (core/lines kinds). Logic that decides what to say lives here so
 * `relaydeck apply` and the console's result dialog never drift apart.
 *
 * API: report_apply (an apply or a rollback: outcome, backup, check and
 * reload, the steps, the warnings that were there before); report_probe
 * (a TLS/AUTH probe: steps, certificates, fingerprints, AUTH, verdict).
 * Text that came from a peer (replies, certificate names) is escaped
 * here by core/termsafe's rule, so no line carries a control character
 * and none can start another line.
 * Ownership: lines are appended to the caller's struct lines.
 */
#ifndef RELAYDECK_REPORT_H
#define RELAYDECK_REPORT_H

#include <stddef.h>

#include "err.h"
#include "lines.h"

struct apply_report;
struct probe_result;
struct probe_send_result;

/* report_apply - what ("Apply", "Rollback") ended with rc (0 or -1, then
 * e says why) on the files of config_dir. */
void report_apply(struct lines *out, const char *what, int rc, const struct apply_report *r,
		  const struct err *e, const char *config_dir);

/* report_probe - the result of probe_run, step by step, then the
 * certificate chain, the fingerprints Postfix pins with, what AUTH did
 * and the verdict. send_anyway says how the front end sends a password
 * that was held back (an untrusted certificate); NULL says nothing. */
void report_probe(struct lines *out, const struct probe_result *r, const char *send_anyway);

/* report_count - a count as people read it, 3214 -> "3,214", in out
 * (len bytes, cut short to fit); returns out. */
const char *report_count(size_t n, char *out, size_t len);
/* report_probe_send - the test message's fate: queue ID, status, relay,
 * delays, DSN, the server's reply, TLS and SASL as the log says them. */
void report_probe_send(struct lines *out, const struct probe_send_result *r);

#endif
