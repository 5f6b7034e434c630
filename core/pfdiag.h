/*
 * pfdiag - what Postfix's own tools say: their warnings, and the reason
 * a command failed.
 *
 * Postfix prints one diagnostic in several dresses: "postconf: warning:
 * X" on stderr, "/usr/sbin/postconf: warning: X" when `postfix check`
 * runs postconf, and "Dec  4 16:37:31 relay01 postfix/postconf[4242]:
 * warning: X" (or an RFC 3339 stamp) when it logs to a maillog_file such
 * as /dev/stdout. pfdiag_normalize reduces each to "program: text": the
 * stamp, host and pid dropped, a program path shortened to its name, the
 * program name itself kept; control characters become visible \xNN.
 *
 * pfdiag_compare tells the warnings after a change from those before it
 * in expected linear time (a hash table, never a pairwise scan). Messages
 * are matched by key: the normalized text without the program name, with
 * line numbers blanked ("main.cf, line 86: ..." and "line 87" are one
 * key; so are "overriding earlier entry: NAME=" with any old value), so a
 * warning that only moved with the lines around it is not new, and
 * neither is one more program reporting a main.cf defect postconf -n
 * reported before. How often a message repeats is not compared either:
 * `postfix check` prints its helpers' copies a varying number of times
 * (more when it creates missing queue directories). Listed messages keep
 * their program name.
 *
 * Ownership: struct pfdiag_cmp buffers are freed with pfdiag_cmp_free.
 */
#ifndef RELAYDECK_PFDIAG_H
#define RELAYDECK_PFDIAG_H

#include <stddef.h>

#include "buf.h"

/* pfdiag_normalize - one line (newline optional) as "program: text",
 * appended to out without a newline. */
int pfdiag_normalize(const char *line, size_t len, struct buf *out);

struct pfdiag_cmp {
	struct buf fresh;	/* lines the change added, once each, in the order seen */
	struct buf kept;	/* lines there before and after, once each */
	size_t nfresh, nkept;
	size_t probes;		/* hash slots visited: the work done, for tests */
};

void pfdiag_cmp_init(struct pfdiag_cmp *c);
void pfdiag_cmp_free(struct pfdiag_cmp *c);

/* pfdiag_compare - before and after are Postfix output, one message a
 * line, in any of the dresses above. Fills c (normalized lines, each
 * ending in a newline). -1 when out of memory. */
int pfdiag_compare(const char *before, size_t blen, const char *after, size_t alen,
		   struct pfdiag_cmp *c);

/* pfdiag_same - 1 when two normalized messages differ at most in line
 * numbers (the same reason before and after an edit that moved lines). */
int pfdiag_same(const char *a, const char *b);

/* pfdiag_reason - why a Postfix command failed, from its output: the
 * first fatal or panic message, else the first error, else the last
 * line; from the severity on ("fatal: bad string length 0 < 1:
 * setgid_group =") when there is one. "" when text has no line. Returns
 * 1 when a fatal, panic or error message was found, else 0. */
int pfdiag_reason(const char *text, size_t len, char *dst, size_t n);

#endif
