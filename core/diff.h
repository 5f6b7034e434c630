/*
 * diff - unified diffs of two texts, as `diff -u` prints them and `patch`
 * accepts them.
 *
 * Lines are compared with their terminating newline, so a last line that
 * lost or gained its newline counts as changed and is followed by
 * "\ No newline at end of file". The edit script is a shortest one
 * (Myers' O(ND) algorithm, linear space), so a large file with a few
 * changes costs about one pass over it.
 *
 * Masked mode is for secret files (sasl_passwd and the like). Hunks are
 * computed on the real bytes, so the diff still shows which lines changed,
 * but every line printed (changed and context lines alike) is masked:
 * leading blanks are kept; then the key, up to and including the first
 * blank (space or tab) after it, is kept, and everything after that
 * becomes "********"; a line without blanks keeps its text up to and
 * including the first ':' instead; a line with neither is replaced by
 * "********" as a whole. A line that starts with a blank continues the
 * previous entry, so all of its text is value: only the leading blanks
 * are kept. Empty lines, and comment lines (the first non-blank is '#',
 * even indented: postmap skips them), are printed as they are. So
 * "[smtp.example.com]:587 user:pass" prints as
 * "[smtp.example.com]:587 ********", "user:pass" as "user:********" and
 * "    user:pass word" as "    ********". No byte after the key ever
 * reaches the output.
 *
 * Parameter-masked mode is for main.cf: a caller's function flags the
 * lines that belong to secret parameters (secrecy_maincf_lines); those
 * print as "name = ********" and their continuation lines as
 * "    ********"; every other line prints as it is.
 *
 * Ownership: output is appended to a caller-owned buf.
 * Errors: -1 with ERR_NOMEM, or ERR_LIMIT when out reaches its cap.
 */
#ifndef RELAYDECK_DIFF_H
#define RELAYDECK_DIFF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define DIFF_CONTEXT_DEFAULT 3

/* diff_unified - append a unified diff of a (label_a) against b (label_b)
 * to out, with context lines around each change (negative: the default 3).
 * Nothing is appended when the texts are equal. */
int diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		 const char *label_a, const char *label_b, int context,
		 struct buf *out, struct err *e);

/* diff_unified_masked - the same, with every printed line masked as the
 * file header describes. */
int diff_unified_masked(const char *a, size_t alen, const char *b, size_t blen,
			const char *label_a, const char *label_b, int context,
			struct buf *out, struct err *e);

/* diff_secret_lines_fn - set flags[i] nonzero for each of the n lines of
 * text (split at '\n', a last line without newline counted) to mask. */
typedef void (*diff_secret_lines_fn)(const char *text, size_t len, unsigned char *flags,
				     size_t n);

/* diff_unified_param_masked - the same, with the lines secret_lines flags
 * (on either side) masked as parameter lines. */
int diff_unified_param_masked(const char *a, size_t alen, const char *b, size_t blen,
			      const char *label_a, const char *label_b, int context,
			      diff_secret_lines_fn secret_lines, struct buf *out, struct err *e);

/* diff_mask_line - append the masked form of one table line (len bytes,
 * without its newline) to out. */
int diff_mask_line(const char *line, size_t len, struct buf *out);

/* diff_mask_param_line - the same for one line of a secret main.cf
 * parameter: "name = ********", or "    ********" for a continuation. */
int diff_mask_param_line(const char *line, size_t len, struct buf *out);

#endif
